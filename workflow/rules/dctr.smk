# SALAD: DCTR reweighting of sim to data in the sidebands, interpolated into the SR.


rule dctr:
    input:
        data=["results/features/data.h5", "results/{study}/regions/data.h5"],
        sim=["results/features/sim.h5", "results/{study}/regions/sim.h5"],
    output:
        "results/{study}/dctr/weights.h5",
    params:
        script=script_path("dctr"),
        config=CONFIG_FILE,
        sideband=lambda wc: "long_sb" if STUDIES[wc.study].get("long_sidebands") else "sb",
    log:
        "results/logs/dctr/{study}.log",
    benchmark:
        "results/benchmarks/dctr/{study}.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --sideband {params.sideband}"
        " --output {output} > {log} 2>&1"


rule sr_closure:
    input:
        data=["results/features/data.h5", "results/{study}/regions/data.h5"],
        sim=["results/features/sim.h5", "results/{study}/regions/sim.h5"],
        dctr="results/{study}/dctr/weights.h5",
    output:
        scores="results/{study}/dctr/sr_closure_scores.h5",
        summary="results/{study}/dctr/sr_closure.json",
    params:
        script=script_path("sr_closure"),
        config=CONFIG_FILE,
    log:
        "results/logs/dctr/{study}_sr_closure.log",
    benchmark:
        "results/benchmarks/dctr/{study}_sr_closure.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --scores {output.scores} --summary {output.summary} > {log} 2>&1"
