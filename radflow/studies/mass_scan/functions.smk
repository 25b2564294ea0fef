# Study list, targets and input functions of the mass_scan rules (rules.smk includes this file).

#: The mass-scan studies; the first by name draws figures S1-S3.
SCANS = kind_studies("mass_scan")


def mass_scan_targets():
    return [*(f"results/{study}/scan/summary.json" for study in SCANS),
            *figs("S1", "S2", "S3")] if SCANS else []


KIND_TARGETS["mass_scan"] = mass_scan_targets


#: Block name prefix -> the scan key holding the number of experiments of that kind.
SCAN_BLOCK_COUNTS = {"toys": "pseudo_experiments", "reference": "reference_experiments"}


def scan_blocks(study, kind="toys"):
    """Names of the pseudo-experiment ('toys0', ...) or reference-experiment ('reference0',
    ...) blocks of a study's scan, per_job experiments each."""
    sc = STUDIES[study]["scan"]
    return [f"{kind}{c}" for c in range(-(-sc[SCAN_BLOCK_COUNTS[kind]] // sc["per_job"]))]


def scan_block_range(wildcards):
    """Params value: 'first:stop', the experiment indices of the {block} wildcard's block
    (toys<c> or reference<c>; a change of the count reruns only the blocks whose range
    changes)."""
    sc = STUDIES[wildcards.study]["scan"]
    kind = wildcards.block.rstrip("0123456789")
    first = int(wildcards.block.removeprefix(kind)) * sc["per_job"]
    return f"{first}:{min(first + sc['per_job'], sc[SCAN_BLOCK_COUNTS[kind]])}"


def scan_inputs(wildcards):
    """Data, the nominal injection (the single repetition's events), for a reference block
    the extra sample, and for SA-CWoLa the simulation inputs of a scan job."""
    st = STUDIES[wildcards.study]
    out = {"data": study_sample_inputs(wildcards.study, "data"),
           "injection": f"results/{wildcards.study}/inject/{nominal_injection(wildcards.study)}.h5"}
    if wildcards.get("block", "").startswith("reference"):
        out["extra"] = study_sample_inputs(wildcards.study, "extra")
    if "sa_cwola" in st["scan"]["methods"]:
        out["sim"] = study_sample_inputs(wildcards.study, "sim")
    return out


def sim_arg(wildcards, input):
    return f"--sim {input.sim[0]} {input.sim[1]}" if "sim" in input.keys() else ""


def block_args(wildcards, input):
    """Params value: --toys FIRST:STOP, or --extra FILES --reference FIRST:STOP."""
    if wildcards.block.startswith("reference"):
        return f"--extra {input.extra[0]} {input.extra[1]} --reference {scan_block_range(wildcards)}"
    return f"--toys {scan_block_range(wildcards)}"



#: The config a scan job reads (its --config-json): every job's training and fit settings.
SCAN_TRAINING = ("seed", "studies.{study}.features", "studies.{study}.fit_range",
                 "studies.{study}.scan.windows", "studies.{study}.scan.methods",
                 "studies.{study}.scan.lambda", "studies.{study}.scan.efficiencies",
                 "studies.{study}.scan.classifier")
#: The observed job also reads the number of training seeds.
SCAN_OBSERVED = (*SCAN_TRAINING, "studies.{study}.scan.observed_seeds")
