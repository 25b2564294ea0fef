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


rule sacwola_train:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        signal=study_inputs("sig_xy"),
        injection="results/{study}/inject/{injection}.h5",
        dctr="results/{study}/dctr/{injection}.h5",
    output:
        metrics="results/{study}/train/{injection}.json",
        scores="results/{study}/train/{injection}_scores.h5",
    params:
        script=script_path("sacwola_train"),
        config=CONFIG_FILE,
        arch="sacwola",
    log:
        "results/logs/train/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/train/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=120,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --sim {input.sim}"
        " --signal {input.signal} --injection {input.injection} --dctr {input.dctr}"
        " --arch {params.arch} --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"
