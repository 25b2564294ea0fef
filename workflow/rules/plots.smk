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


rule plot_dctr:
    input:
        data=["results/features/data.h5", "results/salad/regions/data.h5"],
        sim=["results/features/sim.h5", "results/salad/regions/sim.h5"],
        dctr=f"results/salad/dctr/{NO_SIGNAL}.h5",
        closure="results/salad/dctr/sr_closure_scores.h5",
    output:
        a4=fig("A4", "dctr_output_sb"),
        a5=fig("A5", "features_sb_dctr"),
        a6=fig("A6", "sr_classifier_dctr"),
        a7=fig("A7", "features_sr_dctr"),
    params:
        script=script_path("plot_dctr"),
    log:
        "results/logs/plots/A4_A7.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --closure-scores {input.closure} --a4 {output.a4} --a5 {output.a5}"
        " --a6 {output.a6} --a7 {output.a7} > {log} 2>&1"


rule plot_sacwola_features:
    input:
        data=["results/features/data.h5", "results/sacwola/regions/data.h5"],
        sim=["results/features/sim.h5", "results/sacwola/regions/sim.h5"],
        signal=["results/features/sig_xy.h5", "results/sacwola/regions/sig_xy.h5"],
        dctr=f"results/sacwola/dctr/{BACKGROUND_ONLY}.h5",
    output:
        fig("B1", "features_alpha_dctr"),
    params:
        script=script_path("plot_sacwola_features"),
        alpha=STUDIES.get("sacwola", {}).get("alpha", 0.0),
    log:
        "results/logs/plots/B1.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --data {input.data} --sim {input.sim} --signal {input.signal}"
        " --dctr {input.dctr} --alpha {params.alpha} --output {output} > {log} 2>&1"


rule plot_sacwola_classifiers:
    input:
        scores=lambda wc: f"results/sacwola/train/{signal_injection('sacwola')}_scores.h5",
        metrics=lambda wc: f"results/sacwola/train/{signal_injection('sacwola')}.json",
    output:
        b2=fig("B2", "roc_sic"),
        b3=fig("B3", "lambda_scan"),
    params:
        script=script_path("plot_sacwola_classifiers"),
        nominal_lambda=STUDIES.get("sacwola", {}).get("sa_cwola", {}).get("nominal_lambda", 0.5),
        sic_offset=1e-4,
    log:
        "results/logs/plots/B2_B3.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --scores {input.scores} --metrics {input.metrics}"
        " --nominal-lambda {params.nominal_lambda} --sic-offset {params.sic_offset}"
        " --b2 {output.b2} --b3 {output.b3} > {log} 2>&1"


rule plot_bump_hunt:
    input:
        "results/sacwola/fits.json",
    output:
        b4=fig("B4", "background_fit"),
        b5=fig("B5", "mjj_after_thresholds"),
        b6=fig("B6", "significance_with_signal"),
        b7=fig("B7", "significance_background_only"),
    params:
        script=script_path("plot_bump_hunt"),
    log:
        "results/logs/plots/B4_B7.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --fits {input} --b4 {output.b4} --b5 {output.b5}"
        " --b6 {output.b6} --b7 {output.b7} > {log} 2>&1"
