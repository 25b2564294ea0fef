# Per-event features of the two mass-ordered leading jets, whatever the source.


def feature_inputs(wildcards):
    s = SAMPLES[wildcards.sample]
    if s["source"] == "generate":
        return expand("results/events/{sample}/chunk{chunk}.root", sample=wildcards.sample,
                      chunk=cfgmod.generated_chunks(config, wildcards.sample))
    return [s["path"]]


rule features:
    input:
        feature_inputs,
    output:
        "results/features/{sample}.h5",
    params:
        config=CONFIG_FILE,
    log:
        "results/logs/features/{sample}.log",
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/generate.yaml"
    shell:
        LOG_HEADER + "python {REPO}/scripts/features.py --config {params.config} --sample {wildcards.sample}"
        " --inputs {input} --output {output} >> {log} 2>&1"
