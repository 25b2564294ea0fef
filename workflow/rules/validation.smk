# Data-vs-sim validation of the generated samples (README table).


rule data_vs_sim:
    input:
        data=["results/features/data.h5", "results/salad/regions/data.h5"],
        sim=["results/features/sim.h5", "results/salad/regions/sim.h5"],
    output:
        "results/validation/data_vs_sim.json",
    params:
        config=cfg("seed", "studies.salad.features", "validation"),
        script=script("data_vs_sim"),
        code=code("data_vs_sim"),
    log:
        "results/logs/validation/data_vs_sim.log",
    benchmark:
        "results/benchmarks/validation/data_vs_sim.tsv"
    resources:
        mem_mb=4000,
        runtime=30,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study salad"
        " --data {input.data} --sim {input.sim} --output {output} > {log} 2>&1"
