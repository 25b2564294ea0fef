# CWoLa Hunting vs autoencoder (figures E1-E17): per study (one 3-prong signal) and run, the
# signal benchmarks, the nested k-fold CWoLa Hunting ensemble over all benchmarks and the bump
# hunts after the cuts; per run one autoencoder ensemble on the background-only data, shared
# by every study (it never sees signal), and once its model selection; one summary.


rule cwola_ae_inject:
    input:
        data="results/{study}/regions/data.h5",
        signal=signal_inputs,
    output:
        "results/{study}/inject/run{run}.h5",
    params:
        config=study_cfg("injection", "signal"),
        script=script("cwola_ae_inject"),
        code=code("cwola_ae_inject"),
    log:
        "results/logs/inject/{study}_run{run}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --run {wildcards.run} --data-regions {input.data} --signal-regions {input.signal[1]}"
        " --output {output} > {log} 2>&1"


rule cwola_hunting:
    input:
        data=study_inputs("data"),
        signal=signal_inputs,
        injection="results/{study}/inject/run{run}.h5",
    output:
        "results/{study}/cwola/run{run}.h5",
    params:
        config=study_cfg("features", "cwola_hunting", "fit_range", "binning"),
        script=script("cwola_hunting"),
        code=code("cwola_hunting"),
    log:
        "results/logs/classifiers/{study}_cwola_run{run}.log",
    benchmark:
        "results/benchmarks/classifiers/{study}_cwola_run{run}.tsv"
    resources:
        mem_mb=cwola_hunting_mem_mb,
        runtime=240,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --signal {input.signal} --injection {input.injection}"
        " --output {output} > {log} 2>&1"


if CWOLA_AE:

    rule autoencoder:
        input:
            **ae_inputs(),
        output:
            "results/cwola_ae/autoencoder/run{run}.h5",
        params:
            config=cfg("seed", f"studies.{cwola_ae_first()}.autoencoder"),
            study=cwola_ae_first(),
            signals=all_signal_args,
            script=script("autoencoder"),
            code=code("autoencoder"),
        log:
            "results/logs/classifiers/cwola_ae_autoencoder_run{run}.log",
        benchmark:
            "results/benchmarks/classifiers/cwola_ae_autoencoder_run{run}.tsv"
        resources:
            mem_mb=4000,
            runtime=120,
        threads: 1
        conda:
            "../../envs/ml.yaml"
        shell:
            "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
            " python {params.script} --config-json {params.config:q} --study {params.study}"
            " --run {wildcards.run} --data {input.data} {params.signals}"
            " --output {output} > {log} 2>&1"

    rule ae_model_selection:
        input:
            **ae_inputs(),
        output:
            "results/cwola_ae/model_selection.json",
        params:
            config=cfg("seed", f"studies.{cwola_ae_first()}.autoencoder",
                       f"studies.{cwola_ae_first()}.model_selection"),
            study=cwola_ae_first(),
            signals=all_signal_args,
            script=script("ae_model_selection"),
            code=code("ae_model_selection"),
        log:
            "results/logs/classifiers/cwola_ae_model_selection.log",
        benchmark:
            "results/benchmarks/classifiers/cwola_ae_model_selection.tsv"
        resources:
            mem_mb=4000,
            runtime=120,
        threads: 1
        conda:
            "../../envs/ml.yaml"
        shell:
            "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
            " python {params.script} --config-json {params.config:q} --study {params.study}"
            " --data {input.data} {params.signals} --output {output} > {log} 2>&1"


rule cwola_ae_fits:
    input:
        injection="results/{study}/inject/run{run}.h5",
        cwola="results/{study}/cwola/run{run}.h5",
        autoencoder="results/cwola_ae/autoencoder/run{run}.h5",
    output:
        "results/{study}/fits/run{run}.json",
    params:
        config=study_cfg("injection", "cuts", "fit_range", "binning", "signal_region", "sidebands",
                         "signal"),
        script=script("cwola_ae_fits"),
        code=code("cwola_ae_fits"),
    log:
        "results/logs/fit/{study}_run{run}.log",
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../../envs/stats.yaml"
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
        "results/logs/fit/cwola_ae_summary.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --fits {input.fits} --model-selection {input.selection}"
        " --output {output} > {log} 2>&1"


rule plot_cwola_ae:
    input:
        summary="results/cwola_ae/summary.json",
        fits=cwola_ae_run0("fits", "json"),
        inject=cwola_ae_run0("inject", "h5"),
        cwola=cwola_ae_run0("cwola", "h5"),
        autoencoder="results/cwola_ae/autoencoder/run0.h5",
        features=["results/features/data.h5"]
        + [f"results/features/{STUDIES[s]['signal']}.h5" for s in CWOLA_AE],
    output:
        **E_FIGURES,
    params:
        features=lambda wc: json.dumps(STUDIES[cwola_ae_first()]["features"]) if CWOLA_AE else "[]",
        script=script("plot_cwola_ae"),
        code=code("plot_cwola_ae"),
    log:
        "results/logs/plots/E1_E11.log",
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
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
        **E_SELECTION,
    params:
        script=script("plot_ae_selection"),
        code=code("plot_ae_selection"),
    log:
        "results/logs/plots/E14_E17.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --summary {input} --e14 {output.e14} --e15 {output.e15}"
        " --e16 {output.e16} --e17 {output.e17} > {log} 2>&1"
