# Per study: SR / SB / long-SB / fit-range masks, alpha * mjj shift, train/test split.


rule regions:
    input:
        "results/features/{sample}.h5",
    output:
        "results/{study}/regions/{sample}.h5",
    params:
        config=study_cfg(*REGION_KEYS),
        script=script("regions"),
        code=code("regions"),
    log:
        "results/logs/regions/{study}_{sample}.log",
    benchmark:
        "results/benchmarks/regions/{study}_{sample}.tsv"
    resources:
        **cost_resources("regions"),
    conda:
        f"{ENVS}/generate.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --sample {wildcards.sample} --features {input} --output {output} > {log} 2>&1"
