# Pythia 8 + detector stand-in + FastJet, one job per chunk (scale out on a cluster).


rule generate:
    output:
        "results/events/{sample}/chunk{chunk}.root",
    params:
        script=script_path("generate"),
        config=CONFIG_FILE,
    log:
        "results/logs/generate/{sample}_chunk{chunk}.log",
    benchmark:
        "results/benchmarks/generate/{sample}_chunk{chunk}.tsv"
    resources:
        mem_mb=2000,
        runtime=120,
    threads: 1
    conda:
        "../../envs/generate.yaml"
    shell:
        "python {params.script} --config {params.config} --sample {wildcards.sample}"
        " --chunk {wildcards.chunk} --output {output} > {log} 2>&1"
