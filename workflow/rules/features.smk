# Per-event features of the two mass-ordered leading jets, whatever the source.


rule features:
    input:
        feature_inputs,
    output:
        "results/features/{sample}.h5",
    params:
        script=script_path("features"),
        config=CONFIG_FILE,
    log:
        "results/logs/features/{sample}.log",
    benchmark:
        "results/benchmarks/features/{sample}.tsv"
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/generate.yaml"
    shell:
        "python {params.script} --config {params.config} --sample {wildcards.sample}"
        " --inputs {input} --output {output} > {log} 2>&1"
