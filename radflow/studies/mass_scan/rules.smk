# Mass-hypothesis scan (radflow's own, figures S1-S3): per window CWoLa / SA-CWoLa by k-fold,
# local Z per window and efficiency; the observed data and blocks of background-only
# bootstrap pseudo-experiments; the global significance and its Gross-Vitells cross-check.

#: The mass-scan studies; the first by name draws figures S1-S3.
SCANS = kind_studies("mass_scan")


def mass_scan_targets():
    return [*(f"results/{study}/scan/summary.json" for study in SCANS),
            *figs("S1", "S2", "S3")] if SCANS else []


KIND_TARGETS["mass_scan"] = mass_scan_targets


def scan_blocks(study):
    """Names of the pseudo-experiment blocks of a study's scan ('toys0', ...)."""
    sc = STUDIES[study]["scan"]
    return [f"toys{c}" for c in range(-(-sc["pseudo_experiments"] // sc["per_job"]))]


def scan_toy_range(wildcards):
    """Params value: 'first:stop', the pseudo-experiment indices of the {block} wildcard's
    block (a change of the count reruns only the blocks whose range changes)."""
    sc = STUDIES[wildcards.study]["scan"]
    first = int(wildcards.block.removeprefix("toys")) * sc["per_job"]
    return f"{first}:{min(first + sc['per_job'], sc['pseudo_experiments'])}"


def scan_inputs(wildcards):
    """Data and, for SA-CWoLa, simulation inputs of a scan job."""
    st = STUDIES[wildcards.study]
    out = {"data": study_sample_inputs(wildcards.study, "data")}
    if "sa_cwola" in st["scan"]["methods"]:
        out["sim"] = study_sample_inputs(wildcards.study, "sim")
    return out


def sim_arg(wildcards, input):
    return f"--sim {input.sim[0]} {input.sim[1]}" if "sim" in input.keys() else ""


def scan_mem_mb(wildcards):
    """Memory (MB) of a scan job: per member (scan x method x fold) and event of the largest
    window, ~40 bytes of weights, masks and gathers, plus 2 GB."""
    st = STUDIES[wildcards.study]
    sc = st["scan"]
    scans = 1 if wildcards.get("block") is None else sc["per_job"]
    members = scans * len(sc["methods"]) * sc["classifier"]["k"]
    events = (SAMPLES[st["samples"]["data"]].get("n_events", 1_000_000)
              * (1 + ("sa_cwola" in sc["methods"])))
    return int(2000 + members * events * 40 / 1e6)



SCAN_TRAINING = ("seed", "studies.{study}.features", "studies.{study}.fit_range",
                 "studies.{study}.scan.windows", "studies.{study}.scan.methods",
                 "studies.{study}.scan.lambda", "studies.{study}.scan.efficiencies",
                 "studies.{study}.scan.classifier")


rule mass_scan_observed:
    input:
        unpack(scan_inputs),
        signal=role_inputs("signal"),
        injection=lambda wc: f"results/{wc.study}/inject/{nominal_injection(wc.study)}.h5",
    output:
        "results/{study}/scan/observed.json",
    wildcard_constraints:
        study=study_constraint("mass_scan"),
    params:
        config=cfg(*SCAN_TRAINING),
        sim=sim_arg,
        script=script("scan"),
        code=code("scan"),
    log:
        "results/logs/mass_scan_observed/{study}_observed.log",
    benchmark:
        "results/benchmarks/mass_scan_observed/{study}_observed.tsv"
    resources:
        mem_mb=scan_mem_mb,
        runtime=60,
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
        block=r"toys[0-9]+",
    params:
        config=cfg(*SCAN_TRAINING),
        toys=scan_toy_range,
        sim=sim_arg,
        script=script("scan"),
        code=code("scan"),
    log:
        "results/logs/mass_scan_toys/{study}_{block}.log",
    benchmark:
        "results/benchmarks/mass_scan_toys/{study}_{block}.tsv"
    resources:
        mem_mb=scan_mem_mb,
        runtime=120,
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} {params.sim} --toys {params.toys}"
        " --output {output} > {log} 2>&1"


rule mass_scan_summary:
    input:
        observed="results/{study}/scan/observed.json",
        toys=lambda wc: expand("results/{study}/scan/{block}.json", study=wc.study,
                               block=scan_blocks(wc.study)),
    output:
        "results/{study}/scan/summary.json",
    wildcard_constraints:
        study=study_constraint("mass_scan"),
    params:
        n_pseudo=lambda wc: STUDIES[wc.study]["scan"]["pseudo_experiments"],
        gv_level=lambda wc: STUDIES[wc.study]["scan"]["gross_vitells_level"],
        script=script("scan_summary"),
        code=code("scan_summary"),
    log:
        "results/logs/mass_scan_summary/{study}.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --observed {input.observed} --toys {input.toys}"
        " --n-pseudo {params.n_pseudo} --gv-level {params.gv_level} --output {output} > {log} 2>&1"


rule plot_mass_scan:
    input:
        observed=lambda wc: f"results/{min(SCANS)}/scan/observed.json",
        summary=lambda wc: f"results/{min(SCANS)}/scan/summary.json",
    output:
        s1=fig("S1"),
        s2=fig("S2"),
        s3=fig("S3"),
    params:
        script=script("plot_scan"),
        code=code("plot_scan"),
    log:
        "results/logs/plot_mass_scan/S1_S3.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --observed {input.observed} --summary {input.summary}"
        " --s1 {output.s1} --s2 {output.s2} --s3 {output.s3} > {log} 2>&1"
