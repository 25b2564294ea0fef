# Setup shared by all rule files. The config subset and code version of every job (rerun
# triggers), input functions and the final targets.
#
# Training rules take `threads: 1` and pin TensorFlow's thread pools to it in their shell
# command (TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS): on these small networks
# TensorFlow keeps about one core busy whatever it is given, so two jobs side by side do
# twice the work of one job holding both cores (README, default-run timing).
import json

import yaml

from radflow import provenance

# The injection without signal (S/B = 0): its DCTR serves A4-A7 and its scan A9.
NO_SIGNAL = "sb0_rep0"
# The background-only run of repetition 0 of a fixed-count injection study (its DCTR: B1).
BACKGROUND_ONLY = "nsig0_rep0"
# Region definitions of a study: what the regions rule reads.
#: The CWoLa-vs-autoencoder studies (one per 3-prong signal).
CWOLA_AE = cfgmod.cwola_ae_studies(config)
REGION_KEYS = ("fit_range", "signal_region", "sidebands", "long_sidebands", "alpha",
               "test_fraction")


def cfg(*keys):
    """Params value: the subset of the merged config under the dotted ``keys`` (wildcards
    in braces are filled per job), as JSON. Jobs get it as --config-json and can read
    nothing else, so exactly a change of these values reruns them."""
    def subset(wildcards):
        return json.dumps(cfgmod.subset(config, [k.format(**wildcards) for k in keys]),
                          sort_keys=True, separators=(",", ":"))
    return subset


def study_cfg(*keys):
    """:func:`cfg` for keys of the {study} wildcard's study, plus the config seed."""
    return cfg("seed", *(f"studies.{{study}}.{k}" for k in keys))


def script(name):
    """Params value: the path of scripts/<name>.py. A function of the job's input, so
    Snakemake counts it as derived and leaves it out of the params rerun trigger: a moved
    checkout reruns nothing (what the script does is tracked by :func:`code`)."""
    path = str(Path(workflow.basedir).parent / "scripts" / f"{name}.py")
    return lambda wildcards, input: path


def code(script):
    """Params value: the version (content hash) of scripts/<script>.py and every radflow
    module it imports, so editing that code reruns the rule's jobs."""
    return provenance.code_version(Path(workflow.basedir).parent / "scripts" / f"{script}.py")


#: The report's figure catalog: per id the paper, its figure number, what it shows and the
#: summary statements its caption carries (docs/report/figures.yaml).
REPORT_CATALOG_PATH = str(Path(workflow.basedir).parent / "docs" / "report" / "figures.yaml")
REPORT_CATALOG = yaml.safe_load(Path(REPORT_CATALOG_PATH).read_text())
#: Captions of the report, written by the report_captions rule from the summaries (an absolute
#: path: Snakemake resolves relative captions against the rule file).
CAPTIONS = Path("results/report/captions").resolve()


def fig(fid, name):
    """Output pair (PDF, PNG) of a figure, named by its catalog id (docs/DESIGN.md); the PNG
    is registered for the report under its paper, captioned by results/report/captions/{fid}.rst.
    (Input lists take ``str`` of each, which drops the report flag.)"""
    entry = REPORT_CATALOG[fid]
    png = report(f"results/figures/{fid}_{name}.png", caption=str(CAPTIONS / f"{fid}.rst"),
                 category=entry["paper"],
                 labels={"figure": fid, "paper figure": entry["paper_figure"]})
    return [f"results/figures/{fid}_{name}.pdf", png]


def feature_inputs(wildcards):
    """Inputs of the features rule: a generated sample's chunks, or the external file."""
    s = SAMPLES[wildcards.sample]
    if s["source"] == "generate":
        return expand("results/events/{sample}/chunk{chunk}.root", sample=wildcards.sample,
                      chunk=cfgmod.generated_chunks(config, wildcards.sample))
    return [s["path"]]


def injections(study):
    """Injection labels of a study: S/B x repetitions ('sb0.01_rep0') or, per repetition,
    the signal count at reference statistics and the background-only run
    ('nsig1500_rep0', 'nsig0_rep0')."""
    inj = STUDIES[study]["injection"]
    reps = range(inj["repetitions"])
    if "sb" in inj:
        return [f"sb{sb:g}_rep{r}" for sb in inj["sb"] for r in reps]
    return signal_injections(study) + background_only_injections(study)


def signal_counts(study):
    """The signal counts of a fixed-count study: ``n_signal``, one number or a list."""
    n = STUDIES[study]["injection"]["n_signal"]
    return n if isinstance(n, list) else [n]


def signal_injections(study):
    """The signal injections of a fixed-count study, per count and repetition ('nsig1500_rep0', ...)."""
    reps = range(STUDIES[study]["injection"]["repetitions"])
    return [f"nsig{n}_rep{r}" for n in signal_counts(study) for r in reps]


def nominal_injections(study):
    """The injections of a fixed-count study's largest signal count, one per repetition."""
    reps = range(STUDIES[study]["injection"]["repetitions"])
    return [f"nsig{max(signal_counts(study))}_rep{r}" for r in reps]


def nominal_injection(study):
    """Repetition 0 of the largest signal count (the single-injection figures)."""
    return nominal_injections(study)[0]


def background_only_injections(study):
    """The background-only runs of a fixed-count study, one per repetition (none if its
    ``injection.background_only`` is false)."""
    inj = STUDIES[study]["injection"]
    return [f"nsig0_rep{r}" for r in range(inj["repetitions"])] if inj["background_only"] else []


def cathode_runs(study, kind):
    """Per-injection outputs of a CATHODE-type study: 'classifiers' metrics or 'flows' records."""
    if study not in STUDIES:
        return []
    return [f"results/{study}/{kind}/{inj}.json" for inj in injections(study)]


def study_inputs(name):
    """Feature and region files of a sample in the {study} wildcard's study."""
    return [f"results/features/{name}.h5", f"results/{{study}}/regions/{name}.h5"]


# CWoLa Hunting vs autoencoder (cwola_ae.smk)


def signal_inputs(wildcards):
    """Feature and region files of the {study} wildcard's signal sample."""
    name = STUDIES[wildcards.study]["signal"]
    return [f"results/features/{name}.h5", f"results/{wildcards.study}/regions/{name}.h5"]


def cwola_hunting_mem_mb(wildcards):
    """Memory (MB) of a nested k-fold job: its per-member event weights and masks, about
    24 bytes per member and event (all benchmarks x k x (k-1) x n_init members over the
    data and signal events; 1e6 events assumed for an external sample), plus 2 GB."""
    st = STUDIES[wildcards.study]
    ch = st["cwola_hunting"]
    members = len(st["injection"]["sb"]) * ch["k"] * (ch["k"] - 1) * ch["n_init"]
    events = sum(SAMPLES[s].get("n_events", 1_000_000) for s in ("data", st["signal"]))
    return int(2000 + members * events * 24 / 1e6)


def cwola_ae_runs(kind, ext):
    """Per-run outputs of every CWoLa-vs-autoencoder study."""
    return [f"results/{study}/{kind}/run{r}.{ext}" for study in CWOLA_AE
            for r in range(STUDIES[study]["injection"]["repetitions"])]

def cwola_ae_first():
    """The reference CWoLa-vs-autoencoder study (first by name, so that the order of the
    config's keys changes nothing): its autoencoder settings, fit range and binning are every
    such study's (checked on load), so the background-only autoencoder and its model
    selection run once for all signals."""
    return min(CWOLA_AE)


def all_signal_args(wildcards, input):
    """--signal NAME FEATURES REGIONS for every CWoLa-vs-autoencoder study's signal."""
    return " ".join(f"--signal {STUDIES[s]['signal']} {f} {r}"
                    for s, f, r in zip(CWOLA_AE, input.signal_features, input.signal_regions))


def ae_inputs():
    first = cwola_ae_first()
    return dict(data=[f"results/features/data.h5", f"results/{first}/regions/data.h5"],
                signal_features=[f"results/features/{STUDIES[s]['signal']}.h5" for s in CWOLA_AE],
                signal_regions=[f"results/{s}/regions/{STUDIES[s]['signal']}.h5" for s in CWOLA_AE])

def cwola_ae_run0(kind, ext):
    """Run 0 outputs of every CWoLa-vs-autoencoder study (the single-run figures)."""
    return [f"results/{study}/{kind}/run0.{ext}" for study in CWOLA_AE]


E_FIGURES = {"e1": fig("E1", "input_features"), "e2": fig("E2", "mjj_binned_sr_sb"),
             "e3": fig("E3", "auc_vs_sb"), "e4": fig("E4", "sic_curves"),
             "e5": fig("E5", "sic_vs_significance"), "e6": fig("E6", "fits_after_cuts"),
             "e7": fig("E7", "significance_vs_sb"), "e8": fig("E8", "mj_plane_cwola"),
             "e9": fig("E9", "mj_plane_autoencoder"), "e10": fig("E10", "selection_efficiency"),
             "e11": fig("E11", "background_fit")}
E_SELECTION = {"e14": fig("E14", "fvu_vs_latent"), "e15": fig("E15", "fvu_decrease"),
               "e16": fig("E16", "max_sic_vs_latent"), "e17": fig("E17", "max_sic_vs_hidden")}


# Mass-hypothesis scan (scan.smk)

#: Studies with a mass scan; the first by name draws figures S1-S3.
SCANS = scan_stats.scan_studies(config)


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
    out = {"data": [f"results/features/data.h5", f"results/{wildcards.study}/regions/data.h5"]}
    if "sa_cwola" in st["scan"]["methods"]:
        out["sim"] = [f"results/features/sim.h5", f"results/{wildcards.study}/regions/sim.h5"]
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
    events = SAMPLES["data"].get("n_events", 1_000_000) * (1 + ("sa_cwola" in sc["methods"]))
    return int(2000 + members * events * 40 / 1e6)


S_FIGURES = {"s1": fig("S1", "scan_local_z"), "s2": fig("S2", "scan_global"),
             "s3": fig("S3", "scan_best_window")}


def report_summaries():
    """The summaries of this run whose statements the report's captions show."""
    wanted = {e["summary"] for e in REPORT_CATALOG.values()}
    return [p for p in get_final_output() if p in wanted]


def get_final_output():
    """Targets of the all rule (every figure, summary and validation output of the configured
    studies (a study's rules need the samples config.STUDY_SAMPLES names; checked on load))."""
    out = []
    if {"data", "sim", "sig_xy"} <= set(SAMPLES):
        out += fig("A1", "mjj") + fig("A2", "features")
    if "salad" in STUDIES:
        out += ["results/validation/data_vs_sim.json", "results/salad/summary.json"]
        out += fig("A3", "supervised") + fig("A4", "dctr_output_sb") + fig("A5", "features_sb_dctr")
        out += fig("A6", "sr_classifier_dctr") + fig("A7", "features_sr_dctr")
        out += fig("A8", "salad_sensitivity_vs_sb") + fig("A9", "salad_background_estimate")
    if "sacwola" in STUDIES:
        out += ["results/sacwola/fits.json", "results/sacwola/summary.json"]
        for fid, name in (("B1", "features_alpha_dctr"), ("B2", "roc_sic"), ("B3", "lambda_scan"),
                          ("B4", "background_fit"), ("B5", "mjj_after_thresholds"),
                          ("B6", "significance_with_signal"),
                          ("B7", "significance_background_only")):
            out += fig(fid, name)
    if "cathode" in STUDIES:
        out += ["results/cathode/summary.json"]
        for fid, name in (("C1", "anode_r_vs_log_pbkg"), ("C2", "anode_r_thresholds"),
                          ("C3", "sic_curves"), ("C4", "metrics_vs_nsig"), ("C5", "mass_shift")):
            out += fig(fid, name)
    if SCANS:
        out += [f"results/{study}/scan/summary.json" for study in SCANS]
        for pair in S_FIGURES.values():
            out += pair
    if CWOLA_AE:
        out += ["results/cwola_ae/summary.json"]
        for pair in (*E_FIGURES.values(), *E_SELECTION.values()):
            out += pair
    return [str(p) for p in out]
