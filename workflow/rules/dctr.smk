# SALAD (SALAD paper): signal injection, DCTR reweighting in the sidebands interpolated into
# the SR, the three lines of Fig. 8 per injection, and the study summary.

rule inject:
    input:
        data="results/{study}/regions/data.h5",
        signal="results/{study}/regions/sig_xy.h5",
    output:
        "results/{study}/inject/{injection}.h5",
    params:
        script=script_path("inject"),
        config=CONFIG_FILE,
    log:
        "results/logs/inject/{study}_{injection}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/generate.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --injection {wildcards.injection} --data-regions {input.data}"
        " --signal-regions {input.signal} --output {output} > {log} 2>&1"


rule dctr:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        signal=study_inputs("sig_xy"),
        injection="results/{study}/inject/{injection}.h5",
    output:
        "results/{study}/dctr/{injection}.h5",
    params:
        script=script_path("dctr"),
        config=CONFIG_FILE,
        sideband=lambda wc: "long_sb" if STUDIES[wc.study].get("long_sidebands") else "sb",
    log:
        "results/logs/dctr/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/dctr/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --signal {input.signal}"
        " --injection {input.injection} --sideband {params.sideband}"
        " --output {output} > {log} 2>&1"


rule sr_closure:
    input:
        data=study_inputs("data"),
        sim=study_inputs("sim"),
        dctr=f"results/{{study}}/dctr/{NO_SIGNAL}.h5",
    output:
        scores="results/{study}/dctr/sr_closure_scores.h5",
        summary="results/{study}/dctr/sr_closure.json",
    params:
        script=script_path("sr_closure"),
        config=CONFIG_FILE,
    log:
        "results/logs/dctr/{study}_sr_closure.log",
    benchmark:
        "results/benchmarks/dctr/{study}_sr_closure.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --dctr {input.dctr}"
        " --scores {output.scores} --summary {output.summary} > {log} 2>&1"


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
        script=script_path("salad_scan"),
        config=CONFIG_FILE,
    log:
        "results/logs/scan/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/scan/{study}_{injection}.tsv"
    resources:
        mem_mb=4000,
        runtime=120,
    threads: 2
    conda:
        "../../envs/ml.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --injection-name {wildcards.injection} --data {input.data} --sim {input.sim}"
        " --signal {input.signal} --injection {input.injection} --dctr {input.dctr}"
        " --metrics {output.metrics} --scores {output.scores} > {log} 2>&1"


rule salad_summary:
    wildcard_constraints:
        study="salad",
    input:
        metrics=lambda wc: expand("results/{study}/scan/{injection}.json", study=wc.study,
                                  injection=injections(wc.study)),
        background_only=f"results/{{study}}/scan/{NO_SIGNAL}_scores.h5",
        closure="results/{study}/dctr/sr_closure.json",
    output:
        a8=fig("A8", "{study}_sensitivity_vs_sb"),
        a9=fig("A9", "{study}_background_estimate"),
        summary="results/{study}/summary.json",
    params:
        script=script_path("salad_summary"),
    log:
        "results/logs/plots/{study}_A8_A9.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    shell:
        "python {params.script} --metrics {input.metrics} --background-only-scores"
        " {input.background_only} --closure {input.closure} --a8 {output.a8} --a9 {output.a9}"
        " --summary {output.summary} > {log} 2>&1"
