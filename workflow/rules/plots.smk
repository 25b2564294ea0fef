# Figures named by their catalog id (../shared/DESIGN.md).


rule plot_features:
    input:
        data="results/features/data.h5",
        sim="results/features/sim.h5",
        signal="results/features/sig_xy.h5",
    output:
        a1=fig("A1", "mjj"),
        a2=fig("A2", "features"),
    params:
        script=script_path("plot_features"),
        signal_region=" ".join(map(str, STUDIES.get("salad", {}).get("signal_region", []))),
    log:
        "results/logs/plots/A1_A2.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --data {input.data} --sim {input.sim}"
        " --signal {input.signal} --signal-region {params.signal_region}"
        " --a1 {output.a1} --a2 {output.a2} > {log} 2>&1"


rule plot_supervised:
    input:
        "results/salad/scores/supervised.h5",
    output:
        fig("A3", "supervised"),
    params:
        script=script_path("plot_supervised"),
        sic_offset=1e-4,
    log:
        "results/logs/plots/A3.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --scores {input} --sic-offset {params.sic_offset}"
        " --outputs {output} > {log} 2>&1"
