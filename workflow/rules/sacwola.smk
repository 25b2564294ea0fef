# SA-CWoLa paper, figures B1-B7: CWoLa, SA-CWoLa at every lambda, optimal CWoLa, data vs
# sim, SALAD and the supervised classifier per injection; the bump hunt (threshold scan,
# dijet-function sideband fits, significances); the study summary.


rule sacwola_train:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        signal=study_inputs("sig_xy"),
        extra=study_inputs("data_extra"),
        injection="results/{study}/inject/{injection}.h5",
        dctr="results/{study}/dctr/{injection}.h5",
    output:
        metrics="results/{study}/train/{injection}.json",
        scores="results/{study}/train/{injection}_scores.h5",
    params:
        config=cfg("seed", "studies.{study}.features", "studies.{study}.sa_cwola.lambdas",
                   "studies.{study}.sa_cwola.forms", "training"),
        script=script("sacwola_train"),
        code=code("sacwola_train"),
    log:
        "results/logs/train/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/train/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=120,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q}"
        " --study {wildcards.study} --injection-name {wildcards.injection} --data {input.data}"
        " --sim {input.sim} --signal {input.signal} --extra {input.extra}"
        " --injection {input.injection}"
        " --dctr {input.dctr} --arch sacwola --metrics {output.metrics}"
        " --scores {output.scores} > {log} 2>&1"


rule fit:
    input:
        with_signal=lambda wc: expand("results/{study}/train/{injection}_scores.h5",
                                      study=wc.study, injection=signal_injections(wc.study)),
        background_only=lambda wc: expand("results/{study}/train/{injection}_scores.h5",
                                          study=wc.study,
                                          injection=background_only_injections(wc.study)),
    output:
        "results/{study}/fits.json",
    params:
        config=cfg("studies.{study}.fit_range", "studies.{study}.signal_region",
                   "studies.{study}.sidebands", "studies.{study}.bump_hunt",
                   "studies.{study}.sa_cwola.nominal_lambda"),
        script=script("bump_hunt"),
        code=code("bump_hunt"),
    log:
        "results/logs/fit/{study}.log",
    benchmark:
        "results/benchmarks/fit/{study}.tsv"
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --with-signal {input.with_signal} --background-only {input.background_only}"
        " --output {output} > {log} 2>&1"


rule sacwola_summary:
    input:
        with_signal=lambda wc: expand("results/sacwola/train/{injection}.json",
                                      injection=signal_injections("sacwola")),
        background_only=lambda wc: expand("results/sacwola/train/{injection}.json",
                                          injection=background_only_injections("sacwola")),
        fits="results/sacwola/fits.json",
    output:
        "results/sacwola/summary.json",
    params:
        script=script("sacwola_summary"),
        code=code("sacwola_summary"),
    log:
        "results/logs/fit/sacwola_summary.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --with-signal {input.with_signal}"
        " --background-only {input.background_only} --fits {input.fits}"
        " --output {output} > {log} 2>&1"


rule plot_sacwola_features:
    input:
        data=["results/features/data.h5", "results/sacwola/regions/data.h5"],
        sim=["results/features/sim.h5", "results/sacwola/regions/sim.h5"],
        signal=["results/features/sig_xy.h5", "results/sacwola/regions/sig_xy.h5"],
        dctr=f"results/sacwola/dctr/{BACKGROUND_ONLY}.h5",
    output:
        fig("B1", "features_alpha_dctr"),
    params:
        config=cfg("studies.sacwola.alpha"),
        script=script("plot_sacwola_features"),
        code=code("plot_sacwola_features"),
    log:
        "results/logs/plots/B1.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q}"
        " --data {input.data} --sim {input.sim} --signal {input.signal} --dctr {input.dctr}"
        " --output {output} > {log} 2>&1"


rule plot_sacwola_classifiers:
    input:
        scores=lambda wc: f"results/sacwola/train/{signal_injections('sacwola')[0]}_scores.h5",
        summary="results/sacwola/summary.json",
    output:
        b2=fig("B2", "roc_sic"),
        b3=fig("B3", "lambda_scan"),
    params:
        config=cfg("studies.sacwola.sa_cwola.nominal_lambda"),
        script=script("plot_sacwola_classifiers"),
        code=code("plot_sacwola_classifiers"),
    log:
        "results/logs/plots/B2_B3.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q}"
        " --scores {input.scores} --summary {input.summary}"
        " --b2 {output.b2} --b3 {output.b3} > {log} 2>&1"


rule plot_background_fit:
    input:
        "results/sacwola/fits.json",
    output:
        b4=fig("B4", "background_fit"),
        b5=fig("B5", "mjj_after_thresholds"),
    params:
        script=script("plot_background_fit"),
        code=code("plot_background_fit"),
    log:
        "results/logs/plots/B4_B5.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --fits {input} --b4 {output.b4}"
        " --b5 {output.b5} > {log} 2>&1"


rule plot_significance:
    input:
        "results/sacwola/fits.json",
    output:
        b6=fig("B6", "significance_with_signal"),
        b7=fig("B7", "significance_background_only"),
    params:
        script=script("plot_significance"),
        code=code("plot_significance"),
    log:
        "results/logs/plots/B6_B7.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --fits {input} --b6 {output.b6}"
        " --b7 {output.b7} > {log} 2>&1"
