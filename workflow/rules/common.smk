# Setup shared by all rule files. The config subset and code version of every job (rerun
# triggers), input functions and the final targets.
#
# Training rules take `threads: 1` and pin TensorFlow's thread pools to it in their shell
# command (TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS): on these small networks
# TensorFlow keeps about one core busy whatever it is given, so two jobs side by side do
# twice the work of one job holding both cores (docs/engine.md, "Threads per job").
import json

import yaml

from radflow import cost, provenance

# The injection without signal (S/B = 0): its DCTR serves A4-A7 and its lines A9.
NO_SIGNAL = "sb0_rep0"
# The background-only run of repetition 0 of a fixed-count injection study (its DCTR: B1).
BACKGROUND_ONLY = "nsig0_rep0"
# Region definitions of a study: what the regions rule reads.
REGION_KEYS = ("fit_range", "signal_region", "sidebands", "long_sidebands", "alpha")


def cost_resources(rule):
    """A rule's ``resources:`` from the cost model (radflow/cost.py, coefficients fitted to
    the benchmark files by scripts/fit_costs.py): ``runtime`` [min] and ``mem_mb`` [MB] of
    each job with the coefficients' safety margin. A job whose memory exceeds the config's
    cluster.node_mem_mb fails the DAG (dry runs too) before any job runs, naming the rule."""
    def runtime(wildcards, threads):
        return int(cost.request(rule, wildcards, config, threads).runtime_min)

    def mem_mb(wildcards, threads):
        return int(cost.request(rule, wildcards, config, threads).mem_mb)

    return {"runtime": runtime, "mem_mb": mem_mb}


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


#: The report's figure catalog, from the kinds' kind.yaml files: per id the kind, its figure
#: name, the paper, its figure number, what it shows and the summary statements its caption
#: carries.
REPORT_CATALOG = studies.catalog(KINDS)
#: Captions of the report, written by the report_captions rule from the summaries (an absolute
#: path: Snakemake resolves relative captions against the rule file).
CAPTIONS = Path("results/report/captions").resolve()
#: Kind name -> function () -> the paths rule all builds for that kind (set by its rules.smk).
KIND_TARGETS = {}


def fig(fid):
    """Output pair (PDF, PNG) of a figure, named by its catalog id and name (its kind.yaml);
    the PNG is registered for the report under its paper, captioned by
    results/report/captions/{fid}.rst. (Input lists take ``str`` of each, which drops the
    report flag.)"""
    entry = REPORT_CATALOG[fid]
    stem = f"results/figures/{fid}_{entry['name']}"
    png = report(f"{stem}.png", caption=str(CAPTIONS / f"{fid}.rst"), category=entry["paper"],
                 labels={"figure": fid, "paper figure": entry["paper_figure"]})
    return [f"{stem}.pdf", png]


def figs(*fids):
    """:func:`fig` of each id, flattened (a kind's targets)."""
    return [p for fid in fids for p in fig(fid)]


def kind_studies(kind):
    """The config's studies of ``kind``, sorted by name."""
    return studies.studies_of_kind(config, kind)


def study_constraint(kind):
    """Wildcard constraint of {study} for the rules of ``kind`` (matches nothing without
    such a study)."""
    return "|".join(kind_studies(kind)) or "(?!)"


def sample_of(study, role):
    """The sample a study maps ``role`` to (its ``samples``)."""
    return STUDIES[study]["samples"][role]


def role_inputs(role):
    """Input function: the feature and region files of the {study} wildcard's ``role``
    sample."""
    def files(wildcards):
        name = sample_of(wildcards.study, role)
        return [f"results/features/{name}.h5", f"results/{wildcards.study}/regions/{name}.h5"]
    return files


def study_sample_inputs(study, role):
    """Feature and region files of a named study's ``role`` sample."""
    name = sample_of(study, role)
    return [f"results/features/{name}.h5", f"results/{study}/regions/{name}.h5"]


def repetition_inputs(wildcards):
    """Inputs of a study's repetition (inject rules): {role: regions file} of every sample
    of the {study} wildcard's study."""
    return {role: f"results/{wildcards.study}/regions/{name}.h5"
            for role, name in STUDIES[wildcards.study]["samples"].items()}


def regions_args(wildcards, input):
    """--regions ROLE SAMPLE FILE of every sample of the {study} wildcard's study."""
    return " ".join(f"--regions {role} {sample_of(wildcards.study, role)} {input[role]}"
                    for role in STUDIES[wildcards.study]["samples"])


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


def report_summaries():
    """The summaries of this run whose statements the report's captions show."""
    wanted = {e["summary"] for e in REPORT_CATALOG.values()}
    return [p for p in get_final_output() if p in wanted]


def get_final_output():
    """Targets of the all rule: every figure and summary of the configured studies, kind by
    kind (each kind's rules.smk registers its targets in KIND_TARGETS)."""
    return [str(p) for kind in sorted(KIND_TARGETS) for p in KIND_TARGETS[kind]()]
