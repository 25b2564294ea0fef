# Pythia 8 + detector stand-in + FastJet, one job per chunk (scale out on a cluster).


rule generate:
    output:
        "results/events/{sample}/chunk{chunk}.root",
    params:
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
        LOG_HEADER + "python {REPO}/scripts/generate.py --config {params.config} --sample {wildcards.sample}"
        " --chunk {wildcards.chunk} --output {output} >> {log} 2>&1"
