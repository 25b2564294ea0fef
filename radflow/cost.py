"""The cost model of the workflow's jobs: a job's runtime [min], peak memory [MB] and threads
predicted from its rule, its wildcards and the config, with coefficients fitted to the rules'
own benchmark files (scripts/fit_costs.py writes them to radflow/cost_coefficients.yaml).

Each rule has a :func:`size`: two numbers the config and wildcards give, ``work`` (event
passes: events trained or processed x epochs x ensemble members / toys / windows; the unit
is one event through one pass) and ``held`` (events held in memory at once, x members where
the job keeps dense (members x events) weights or scores: CWoLa hunting's nested k-fold,
the mass scan's scores; the few initializations of the other classifiers, whose per-member
arrays are small beside the per-event memory, do not multiply it). A rule without a size function (plots,
summaries, injections) has size (0, 0): its cost is the fitted constant. The model per rule:

    CPU time [s]    = a + b * work
    max_rss [MB]    = c + d * held

with a, b, c, d >= 0 fitted (:func:`fit`) to the benchmark rows (``cpu_time``, ``max_rss``)
of runs at two or more scales. The runtime is the CPU time: a job's wall time on a shared
machine grows with the other jobs' load, its CPU time is what it needs of a dedicated core
(every rule runs ``threads: 1``). Snakemake samples ``cpu_time`` every 0.5 s for a job's
first 15 s, then every 30 s, so a long job's CPU time is low by up to 30 s; the margin
below covers that at the fitted scales. A job's request (:func:`request`, what the rules' ``resources:`` ask for) adds the
safety margin of the coefficients file: runtime x ``runtime_factor`` (at least
``runtime_floor_min``), memory x ``mem_factor`` + ``mem_floor_mb``. A request above the
config's ``cluster.node_mem_mb`` is a :class:`CostError` naming the rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from radflow.config import load_yaml
from radflow.jobs import job_parts
from radflow.regions import study_scan_windows

#: The fitted coefficients (scripts/fit_costs.py).
COEFFICIENTS = Path(__file__).with_name("cost_coefficients.yaml")
#: Events assumed for a sample without ``n_events`` (an external file).
EXTERNAL_EVENTS = 1_000_000


class CostError(ValueError):
    """A job's predicted request does not fit the configured node."""


@dataclass(frozen=True)
class Cost:
    """A job's runtime [min] (CPU time on ``threads`` dedicated cores), peak resident memory
    [MB] and threads."""

    runtime_min: float
    mem_mb: float
    threads: int = 1


def _events(config: dict, sample: str) -> float:
    return float(config["samples"][sample].get("n_events", EXTERNAL_EVENTS))


def _role(config: dict, study: str, role: str) -> float:
    """Events of the ``role`` sample (data, sim, extra, signal) of ``study``; 0 if none."""
    name = config["studies"][study]["samples"].get(role)
    return _events(config, name) if name else 0.0


def _first_study(config: dict, kind: str) -> str:
    return next(s for s, st in config["studies"].items() if st["kind"] == kind)


def _background(config: dict, study: str) -> float:
    """Data events one repetition of ``study`` draws: background_fraction of its data."""
    st = config["studies"][study]
    return _role(config, study, "data") * st["injection"].get("background_fraction", 1.0)


def _generate(c, w):
    n = _events(c, w["sample"]) / c["samples"][w["sample"]]["n_chunks"]
    return n, n


def _features(c, w):
    n = _events(c, w["sample"])
    return n, n


def _dctr(c, w):
    """SALAD's data-vs-sim reweighting: sideband data + sim x epochs x initializations."""
    st, tr = c["studies"][w["study"]], c["training"]
    n = _background(c, w["study"]) + _role(c, w["study"], "sim") * st["injection"]["background_fraction"]
    return n * tr["epochs"] * tr["n_init"], n


def _salad_lines(c, w):
    tr = c["training"]
    n = _background(c, w["study"])
    n_cls = c["studies"][w["study"]]["injection"].get("n_classifiers", 1)
    return n * tr["epochs"] * tr["n_init"] * n_cls, n


def _data_epochs(c, w):
    """A classifier on the study's data: data events x training epochs x initializations."""
    tr = c["training"]
    n = _role(c, w["study"], "data")
    return n * tr["epochs"] * tr["n_init"], n


def _data_vs_sim(c, w):
    s = _first_study(c, "salad")
    n = _role(c, s, "data") + _role(c, s, "sim")
    return n * c["validation"]["epochs"], n


def _sacwola_train(c, w):
    """SA-CWoLa: one classifier per lambda and form (plus CWoLa, optimal CWoLa)."""
    st, tr = c["studies"][w["study"]], c["training"]
    sa = st["sa_cwola"]
    n = _background(c, w["study"]) + _role(c, w["study"], "sim") * st["injection"]["background_fraction"]
    models = len(sa["lambdas"]) * max(1, len(sa.get("forms") or [])) + 2
    return n * models * tr["epochs"] * tr["n_init"], n


def _cathode_flows(c, w):
    st = c["studies"][w["study"]]
    n = _background(c, w["study"])
    return n * st["flow"]["epochs"], n


def _cathode_train(c, w):
    st, tr = c["studies"][w["study"]], c["training"]
    n = _background(c, w["study"]) * (1 + st["cathode"]["oversampling"])
    return n * st["classifier"]["epochs"] * tr["n_init"], n


def _comp_synthetic(c, w):
    """A complementarity generator: its flows' epochs (x generator seeds) on the data. Held:
    the data of one generator's training (the seeds train in turn: a default-size CATHODE
    job peaked at 935 MB with one seed and 993 MB with two, 1 core)."""
    st = c["studies"][w["study"]]
    n = _background(c, w["study"])
    method = w["method"]
    if method == "salad":
        epochs = st["salad"]["epochs"] * st["salad"]["n_init"]
    else:
        epochs = sum(f["epochs"] for f in st[method].values() if isinstance(f, dict) and "epochs" in f)
    seeds = st["generators"]["seeds"]
    return n * epochs * seeds, n


def _comp_classify(c, w):
    """The common classifier of one job (its part of the runs, classifier.runs_per_job):
    methods x runs x folds over the data (and each generator seed's template); hgb counts
    one pass. Held: the tables of the template in training (train_common trains one after
    the other; radflow.methods.common_classifier.member_tables: per member the SR data and
    its template as int32 rows and two float32 weights, copied by the ensemble), the largest
    being the sample-level combination's, the union of the methods' samples: generators x
    runs x folds members, each over SR background events times a fixed oversampling."""
    st = c["studies"][w["study"]]
    cl = st["classifier"]
    background, seeds = _background(c, w["study"]), st["generators"]["seeds"]
    runs = len(job_parts(cl["runs"], cl.get("runs_per_job"))[int(w.get("part", 0))])
    epochs = cl["epochs"] if w["variant"].startswith("nn") else 1
    work = background * seeds * len(st["methods"]) * runs * cl["folds"] * epochs
    return work, background * seeds * runs * cl["folds"]


def _comp_multiclass(c, w):
    mc = c["studies"][w["study"]]["multiclass"]
    return mc["events"] * mc["runs"] * mc["epochs"], mc["events"]


def _scan(c, w):
    """A mass-scan job: scans (per_job toys, or the observed seeds) x windows x methods x k
    folds, each over the data (and the sim for SA-CWoLa); held: the scores of every scan,
    window and method over the data events (radflow.methods.mass_scan.train_scores)."""
    st = c["studies"][w["study"]]
    sc = st["scan"]
    scans = sc["per_job"] if w.get("block") else sc["observed_seeds"]
    windows, methods = len(study_scan_windows(st)), len(sc["methods"])
    data = _role(c, w["study"], "data")
    n = data + _role(c, w["study"], "sim") * ("sa_cwola" in sc["methods"])
    work = n * scans * methods * sc["classifier"]["k"] * windows * sc["classifier"]["epochs"]
    return work, data * scans * windows * methods


def _cwola_hunting(c, w):
    """Nested k-fold CWoLa hunting of one job: its benchmarks (the run's, or the part's of
    cwola_hunting.benchmarks_per_job) x k x (k-1) x initializations."""
    from radflow.methods.cwola_hunting import run_parts

    st = c["studies"][w["study"]]
    ch = st["cwola_hunting"]
    benchmarks = len(run_parts(st)[int(w.get("part", 0))])
    members = benchmarks * ch["k"] * (ch["k"] - 1) * ch["n_init"]
    n = _background(c, w["study"])
    return n * members * ch["epochs"], n * members


def _autoencoder(c, w):
    ae = c["studies"][_first_study(c, "cwola_ae")]["autoencoder"]
    n = ae["members"] * ae["subsample"]
    return n * ae["epochs"], n


def _ae_selection(c, w):
    st = c["studies"][_first_study(c, "cwola_ae")]
    ms, ae = st["model_selection"], st["autoencoder"]
    n = ms["members"] * ms["subsample"]
    return n * len(ms["latent"]) * len(ms["hidden"]) * ae["epochs"], n


def _cwola_ae_fits(c, w):
    st = c["studies"][w["study"]]
    n = _background(c, w["study"])
    return n * len(st["injection"]["sb"]), n


#: Rule -> size function (config, wildcards) -> (work [event passes], held [events]).
SIZES = {
    "generate": _generate, "features": _features, "dctr": _dctr, "dctr_closure": _dctr,
    "salad_lines": _salad_lines, "train_supervised": _data_epochs, "data_vs_sim": _data_vs_sim,
    "sacwola_train": _sacwola_train, "sacwola_bump_hunt": _data_epochs,
    "cathode_flows": _cathode_flows, "cathode_train": _cathode_train,
    "complementarity_synthetic": _comp_synthetic, "complementarity_classify": _comp_classify,
    "complementarity_multiclass": _comp_multiclass,
    "mass_scan_toys": _scan, "mass_scan_observed": _scan,
    "cwola_hunting": _cwola_hunting, "autoencoder": _autoencoder,
    "ae_model_selection": _ae_selection, "cwola_ae_fits": _cwola_ae_fits,
}


#: Rules that run one code on sizes of one kind share one model (fitted to the rows of all of
#: them): the observed mass scan's few seeds cost less than its start-up at the CI and
#: default scales.
SHARED_MODELS = {"mass_scan_observed": "mass_scan", "mass_scan_toys": "mass_scan"}


def models(rule: str, wildcards) -> list[str]:
    """The coefficients entries of a job of ``rule``, the first one fitted applies: the
    generation of one sample (``generate:<sample>``: processes and tunes differ 3x per event)
    before the rule's pooled one; for the common classifier its kind
    (``complementarity_classify:nn`` or ``:hgb``, TensorFlow or scikit-learn, with or without
    noise features); a :data:`SHARED_MODELS` name; else the rule."""
    w = dict(wildcards)
    if rule == "generate":
        return [f"{rule}:{w['sample']}", rule]
    if rule == "complementarity_classify":
        return [f"{rule}:{w['variant'].split('_')[0]}"]
    return [SHARED_MODELS.get(rule, rule)]


def size(rule: str, wildcards, config: dict) -> tuple[float, float]:
    """(work [event passes], held [events]) of a job of ``rule`` with ``wildcards`` (a
    mapping) under the validated ``config``; (0, 0) for a rule without a size function."""
    fn = SIZES.get(rule)
    return fn(config, dict(wildcards)) if fn else (0.0, 0.0)


def fit(xs, ys) -> tuple[float, float]:
    """Non-negative (intercept, slope) of ``y = a + b x`` minimizing the squared relative
    residuals (each row divided by its y; rows with y <= 0 get y's floor 1e-3). With all x
    equal (or zero) the slope is 0 and the intercept the fit's constant."""
    from scipy.optimize import nnls

    x, y = np.asarray(xs, float), np.maximum(np.asarray(ys, float), 1e-3)
    if np.ptp(x) == 0:
        x = np.zeros_like(x)
    a = np.stack([np.ones_like(x), x], axis=1) / y[:, None]
    scale = np.array([1.0, x.max() or 1.0])
    coef, _ = nnls(a / scale, np.ones_like(y))
    return float(coef[0] / scale[0]), float(coef[1] / scale[1])


@lru_cache(maxsize=None)
def _load(path: str) -> dict:
    return load_yaml(path)


def coefficients(path: str | Path = COEFFICIENTS) -> dict:
    """The coefficients file: ``margin`` (runtime_factor, runtime_floor_min, mem_factor,
    mem_floor_mb) and ``models`` ({:func:`model` name: {runtime_s: [a, b], mem_mb: [c, d],
    jobs, scales}})."""
    return _load(str(path))


def predict(rule: str, wildcards, config: dict, threads: int = 1, coef: dict | None = None) -> Cost:
    """The fitted (no margin) :class:`Cost` of one job. KeyError naming the rule and the
    coefficients file when the rule has no fitted coefficients."""
    coef = coef or coefficients()
    names = models(rule, wildcards)
    rc = next((coef["models"][n] for n in names if n in coef["models"]), None)
    if rc is None:
        raise KeyError(f"rule {rule}: none of the cost models {names} in {COEFFICIENTS} "
                       "(rerun scripts/fit_costs.py with a run that has its benchmark files)")
    work, held = size(rule, wildcards, config)
    a, b = rc["runtime_s"]
    c, d = rc["mem_mb"]
    return Cost(runtime_min=(a + b * work) / 60, mem_mb=c + d * held, threads=threads)


def with_margin(p: Cost, coef: dict | None = None) -> Cost:
    """The request for a predicted :class:`Cost`: runtime x ``runtime_factor`` in whole
    minutes (at least ``runtime_floor_min``), memory x ``mem_factor`` + ``mem_floor_mb`` in
    whole MB (the coefficients file's ``margin``)."""
    m = (coef or coefficients())["margin"]
    return Cost(runtime_min=max(m["runtime_floor_min"], math.ceil(p.runtime_min * m["runtime_factor"])),
                mem_mb=math.ceil(p.mem_mb * m["mem_factor"] + m["mem_floor_mb"]), threads=p.threads)


def request(rule: str, wildcards, config: dict, threads: int = 1, coef: dict | None = None) -> Cost:
    """What a job asks its scheduler for: :func:`predict` :func:`with_margin`.
    :class:`CostError` naming the rule and job when its memory exceeds the config's
    ``cluster.node_mem_mb``."""
    coef = coef or coefficients()
    req = with_margin(predict(rule, wildcards, config, threads, coef), coef)
    limit = config["cluster"]["node_mem_mb"]
    if req.mem_mb > limit:
        job = ",".join(f"{k}={v}" for k, v in dict(wildcards).items())
        raise CostError(f"rule {rule} [{job}]: predicted peak memory {req.mem_mb} MB (with margin) exceeds "
                        f"config field cluster.node_mem_mb = {limit} MB; split the job or raise the limit")
    return req
