# Mass-hypothesis scan (radflow's own, figures S1-S3): per window CWoLa / SA-CWoLa by k-fold,
# local Z per window and efficiency; the observed data (several training seeds), blocks of
# background-only bootstrap pseudo-experiments and of reference experiments of the extra
# sample; the global significance, its calibration and its Gross-Vitells cross-check.

include: "functions.smk"


rule mass_scan_observed:
    input:
        unpack(scan_inputs),
        signal=role_inputs("signal"),
    output:
        "results/{study}/scan/observed.json",
    wildcard_constraints:
        study=study_constraint("mass_scan"),
    params:
        config=cfg(*SCAN_OBSERVED),
        sim=sim_arg,
        script=script("mass_scan"),
        code=code("mass_scan"),
    log:
        "results/logs/mass_scan_observed/{study}_observed.log",
    benchmark:
        "results/benchmarks/mass_scan_observed/{study}_observed.tsv"
    resources:
        **cost_resources("mass_scan_observed"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --signal {input.signal} {params.sim} --injection {input.injection}"
        " --observed --output {output} > {log} 2>&1"


rule mass_scan_toys:
    input:
        unpack(scan_inputs),
    output:
        "results/{study}/scan/{block}.json",
    wildcard_constraints:
        study=study_constraint("mass_scan"),
        block=r"(toys|reference)[0-9]+",
    params:
        config=cfg(*SCAN_TRAINING),
        block=block_args,
        sim=sim_arg,
        script=script("mass_scan"),
        code=code("mass_scan"),
    log:
        "results/logs/mass_scan_toys/{study}_{block}.log",
    benchmark:
        "results/benchmarks/mass_scan_toys/{study}_{block}.tsv"
    resources:
        **cost_resources("mass_scan_toys"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} {params.sim} --injection {input.injection} {params.block}"
        " --output {output} > {log} 2>&1"


rule mass_scan_summary:
    input:
        observed="results/{study}/scan/observed.json",
        toys=lambda wc: expand("results/{study}/scan/{block}.json", study=wc.study,
                               block=scan_blocks(wc.study)),
        reference=lambda wc: expand("results/{study}/scan/{block}.json", study=wc.study,
                                    block=scan_blocks(wc.study, "reference")),
    output:
        "results/{study}/scan/summary.json",
    wildcard_constraints:
        study=study_constraint("mass_scan"),
    params:
        n_pseudo=lambda wc: STUDIES[wc.study]["scan"]["pseudo_experiments"],
        n_reference=lambda wc: STUDIES[wc.study]["scan"]["reference_experiments"],
        reference=lambda wc, input: (f"--reference {' '.join(input.reference)}"
                                     if input.reference else ""),
        gv_level=lambda wc: STUDIES[wc.study]["scan"]["gross_vitells_level"],
        script=script("mass_scan_summary"),
        code=code("mass_scan_summary"),
    log:
        "results/logs/mass_scan_summary/{study}.log",
    benchmark:
        "results/benchmarks/mass_scan_summary/{study}.tsv"
    resources:
        **cost_resources("mass_scan_summary"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --observed {input.observed} --toys {input.toys}"
        " --n-pseudo {params.n_pseudo} --n-reference {params.n_reference} {params.reference}"
        " --gv-level {params.gv_level} --output {output} > {log} 2>&1"


rule plot_mass_scan:
    input:
        observed=lambda wc: f"results/{min(SCANS)}/scan/observed.json",
        summary=lambda wc: f"results/{min(SCANS)}/scan/summary.json",
    output:
        s1=fig("S1"),
        s2=fig("S2"),
        s3=fig("S3"),
    params:
        script=script("plot_mass_scan"),
        code=code("plot_mass_scan"),
    log:
        "results/logs/plot_mass_scan/S1_S3.log",
    benchmark:
        "results/benchmarks/plot_mass_scan/S1_S3.tsv"
    resources:
        **cost_resources("plot_mass_scan"),
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --observed {input.observed} --summary {input.summary}"
        " --s1 {output.s1} --s2 {output.s2} --s3 {output.s3} > {log} 2>&1"
