# The complementarity study (figures D2-D14, arXiv:2307.11157): per injection and method the
# synthetic SR background of every generator seed (SALAD, CATHODE, CURTAINs, FETA behind the
# one template interface, radflow/templates/); per injection and classifier variant the common
# classifier of every method, of the combined samples and of the true background on one fixed
# test set; at n_sig = 0 the which-method classifier; the summary over injections and
# repetitions; the figures. One complementarity study per config (checks.py).

include: "functions.smk"


rule complementarity_synthetic:
    input:
        unpack(comp_synthetic_inputs),
        injection="results/{study}/inject/{injection}.h5",
    output:
        samples="results/{study}/synthetic/{injection}_{method}.h5",
        record="results/{study}/synthetic/{injection}_{method}.json",
    wildcard_constraints:
        study=study_constraint("complementarity"),
        method="salad|cathode|curtains|feta",
    params:
        config=comp_method_cfg,
        sim=comp_sim_args,
        script=script("complementarity_synthetic"),
        code=code("complementarity_synthetic"),
    log:
        "results/logs/complementarity_synthetic/{study}_{injection}_{method}.log",
    benchmark:
        "results/benchmarks/complementarity_synthetic/{study}_{injection}_{method}.tsv"
    resources:
        **cost_resources("complementarity_synthetic"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --method {wildcards.method}"
        " --data {input.data} --signal {input.signal} {params.sim}"
        " --injection {input.injection} --output {output.samples} --record {output.record}"
        " > {log} 2>&1"


rule complementarity_classify:
    input:
        data=role_inputs("data"),
        signal=role_inputs("signal"),
        extra=role_inputs("extra"),
        injection="results/{study}/inject/{injection}.h5",
        synthetic=lambda wc: comp_synthetic(wc.study, [wc.injection]),
    output:
        "results/{study}/scores/{injection}_{variant}_part{part}.h5",
    wildcard_constraints:
        study=study_constraint("complementarity"),
        variant="(nn|hgb)(_noise)?",
        part=r"[0-9]+",
    params:
        config=comp_classify_cfg,
        runs=comp_runs_arg,
        script=script("complementarity_classify"),
        code=code("complementarity_classify"),
    log:
        "results/logs/complementarity_classify/{study}_{injection}_{variant}_part{part}.log",
    benchmark:
        "results/benchmarks/complementarity_classify/{study}_{injection}_{variant}_part{part}.tsv"
    resources:
        **cost_resources("complementarity_classify"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --variant {wildcards.variant}"
        " --data {input.data} --signal {input.signal} --extra {input.extra}"
        " --injection {input.injection} --synthetic {input.synthetic} {params.runs}"
        " --output {output} > {log} 2>&1"


rule complementarity_multiclass:
    input:
        data=role_inputs("data"),
        injection="results/{study}/inject/{injection}.h5",
        synthetic=lambda wc: comp_synthetic(wc.study, [wc.injection]),
    output:
        "results/{study}/multiclass/{injection}.json",
    wildcard_constraints:
        study=study_constraint("complementarity"),
        injection="nsig0_rep[0-9]+",
    params:
        config=study_cfg("features", "classifier.learning_rate", "multiclass"),
        script=script("complementarity_multiclass"),
        code=code("complementarity_multiclass"),
    log:
        "results/logs/complementarity_multiclass/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/complementarity_multiclass/{study}_{injection}.tsv"
    resources:
        **cost_resources("complementarity_multiclass"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data}"
        " --injection {input.injection} --synthetic {input.synthetic}"
        " --output {output} > {log} 2>&1"


rule complementarity_summary:
    input:
        scores=lambda wc: comp_scores(wc.study),
        synthetic=lambda wc: comp_synthetic(wc.study, background_only_injections(wc.study)),
        multiclass=lambda wc: comp_multiclass(wc.study),
        records=lambda wc: [p.replace(".h5", ".json")
                            for p in comp_synthetic(wc.study, injections(wc.study))],
    output:
        "results/{study}/summary.json",
    wildcard_constraints:
        study=study_constraint("complementarity"),
    params:
        config=study_cfg("features"),
        script=script("complementarity_summary"),
        code=code("complementarity_summary"),
    log:
        "results/logs/complementarity_summary/{study}.log",
    benchmark:
        "results/benchmarks/complementarity_summary/{study}.tsv"
    resources:
        **cost_resources("complementarity_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --scores {input.scores} --synthetic {input.synthetic}"
        " --multiclass {input.multiclass} --records {input.records} --output {output}"
        " > {log} 2>&1"


rule plot_complementarity:
    input:
        summary=lambda wc: f"results/{COMPLEMENTARITY[0]}/summary.json",
        scores=lambda wc: comp_scores(COMPLEMENTARITY[0]),
        synthetic=lambda wc: comp_synthetic(COMPLEMENTARITY[0],
                                            background_only_injections(COMPLEMENTARITY[0])),
        multiclass=lambda wc: comp_multiclass(COMPLEMENTARITY[0]),
    output:
        **{fid.lower(): fig(fid) for fid in COMPLEMENTARITY_FIGURES},
    log:
        "results/logs/plot_complementarity/D2_D14.log",
    benchmark:
        "results/benchmarks/plot_complementarity/D2_D14.tsv"
    params:
        script=script("plot_complementarity"),
        code=code("plot_complementarity"),
        outputs=lambda wc, output: " ".join(
            f"--{fid.lower()} {' '.join(output[fid.lower()])}" for fid in COMPLEMENTARITY_FIGURES),
    resources:
        **cost_resources("plot_complementarity"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --summary {input.summary} --scores {input.scores}"
        " --synthetic {input.synthetic} --multiclass {input.multiclass} {params.outputs}"
        " > {log} 2>&1"
