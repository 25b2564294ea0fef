# SA-CWoLa paper, figures B1-B7: CWoLa, SA-CWoLa at every lambda, optimal CWoLa, data vs
# sim, SALAD and the supervised classifier per injection; the bump hunt (threshold scan,
# dijet-function sideband fits, significances); the study summary. The first SA-CWoLa study
# by name draws the figures.

include: "functions.smk"


rule sacwola_train:
    input:
        data=role_inputs("data"),
        sim=role_inputs("sim"),
        signal=role_inputs("signal"),
        extra=role_inputs("extra"),
        injection="results/{study}/inject/{injection}.h5",
        dctr="results/{study}/dctr/{injection}.h5",
    output:
        metrics="results/{study}/train/{injection}.json",
        scores="results/{study}/train/{injection}_scores.h5",
    wildcard_constraints:
        study=study_constraint("sacwola"),
    params:
        config=cfg("seed", "studies.{study}.features", "studies.{study}.sa_cwola.lambdas",
                   "studies.{study}.sa_cwola.forms", "training"),
        script=script("sacwola_train"),
        code=code("sacwola_train"),
    log:
        "results/logs/sacwola_train/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/sacwola_train/{study}_{injection}.tsv"
    resources:
        **cost_resources("sacwola_train"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q}"
        " --study {wildcards.study} --injection-name {wildcards.injection} --data {input.data}"
        " --sim {input.sim} --signal {input.signal} --extra {input.extra}"
        " --injection {input.injection}"
        " --dctr {input.dctr} --arch sacwola --metrics {output.metrics}"
        " --scores {output.scores} > {log} 2>&1"


rule sacwola_bump_hunt:
    input:
        with_signal=lambda wc: expand("results/{study}/train/{injection}_scores.h5",
                                      study=wc.study, injection=signal_injections(wc.study)),
        background_only=lambda wc: expand("results/{study}/train/{injection}_scores.h5",
                                          study=wc.study,
                                          injection=background_only_injections(wc.study)),
    output:
        "results/{study}/fits.json",
    wildcard_constraints:
        study=study_constraint("sacwola"),
    params:
        config=cfg("studies.{study}.fit_range", "studies.{study}.signal_region",
                   "studies.{study}.sidebands", "studies.{study}.bump_hunt",
                   "studies.{study}.sa_cwola.nominal_lambda"),
        script=script("sacwola_bump_hunt"),
        code=code("sacwola_bump_hunt"),
    log:
        "results/logs/sacwola_bump_hunt/{study}.log",
    benchmark:
        "results/benchmarks/sacwola_bump_hunt/{study}.tsv"
    resources:
        **cost_resources("sacwola_bump_hunt"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --with-signal {input.with_signal} --background-only {input.background_only}"
        " --output {output} > {log} 2>&1"


rule sacwola_summary:
    input:
        with_signal=lambda wc: expand("results/{study}/train/{injection}.json", study=wc.study,
                                      injection=signal_injections(wc.study)),
        background_only=lambda wc: expand("results/{study}/train/{injection}.json",
                                          study=wc.study,
                                          injection=background_only_injections(wc.study)),
        fits="results/{study}/fits.json",
    output:
        "results/{study}/summary.json",
    wildcard_constraints:
        study=study_constraint("sacwola"),
    params:
        script=script("sacwola_summary"),
        code=code("sacwola_summary"),
    log:
        "results/logs/sacwola_summary/{study}.log",
    benchmark:
        "results/benchmarks/sacwola_summary/{study}.tsv"
    resources:
        **cost_resources("sacwola_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --with-signal {input.with_signal}"
        " --background-only {input.background_only} --fits {input.fits}"
        " --output {output} > {log} 2>&1"


rule plot_sacwola_features:
    input:
        data=lambda wc: study_sample_inputs(SACWOLA, "data"),
        sim=lambda wc: study_sample_inputs(SACWOLA, "sim"),
        signal=lambda wc: study_sample_inputs(SACWOLA, "signal"),
        dctr=f"results/{SACWOLA}/dctr/{BACKGROUND_ONLY}.h5",
        injection=f"results/{SACWOLA}/inject/{BACKGROUND_ONLY}.h5",
    output:
        fig("B1"),
    params:
        config=cfg(f"studies.{SACWOLA}.alpha"),
        script=script("plot_sacwola_features"),
        code=code("plot_sacwola_features"),
    log:
        "results/logs/plot_sacwola_features/B1.log",
    benchmark:
        "results/benchmarks/plot_sacwola_features/B1.tsv"
    resources:
        **cost_resources("plot_sacwola_features"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q}"
        " --data {input.data} --sim {input.sim} --signal {input.signal} --dctr {input.dctr}"
        " --injection {input.injection} --output {output} > {log} 2>&1"


rule plot_sacwola_classifiers:
    input:
        scores=lambda wc: f"results/{SACWOLA}/train/{signal_injections(SACWOLA)[0]}_scores.h5",
        summary=f"results/{SACWOLA}/summary.json",
    output:
        b2=fig("B2"),
        b3=fig("B3"),
    params:
        config=cfg(f"studies.{SACWOLA}.sa_cwola.nominal_lambda"),
        script=script("plot_sacwola_classifiers"),
        code=code("plot_sacwola_classifiers"),
    log:
        "results/logs/plot_sacwola_classifiers/B2_B3.log",
    benchmark:
        "results/benchmarks/plot_sacwola_classifiers/B2_B3.tsv"
    resources:
        **cost_resources("plot_sacwola_classifiers"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q}"
        " --scores {input.scores} --summary {input.summary}"
        " --b2 {output.b2} --b3 {output.b3} > {log} 2>&1"


rule plot_background_fit:
    input:
        f"results/{SACWOLA}/fits.json",
    output:
        b4=fig("B4"),
        b5=fig("B5"),
    params:
        script=script("plot_background_fit"),
        code=code("plot_background_fit"),
    log:
        "results/logs/plot_background_fit/B4_B5.log",
    benchmark:
        "results/benchmarks/plot_background_fit/B4_B5.tsv"
    resources:
        **cost_resources("plot_background_fit"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --fits {input} --b4 {output.b4}"
        " --b5 {output.b5} > {log} 2>&1"


rule plot_significance:
    input:
        f"results/{SACWOLA}/fits.json",
    output:
        b6=fig("B6"),
        b7=fig("B7"),
    params:
        script=script("plot_significance"),
        code=code("plot_significance"),
    log:
        "results/logs/plot_significance/B6_B7.log",
    benchmark:
        "results/benchmarks/plot_significance/B6_B7.tsv"
    resources:
        **cost_resources("plot_significance"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --fits {input} --b6 {output.b6}"
        " --b7 {output.b7} > {log} 2>&1"
