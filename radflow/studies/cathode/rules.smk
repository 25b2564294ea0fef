# ANODE and CATHODE (figures C1-C5): per injection, two conditional flows (SR data, sideband
# data) trained as one vectorized model, ANODE's likelihood ratio and CATHODE's SR template;
# then CATHODE, idealized AD, CWoLa and supervised classifiers on the same test set; the
# summary over injections and repetitions. The nominal study (alpha = 0, one per config: checked
# on load) draws C1-C4; the studies with alpha > 0 (m_j -> m_j + alpha mjj) give C5.

include: "functions.smk"


rule cathode_flows:
    input:
        data=role_inputs("data"),
        signal=role_inputs("signal"),
        injection="results/{study}/inject/{injection}.h5",
    output:
        densities="results/{study}/flows/{injection}_test.h5",
        template="results/{study}/flows/{injection}_template.h5",
        record="results/{study}/flows/{injection}.json",
    wildcard_constraints:
        study=study_constraint("cathode"),
    params:
        config=study_cfg("features", "signal_region", "flow", "cathode"),
        script=script("cathode_flows"),
        code=code("cathode_flows"),
    log:
        "results/logs/cathode_flows/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/cathode_flows/{study}_{injection}.tsv"
    resources:
        **cost_resources("cathode_flows"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --signal {input.signal}"
        " --injection {input.injection} --test-densities {output.densities}"
        " --template {output.template} --record {output.record} > {log} 2>&1"


rule cathode_train:
    input:
        data=role_inputs("data"),
        signal=role_inputs("signal"),
        extra=role_inputs("extra"),
        injection="results/{study}/inject/{injection}.h5",
        densities="results/{study}/flows/{injection}_test.h5",
        template="results/{study}/flows/{injection}_template.h5",
    output:
        metrics="results/{study}/classifiers/{injection}.json",
        scores="results/{study}/classifiers/{injection}_scores.h5",
    wildcard_constraints:
        study=study_constraint("cathode"),
    params:
        config=cfg("seed", "studies.{study}.features", "studies.{study}.classifier", "training"),
        script=script("cathode_train"),
        code=code("cathode_train"),
    log:
        "results/logs/cathode_train/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/cathode_train/{study}_{injection}.tsv"
    resources:
        **cost_resources("cathode_train"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --signal {input.signal}"
        " --extra {input.extra} --injection {input.injection}"
        " --test-densities {input.densities} --template {input.template}"
        " --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"


rule cathode_summary:
    input:
        classifiers=lambda wc: cathode_runs([CATHODE], "classifiers"),
        flows=lambda wc: cathode_runs([CATHODE, *CATHODE_SHIFTED], "flows"),
        shift=lambda wc: cathode_runs(CATHODE_SHIFTED, "classifiers"),
    output:
        f"results/{CATHODE}/summary.json",
    params:
        script=script("cathode_summary"),
        code=code("cathode_summary"),
    log:
        "results/logs/cathode_summary/summary.log",
    benchmark:
        "results/benchmarks/cathode_summary/summary.tsv"
    resources:
        **cost_resources("cathode_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --classifiers {input.classifiers} --flows {input.flows}"
        " --shift-classifiers {input.shift} --output {output} > {log} 2>&1"


rule plot_anode:
    input:
        lambda wc: f"results/{CATHODE}/classifiers/{nominal_injection(CATHODE)}_scores.h5",
    output:
        c1=fig("C1"),
        c2=fig("C2"),
    params:
        config=cfg(f"studies.{CATHODE}.signal_region"),
        script=script("plot_anode"),
        code=code("plot_anode"),
    log:
        "results/logs/plot_anode/C1_C2.log",
    benchmark:
        "results/benchmarks/plot_anode/C1_C2.tsv"
    resources:
        **cost_resources("plot_anode"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --scores {input}"
        " --c1 {output.c1} --c2 {output.c2} > {log} 2>&1"


rule plot_cathode:
    input:
        summary=f"results/{CATHODE}/summary.json",
        nominal=lambda wc: expand("results/{study}/classifiers/{injection}_scores.h5",
                                  study=CATHODE, injection=nominal_injections(CATHODE)),
    output:
        c3=fig("C3"),
        c4=fig("C4"),
        c5=fig("C5"),
    params:
        script=script("plot_cathode"),
        code=code("plot_cathode"),
    log:
        "results/logs/plot_cathode/C3_C5.log",
    benchmark:
        "results/benchmarks/plot_cathode/C3_C5.tsv"
    resources:
        **cost_resources("plot_cathode"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --summary {input.summary} --nominal-scores {input.nominal}"
        " --c3 {output.c3} --c4 {output.c4} --c5 {output.c5} > {log} 2>&1"
