# Study list, targets and input functions of the mass_scan rules (rules.smk includes this file).

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
    """Data, the nominal injection (the single repetition's events) and, for SA-CWoLa,
    simulation inputs of a scan job."""
    st = STUDIES[wildcards.study]
    out = {"data": study_sample_inputs(wildcards.study, "data"),
           "injection": f"results/{wildcards.study}/inject/{nominal_injection(wildcards.study)}.h5"}
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
