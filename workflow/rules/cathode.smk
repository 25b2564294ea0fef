# ANODE and CATHODE (figures C1-C5): per injection, two conditional flows (SR data, sideband
# data) trained as one vectorized model, ANODE's likelihood ratio and CATHODE's SR template;
# then CATHODE, idealized AD, CWoLa and supervised classifiers on the same test set; the
# summary over injections and repetitions (with the alpha-shifted study, cathode_shift).


rule cathode_flows:
    input:
        data=study_inputs("data"),
        signal=study_inputs("sig_xy"),
        injection="results/{study}/inject/{injection}.h5",
    output:
        densities="results/{study}/flows/{injection}_test.h5",
        template="results/{study}/flows/{injection}_template.h5",
        record="results/{study}/flows/{injection}.json",
    params:
        config=study_cfg("features", "signal_region", "flow", "cathode"),
        script=script("cathode_flows"),
        code=code("cathode_flows"),
    log:
        "results/logs/flows/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/flows/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=240,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --signal {input.signal}"
        " --injection {input.injection} --test-densities {output.densities}"
        " --template {output.template} --record {output.record} > {log} 2>&1"


rule cathode_train:
    input:
        data=study_inputs("data"),
        signal=study_inputs("sig_xy"),
        extra=study_inputs("data_extra"),
        injection="results/{study}/inject/{injection}.h5",
        densities="results/{study}/flows/{injection}_test.h5",
        template="results/{study}/flows/{injection}_template.h5",
    output:
        metrics="results/{study}/classifiers/{injection}.json",
        scores="results/{study}/classifiers/{injection}_scores.h5",
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        script=script("cathode_train"),
        code=code("cathode_train"),
    log:
        "results/logs/classifiers/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/classifiers/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=120,
    threads: 1
    conda:
        "../../envs/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --signal {input.signal}"
        " --extra {input.extra} --injection {input.injection}"
        " --test-densities {input.densities} --template {input.template}"
        " --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"


rule cathode_summary:
    input:
        classifiers=cathode_runs("cathode", "classifiers"),
        flows=cathode_runs("cathode", "flows") + cathode_runs("cathode_shift", "flows"),
        shift=cathode_runs("cathode_shift", "classifiers"),
    output:
        "results/cathode/summary.json",
    params:
        script=script("cathode_summary"),
        code=code("cathode_summary"),
    log:
        "results/logs/fit/cathode_summary.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --classifiers {input.classifiers} --flows {input.flows}"
        " --shift-classifiers {input.shift} --output {output} > {log} 2>&1"


rule plot_anode:
    input:
        lambda wc: f"results/cathode/classifiers/{nominal_injection('cathode')}_scores.h5",
    output:
        c1=fig("C1", "anode_r_vs_log_pbkg"),
        c2=fig("C2", "anode_r_thresholds"),
    params:
        config=cfg("studies.cathode.signal_region"),
        script=script("plot_anode"),
        code=code("plot_anode"),
    log:
        "results/logs/plots/C1_C2.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --scores {input}"
        " --c1 {output.c1} --c2 {output.c2} > {log} 2>&1"


rule plot_cathode:
    input:
        summary="results/cathode/summary.json",
        nominal=lambda wc: expand("results/cathode/classifiers/{injection}_scores.h5",
                                  injection=nominal_injections("cathode")),
    output:
        c3=fig("C3", "sic_curves"),
        c4=fig("C4", "metrics_vs_nsig"),
        c5=fig("C5", "mass_shift"),
    params:
        script=script("plot_cathode"),
        code=code("plot_cathode"),
    log:
        "results/logs/plots/C3_C5.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --summary {input.summary} --nominal-scores {input.nominal}"
        " --c3 {output.c3} --c4 {output.c4} --c5 {output.c5} > {log} 2>&1"
