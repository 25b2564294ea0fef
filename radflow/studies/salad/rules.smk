# SALAD paper (2001.05001), figures A1-A9: input distributions, the supervised classifier,
# DCTR reweighting in the sidebands interpolated into the SR, the three lines of Fig. 8 per
# injection, the background estimate, and the study summary; the generator's data-vs-sim
# check (DCTR itself: workflow/rules/templates.smk).
# The first SALAD study by name draws the figures.

include: "functions.smk"


rule plot_features:
    input:
        data=lambda wc: study_sample_inputs(SALAD, "data")[0],
        sim=lambda wc: study_sample_inputs(SALAD, "sim")[0],
        signal=lambda wc: study_sample_inputs(SALAD, "signal")[0],
    output:
        a1=fig("A1"),
        a2=fig("A2"),
    params:
        config=cfg(f"studies.{SALAD}.signal_region", "plots.mjj"),
        script=script("plot_features"),
        code=code("plot_features"),
    log:
        "results/logs/plot_features/A1_A2.log",
    benchmark:
        "results/benchmarks/plot_features/A1_A2.tsv"
    resources:
        **cost_resources("plot_features"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --data {input.data}"
        " --sim {input.sim} --signal {input.signal} --a1 {output.a1} --a2 {output.a2}"
        " > {log} 2>&1"


rule train_supervised:
    input:
        background=role_inputs("data"),
        signal=role_inputs("signal"),
        injection=f"results/{{study}}/inject/{NO_SIGNAL}.h5",
    output:
        "results/{study}/scores/supervised.h5",
    wildcard_constraints:
        study=study_constraint("salad"),
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        script=script("train_supervised"),
        code=code("train_supervised"),
    log:
        "results/logs/train_supervised/{study}_supervised.log",
    benchmark:
        "results/benchmarks/train_supervised/{study}_supervised.tsv"
    resources:
        **cost_resources("train_supervised"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q}"
        " --study {wildcards.study} --background {input.background} --signal {input.signal}"
        " --injection {input.injection} --arch salad --output {output} > {log} 2>&1"


rule plot_supervised:
    input:
        f"results/{SALAD}/scores/supervised.h5",
    output:
        fig("A3"),
    params:
        script=script("plot_supervised"),
        code=code("plot_supervised"),
    log:
        "results/logs/plot_supervised/A3.log",
    benchmark:
        "results/benchmarks/plot_supervised/A3.tsv"
    resources:
        **cost_resources("plot_supervised"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --scores {input} --outputs {output} > {log} 2>&1"


rule dctr_closure:
    input:
        data=role_inputs("data"),
        sim=role_inputs("sim"),
        dctr=f"results/{{study}}/dctr/{NO_SIGNAL}.h5",
        injection=f"results/{{study}}/inject/{NO_SIGNAL}.h5",
    output:
        scores="results/{study}/dctr/sr_closure_scores.h5",
        summary="results/{study}/dctr/closure.json",
    wildcard_constraints:
        study=study_constraint("salad"),
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        script=script("dctr_closure"),
        code=code("dctr_closure"),
    log:
        "results/logs/dctr_closure/{study}_closure.log",
    benchmark:
        "results/benchmarks/dctr_closure/{study}_closure.tsv"
    resources:
        **cost_resources("dctr_closure"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --injection {input.injection} --scores {output.scores} --summary {output.summary} > {log} 2>&1"


rule plot_dctr:
    input:
        data=lambda wc: study_sample_inputs(SALAD, "data"),
        sim=lambda wc: study_sample_inputs(SALAD, "sim"),
        dctr=f"results/{SALAD}/dctr/{NO_SIGNAL}.h5",
        injection=f"results/{SALAD}/inject/{NO_SIGNAL}.h5",
        closure=f"results/{SALAD}/dctr/sr_closure_scores.h5",
    output:
        a4=fig("A4"),
        a5=fig("A5"),
        a6=fig("A6"),
        a7=fig("A7"),
    params:
        script=script("plot_dctr"),
        code=code("plot_dctr"),
    log:
        "results/logs/plot_dctr/A4_A7.log",
    benchmark:
        "results/benchmarks/plot_dctr/A4_A7.tsv"
    resources:
        **cost_resources("plot_dctr"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --injection {input.injection} --closure-scores {input.closure} --a4 {output.a4} --a5 {output.a5}"
        " --a6 {output.a6} --a7 {output.a7} > {log} 2>&1"


rule salad_lines:
    input:
        data=role_inputs("data"),
        sim=role_inputs("sim"),
        signal=role_inputs("signal"),
        injection="results/{study}/inject/{injection}.h5",
        dctr="results/{study}/dctr/{injection}.h5",
    output:
        metrics="results/{study}/lines/{injection}.json",
        scores="results/{study}/lines/{injection}_scores.h5",
    wildcard_constraints:
        study=study_constraint("salad"),
    params:
        config=cfg("seed", "studies.{study}.features", "studies.{study}.injection.n_classifiers",
                   "training"),
        script=script("salad_lines"),
        code=code("salad_lines"),
    log:
        "results/logs/salad_lines/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/salad_lines/{study}_{injection}.tsv"
    resources:
        **cost_resources("salad_lines"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --sim {input.sim}"
        " --signal {input.signal} --injection {input.injection} --dctr {input.dctr}"
        " --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"


rule salad_summary:
    input:
        metrics=lambda wc: expand("results/{study}/lines/{injection}.json", study=wc.study,
                                  injection=injections(wc.study)),
        background_only=f"results/{{study}}/lines/{NO_SIGNAL}_scores.h5",
        closure="results/{study}/dctr/closure.json",
    output:
        "results/{study}/summary.json",
    wildcard_constraints:
        study=study_constraint("salad"),
    params:
        script=script("salad_summary"),
        code=code("salad_summary"),
    log:
        "results/logs/salad_summary/{study}.log",
    benchmark:
        "results/benchmarks/salad_summary/{study}.tsv"
    resources:
        **cost_resources("salad_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --metrics {input.metrics} --background-only-scores"
        " {input.background_only} --closure {input.closure} --output {output} > {log} 2>&1"


rule plot_salad_sensitivity:
    input:
        f"results/{SALAD}/summary.json",
    output:
        a8=fig("A8"),
        a9=fig("A9"),
    params:
        script=script("plot_salad_sensitivity"),
        code=code("plot_salad_sensitivity"),
    log:
        "results/logs/plot_salad_sensitivity/A8_A9.log",
    benchmark:
        "results/benchmarks/plot_salad_sensitivity/A8_A9.tsv"
    resources:
        **cost_resources("plot_salad_sensitivity"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --summary {input} --a8 {output.a8}"
        " --a9 {output.a9} > {log} 2>&1"



rule data_vs_sim:
    input:
        data=lambda wc: study_sample_inputs(SALAD, "data"),
        sim=lambda wc: study_sample_inputs(SALAD, "sim"),
        injection=f"results/{SALAD}/inject/{NO_SIGNAL}.h5",
    output:
        "results/validation/data_vs_sim.json",
    params:
        config=cfg("seed", f"studies.{SALAD}.features", "validation"),
        script=script("data_vs_sim"),
        code=code("data_vs_sim"),
        study=SALAD,
    log:
        "results/logs/data_vs_sim/data_vs_sim.log",
    benchmark:
        "results/benchmarks/data_vs_sim/data_vs_sim.tsv"
    resources:
        **cost_resources("data_vs_sim"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {params.study}"
        " --data {input.data} --sim {input.sim} --injection {input.injection}"
        " --output {output} > {log} 2>&1"
