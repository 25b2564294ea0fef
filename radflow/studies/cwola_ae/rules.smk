# CWoLa Hunting vs autoencoder (figures E1-E17): per study (one 3-prong signal) and run, the
# signal benchmarks, the nested k-fold CWoLa Hunting ensemble over all benchmarks and the bump
# hunts after the cuts; per run one autoencoder ensemble on the background-only data, shared
# by every study of the kind (it never sees signal), and once its model selection; one
# summary over the kind's studies (results/cwola_ae/).

include: "functions.smk"


rule cwola_ae_inject:
    input:
        unpack(repetition_inputs),
    output:
        "results/{study}/inject/run{run}.h5",
    wildcard_constraints:
        study=study_constraint("cwola_ae"),
    params:
        config=study_cfg("injection", "samples.signal", "test_fraction"),
        regions=regions_args,
        script=script("cwola_ae_inject"),
        code=code("cwola_ae_inject"),
    log:
        "results/logs/cwola_ae_inject/{study}_run{run}.log",
    benchmark:
        "results/benchmarks/cwola_ae_inject/{study}_run{run}.tsv"
    resources:
        **cost_resources("cwola_ae_inject"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --run {wildcards.run} {params.regions} --output {output} > {log} 2>&1"


rule cwola_hunting:
    input:
        data=role_inputs("data"),
        signal=role_inputs("signal"),
        injection="results/{study}/inject/run{run}.h5",
    output:
        "results/{study}/cwola/run{run}_part{part}.h5",
    wildcard_constraints:
        study=study_constraint("cwola_ae"),
        part=r"[0-9]+",
    params:
        config=study_cfg("features", "cwola_hunting", "fit_range", "binning"),
        benchmarks=cwola_benchmarks,
        script=script("cwola_hunting"),
        code=code("cwola_hunting"),
    log:
        "results/logs/cwola_hunting/{study}_cwola_run{run}_part{part}.log",
    benchmark:
        "results/benchmarks/cwola_hunting/{study}_cwola_run{run}_part{part}.tsv"
    resources:
        **cost_resources("cwola_hunting"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --signal {input.signal} --injection {input.injection}"
        " {params.benchmarks} --output {output} > {log} 2>&1"


rule autoencoder:
    input:
        unpack(ae_inputs),
    output:
        "results/cwola_ae/autoencoder/run{run}.h5",
    params:
        config=cfg("seed", f"studies.{CWOLA_AE_FIRST}.autoencoder"),
        study=CWOLA_AE_FIRST,
        signals=all_signal_args,
        script=script("autoencoder"),
        code=code("autoencoder"),
    log:
        "results/logs/autoencoder/run{run}.log",
    benchmark:
        "results/benchmarks/autoencoder/run{run}.tsv"
    resources:
        **cost_resources("autoencoder"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {params.study}"
        " --run {wildcards.run} --data {input.data} --injection {input.injection}"
        " {params.signals}"
        " --output {output} > {log} 2>&1"

rule ae_model_selection:
    input:
        unpack(ae_inputs),
    output:
        "results/cwola_ae/model_selection.json",
    params:
        # The autoencoder settings it trains with (not the runs' members, subsample or
        # val_events: the model selection has its own).
        config=cfg("seed", *(f"studies.{CWOLA_AE_FIRST}.autoencoder.{k}"
                             for k in ("features", "epochs", "batch_size", "learning_rate")),
                   f"studies.{CWOLA_AE_FIRST}.model_selection"),
        study=CWOLA_AE_FIRST,
        signals=all_signal_args,
        script=script("ae_model_selection"),
        code=code("ae_model_selection"),
    log:
        "results/logs/ae_model_selection/model_selection.log",
    benchmark:
        "results/benchmarks/ae_model_selection/model_selection.tsv"
    resources:
        **cost_resources("ae_model_selection"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {params.study}"
        " --data {input.data} {params.signals} --output {output} > {log} 2>&1"


rule cwola_ae_fits:
    input:
        injection="results/{study}/inject/run{run}.h5",
        cwola=lambda wc: cwola_scores(wc.study, wc.run),
        autoencoder="results/cwola_ae/autoencoder/run{run}.h5",
    output:
        "results/{study}/fits/run{run}.json",
    wildcard_constraints:
        study=study_constraint("cwola_ae"),
    params:
        config=study_cfg("injection", "cuts", "fit_range", "binning", "signal_region", "sidebands",
                         "samples.signal"),
        script=script("cwola_ae_fits"),
        code=code("cwola_ae_fits"),
    log:
        "results/logs/cwola_ae_fits/{study}_run{run}.log",
    benchmark:
        "results/benchmarks/cwola_ae_fits/{study}_run{run}.tsv"
    resources:
        **cost_resources("cwola_ae_fits"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection {input.injection} --cwola {input.cwola}"
        " --autoencoder {input.autoencoder} --output {output} > {log} 2>&1"


rule cwola_ae_summary:
    input:
        fits=cwola_ae_runs("fits", "json"),
        selection="results/cwola_ae/model_selection.json",
    output:
        "results/cwola_ae/summary.json",
    params:
        script=script("cwola_ae_summary"),
        code=code("cwola_ae_summary"),
    log:
        "results/logs/cwola_ae_summary/cwola_ae_summary.log",
    benchmark:
        "results/benchmarks/cwola_ae_summary/cwola_ae_summary.tsv"
    resources:
        **cost_resources("cwola_ae_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --fits {input.fits} --model-selection {input.selection}"
        " --output {output} > {log} 2>&1"


rule plot_cwola_ae:
    input:
        summary="results/cwola_ae/summary.json",
        fits=cwola_ae_run0("fits", "json"),
        inject=cwola_ae_run0("inject", "h5"),
        cwola=[path for study in CWOLA_AE for path in cwola_scores(study, 0)],
        autoencoder="results/cwola_ae/autoencoder/run0.h5",
        features=lambda wc: ["results/features/data.h5"]
        + [study_sample_inputs(s, "signal")[0] for s in CWOLA_AE],
    output:
        **{fid.lower(): fig(fid) for fid in E_FIGURES},
    params:
        features=lambda wc: json.dumps(STUDIES[CWOLA_AE_FIRST]["features"]),
        script=script("plot_cwola_ae"),
        code=code("plot_cwola_ae"),
    log:
        "results/logs/plot_cwola_ae/E1_E11.log",
    benchmark:
        "results/benchmarks/plot_cwola_ae/E1_E11.tsv"
    resources:
        **cost_resources("plot_cwola_ae"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --summary {input.summary} --fits {input.fits}"
        " --inject {input.inject} --cwola {input.cwola} --autoencoder {input.autoencoder}"
        " --features {input.features} --features-list {params.features:q}"
        " --e1 {output.e1} --e2 {output.e2} --e3 {output.e3} --e4 {output.e4}"
        " --e5 {output.e5} --e6 {output.e6} --e7 {output.e7} --e8 {output.e8}"
        " --e9 {output.e9} --e10 {output.e10} --e11 {output.e11} > {log} 2>&1"


rule plot_ae_selection:
    input:
        "results/cwola_ae/summary.json",
    output:
        **{fid.lower(): fig(fid) for fid in E_SELECTION},
    params:
        script=script("plot_ae_selection"),
        code=code("plot_ae_selection"),
    log:
        "results/logs/plot_ae_selection/E14_E17.log",
    benchmark:
        "results/benchmarks/plot_ae_selection/E14_E17.tsv"
    resources:
        **cost_resources("plot_ae_selection"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --summary {input} --e14 {output.e14} --e15 {output.e15}"
        " --e16 {output.e16} --e17 {output.e17} > {log} 2>&1"
