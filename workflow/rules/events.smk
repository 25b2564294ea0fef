# Events: Pythia 8 + detector stand-in + FastJet, one job per chunk (scale out on a
# cluster); then per-event features of the two mass-ordered leading jets, whatever the
# source (generated chunks, an LHCO R&D file, a flat ROOT ntuple).


rule generate:
    output:
        "results/events/{sample}/chunk{chunk}.root",
    params:
        config=cfg("seed", "samples.{sample}", "detector", "jets"),
        script=script("generate"),
        code=code("generate"),
    log:
        "results/logs/generate/{sample}_chunk{chunk}.log",
    benchmark:
        "results/benchmarks/generate/{sample}_chunk{chunk}.tsv"
    resources:
        **cost_resources("generate"),
    threads: 1
    conda:
        f"{ENVS}/generate.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --sample {wildcards.sample}"
        " --chunk {wildcards.chunk} --output {output} > {log} 2>&1"


rule features:
    input:
        feature_inputs,
    output:
        "results/features/{sample}.h5",
    params:
        config=cfg("samples.{sample}"),
        script=script("features"),
        code=code("features"),
    log:
        "results/logs/features/{sample}.log",
    benchmark:
        "results/benchmarks/features/{sample}.tsv"
    resources:
        **cost_resources("features"),
    conda:
        f"{ENVS}/generate.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --sample {wildcards.sample}"
        " --inputs {input} --output {output} > {log} 2>&1"
