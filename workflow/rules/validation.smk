# Data-vs-sim validation of the generated samples (README table).


rule data_vs_sim:
    input:
        data=["results/features/data.h5", "results/salad/regions/data.h5"],
        sim=["results/features/sim.h5", "results/salad/regions/sim.h5"],
    output:
        "results/validation/data_vs_sim.json",
    params:
        script=script_path("data_vs_sim"),
        config=CONFIG_FILE,
        epochs=50,
    log:
        "results/logs/validation/data_vs_sim.log",
    benchmark:
        "results/benchmarks/validation/data_vs_sim.tsv"
    resources:
        mem_mb=4000,
        runtime=30,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study salad"
        " --data {input.data} --sim {input.sim} --epochs {params.epochs}"
        " --output {output} > {log} 2>&1"
