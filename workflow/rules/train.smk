# Classifier trainings (vectorized ensembles over initializations).


rule train_supervised:
    input:
        background=["results/features/data.h5", "results/{study}/regions/data.h5"],
        signal=["results/features/sig_xy.h5", "results/{study}/regions/sig_xy.h5"],
    output:
        "results/{study}/scores/supervised.h5",
    params:
        script=script_path("train_supervised"),
        config=CONFIG_FILE,
        arch="salad",
    log:
        "results/logs/train/{study}_supervised.log",
    benchmark:
        "results/benchmarks/train/{study}_supervised.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --background {input.background} --signal {input.signal} --arch {params.arch}"
        " --output {output} > {log} 2>&1"
