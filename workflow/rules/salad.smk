# SALAD paper (2001.05001), figures A1-A9: input distributions, the supervised classifier,
# DCTR reweighting in the sidebands interpolated into the SR, the three lines of Fig. 8 per
# injection, the background estimate, and the study summary. The dctr rule also serves the
# SA-CWoLa study (DCTR from its long sidebands).


rule plot_features:
    input:
        data="results/features/data.h5",
        sim="results/features/sim.h5",
        signal="results/features/sig_xy.h5",
    output:
        a1=fig("A1", "mjj"),
        a2=fig("A2", "features"),
    params:
        config=cfg("studies.salad.signal_region", "plots.mjj"),
        script=script("plot_features"),
        code=code("plot_features"),
    log:
        "results/logs/plots/A1_A2.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --data {input.data}"
        " --sim {input.sim} --signal {input.signal} --a1 {output.a1} --a2 {output.a2}"
        " > {log} 2>&1"


rule train_supervised:
    input:
        background=study_inputs("data"),
        signal=study_inputs("sig_xy"),
    output:
        "results/{study}/scores/supervised.h5",
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        script=script("train_supervised"),
        code=code("train_supervised"),
    log:
        "results/logs/train/{study}_supervised.log",
    benchmark:
        "results/benchmarks/train/{study}_supervised.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q}"
        " --study {wildcards.study} --background {input.background} --signal {input.signal}"
        " --arch salad --output {output} > {log} 2>&1"


rule plot_supervised:
    input:
        "results/salad/scores/supervised.h5",
    output:
        fig("A3", "supervised"),
    params:
        script=script("plot_supervised"),
        code=code("plot_supervised"),
    log:
        "results/logs/plots/A3.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --scores {input} --outputs {output} > {log} 2>&1"


rule dctr:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        signal=study_inputs("sig_xy"),
        injection="results/{study}/inject/{injection}.h5",
    output:
        "results/{study}/dctr/{injection}.h5",
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        sideband=lambda wc: "long_sb" if STUDIES[wc.study].get("long_sidebands") else "sb",
        script=script("dctr"),
        code=code("dctr"),
    log:
        "results/logs/dctr/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/dctr/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --signal {input.signal}"
        " --injection {input.injection} --sideband {params.sideband}"
        " --output {output} > {log} 2>&1"


rule dctr_closure:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        dctr=f"results/{{study}}/dctr/{NO_SIGNAL}.h5",
    output:
        scores="results/{study}/dctr/sr_closure_scores.h5",
        summary="results/{study}/dctr/closure.json",
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        script=script("dctr_closure"),
        code=code("dctr_closure"),
    log:
        "results/logs/dctr/{study}_closure.log",
    benchmark:
        "results/benchmarks/dctr/{study}_closure.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --scores {output.scores} --summary {output.summary} > {log} 2>&1"


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
        script=script("plot_dctr"),
        code=code("plot_dctr"),
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


rule salad_scan:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        signal=study_inputs("sig_xy"),
        injection="results/{study}/inject/{injection}.h5",
        dctr="results/{study}/dctr/{injection}.h5",
    output:
        metrics="results/{study}/scan/{injection}.json",
        scores="results/{study}/scan/{injection}_scores.h5",
    params:
        config=cfg("seed", "studies.{study}.features", "studies.{study}.injection.n_classifiers",
                   "training"),
        script=script("salad_scan"),
        code=code("salad_scan"),
    log:
        "results/logs/scan/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/scan/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=120,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --sim {input.sim}"
        " --signal {input.signal} --injection {input.injection} --dctr {input.dctr}"
        " --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"


rule salad_summary:
    input:
        metrics=lambda wc: expand("results/salad/scan/{injection}.json",
                                  injection=injections("salad")),
        background_only=f"results/salad/scan/{NO_SIGNAL}_scores.h5",
        closure="results/salad/dctr/closure.json",
    output:
        "results/salad/summary.json",
    params:
        script=script("salad_summary"),
        code=code("salad_summary"),
    log:
        "results/logs/salad_summary.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --metrics {input.metrics} --background-only-scores"
        " {input.background_only} --closure {input.closure} --output {output} > {log} 2>&1"


rule plot_salad_sensitivity:
    input:
        "results/salad/summary.json",
    output:
        a8=fig("A8", "salad_sensitivity_vs_sb"),
        a9=fig("A9", "salad_background_estimate"),
    params:
        script=script("plot_salad_sensitivity"),
        code=code("plot_salad_sensitivity"),
    log:
        "results/logs/plots/A8_A9.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --summary {input} --a8 {output.a8}"
        " --a9 {output.a9} > {log} 2>&1"
