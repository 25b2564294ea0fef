"""The complementarity study's summary (results/{study}/summary.json) from its inputs
(formats: the scores, synthetic and multiclass files of the study; arXiv 2307.11157).

- :func:`evaluate`: the scores of one injection nsig{n}_rep{r} and classifier variant (its
  part files, one per classifier job: :func:`score_groups`) reduced to numbers: per method
  (salad, cathode, curtains, feta, combined_samples, combined_scores, truth) the max SIC, SIC
  at rejection 1e3 and AUC of every ensembled score (G, E), the SIC curves, Pearson r and
  top-p overlaps of the methods' background and signal test scores, and at n_sig = 0 the AUC
  of every single run.
- :func:`variant_table`: the evaluations of one classifier variant gathered per method,
  n_sig and repetition: a repetition's value is the median over its generators and ensembled
  scores; the figures' bands pool repetitions x generators x ensembles (median, 16th, 84th
  percentile).
- :func:`ks_tables` / :func:`multiclass_table`: the per-feature KS statistics of each
  synthetic sample against the true SR background (n_sig = 0) and the eq. (3.1) log
  posteriors, per repetition and as spreads over repetitions.
- :func:`statements`: each statement of the paper decided over independent repetitions
  (radflow.stats.claims), for every classifier variant without noise features, and the
  noise robustness of the tree-based classifier (beyond the paper).
- :func:`build`: the summary dict written as JSON.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import h5py
import numpy as np

from radflow import h5io, inject
from radflow.stats import claims
from radflow.stats import complementarity as comp
from radflow.stats.claims import claim

METHODS = ("salad", "cathode", "curtains", "feta")
COMBINATIONS = ("combined_samples", "combined_scores")
#: Every line of the metrics: the four methods, both combinations, the truth classifier
#: (data vs true SR background: truth-vs-truth at n_sig = 0, idealized detector above).
LINES = (*METHODS, *COMBINATIONS, "truth")
#: Score datasets of a scores file and the line each becomes.
DATASETS = {**{m: m for m in METHODS}, "combined": "combined_samples", "truth": "truth"}
#: The paper's common classifier; its statements carry no suffix.
PRIMARY = "nn"
#: Classifier variants with 10 added noise features and the variant they repeat.
NOISE_VARIANTS = {"nn_noise": "nn", "hgb_noise": "hgb"}

#: Paper (LHCO), median max SIC read from its Fig. 13 (issue #24): n_sig 750 (S/B 0.47%)
#: and 1500 (0.93%); the supervised classifier reaches about 17.
REFERENCE_MAX_SIC = {
    750: {"cathode": 12.1, "feta": 9.9, "salad": 7.9, "curtains": 4.4, "combined_samples": 12.6,
          "combined_scores": 13.6},
    1500: {"cathode": 14.0, "feta": 15.7, "salad": 14.6, "curtains": 15.3,
           "combined_samples": 14.7, "combined_scores": 15.8}}
REFERENCE_SUPERVISED_MAX_SIC = 17.0
#: Paper Table 3: KS statistic of each method's marginals against the truth (its m_J1 is
#: our mj2, the lighter jet's mass).
REFERENCE_KS = {
    "salad": {"mj2": 0.00775, "delta_m": 0.00501, "tau21_j1": 0.02229, "tau21_j2": 0.00610,
              "delta_R_jj": 0.01205, "mjj": 0.00215},
    "cathode": {"mj2": 0.00405, "delta_m": 0.00450, "tau21_j1": 0.00597, "tau21_j2": 0.00534,
                "delta_R_jj": 0.00755, "mjj": 0.00228},
    "curtains": {"mj2": 0.00325, "delta_m": 0.00255, "tau21_j1": 0.00238, "tau21_j2": 0.00214,
                 "delta_R_jj": 0.02122, "mjj": 0.00353},
    "feta": {"mj2": 0.00605, "delta_m": 0.00352, "tau21_j1": 0.00588, "tau21_j2": 0.00536,
             "delta_R_jj": 0.00725, "mjj": 0.00386}}

#: (a) 'perform similarly': each method's max SIC within this factor of the four's median.
SIMILAR_FACTOR = 2.0
#: (b) the truth-vs-truth spread: central interval of the truth-vs-truth runs' AUCs.
TRUTH_SPREAD = (16.0, 84.0)   # the paper's 68% spread of single runs (Fig. 5)
#: (c) the score percentile of the agreement statement (paper Fig. 12: top 5%).
P_AGREEMENT = 0.05
#: (d) 'weakly correlated' background scores: mean pairwise r below; 'highly correlated'
#: signal scores: above.
WEAK_R, STRONG_R = 0.5, 0.5
#: (e) 'competitive with the best single method': at least this fraction of its max SIC.
COMPETITIVE_FRACTION = 0.8
#: (f) the paper's n_sig of Fig. 14 and the signal efficiencies of 'uniformly better': 0.2 to
#: 0.8 in steps of 0.1 (neighbouring points of one curve are strongly correlated).
N_SIG_COMBINATION = 750
EFFICIENCY_POINTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
#: (g) trees 'robust' to noise features: max SIC with them at least this fraction of without.
ROBUST_FRACTION = 0.8

LABEL = re.compile(r"^(nsig[0-9.]+_rep[0-9]+)_(.+)$")


def file_label(path, what: str) -> tuple[str, int, int, str]:
    """(injection, n_sig, rep, suffix) of a file named {injection}_{suffix}.{ext}."""
    m = LABEL.match(Path(path).stem)
    if not m:
        raise h5io.InputError(f"{path}: {what} file name is not {{injection}}_{{name}}")
    _, n, rep = inject.parse(m.group(1))
    return m.group(1), int(n), rep, m.group(2)


def _repetition_record(path, label: str, value) -> dict | None:
    """The per-run record radflow.inject.summary_seeds reads, from a scores file's
    ``repetition`` attribute (a JSON string or dict: radflow.inject.repetition_seeds); None
    without one."""
    if value is None:
        return None
    rec = json.loads(value) if isinstance(value, (str, bytes)) else dict(value)
    if not {"rep", "background_fraction", "seeds"} <= set(rec):
        return None
    return {"injection": label, "repetition_seeds": rec}


#: Attributes every scores file carries.
SCORE_ATTRS = ("methods", "n_signal", "n_sr_data", "ensemble", "classifier", "noise_features",
               "runs")
#: A scores file of one classifier job: {injection}_{variant}_part{k}.h5 (the job's runs:
#: classifier.runs_per_job).
SCORE_PART = re.compile(r"^(nsig[0-9.]+_rep[0-9]+)_(.+)_part([0-9]+)$")


def score_groups(paths) -> dict:
    """{(injection, variant): [paths of parts 0, 1, ...]} of scores files named
    {injection}_{variant}_part{k}.h5. InputError naming the file whose name is not of that
    form, or the first missing part of a group."""
    groups = {}
    for p in paths:
        m = SCORE_PART.match(Path(p).stem)
        if not m:
            raise h5io.InputError(f"{p}: scores file name is not "
                                  "{injection}_{variant}_part{k}")
        groups.setdefault((m.group(1), m.group(2)), {})[int(m.group(3))] = str(p)
    out = {}
    for key, parts in sorted(groups.items()):
        missing = sorted(set(range(max(parts) + 1)) - set(parts))
        if missing:
            raise h5io.InputError(f"scores of {key[0]}, classifier {key[1]}: no part {missing[0]} "
                                  f"beside {parts[max(parts)]}")
        out[key] = [parts[k] for k in sorted(parts)]
    return out


def read_score_parts(paths) -> tuple[dict, np.ndarray, dict]:
    """The part files of one injection and classifier variant (:func:`score_groups`, in part
    order) as one: (attrs of part 0, is_signal (N,) bool, {dataset: (G, R, N) float32}) with
    each dataset's runs concatenated in part order. InputError naming the file of a missing
    attribute, of runs that do not continue the previous part's (attribute ``runs``: [first,
    last + 1]), of a test set or attribute that differs from part 0's, or of a dataset whose
    generators differ between parts."""
    paths = list(paths)
    attrs, labels, data, next_run = None, None, {}, 0
    for path in paths:
        a = h5io.read_attrs(path)
        missing = [k for k in SCORE_ATTRS if k not in a]
        if missing:
            raise h5io.InputError(f"{path}: no attribute {missing[0]!r}")
        first, stop = (int(v) for v in np.atleast_1d(a["runs"]))
        if first != next_run or stop <= first:
            raise h5io.InputError(f"{path}: attribute runs=[{first}, {stop}) does not continue the "
                                  f"previous parts' runs [0, {next_run})")
        next_run = stop
        y = np.asarray(h5io.read_columns(path, ["is_signal"])["is_signal"], bool)
        if attrs is None:
            attrs, labels = a, y
        else:
            for k in ("methods", "n_signal", "classifier", "ensemble", "noise_features"):
                if not np.array_equal(np.atleast_1d(a[k]), np.atleast_1d(attrs[k])):
                    raise h5io.InputError(f"{path}: attribute {k}={a[k]!r} differs from "
                                          f"{paths[0]}'s")
            if not np.array_equal(y, labels):
                raise h5io.InputError(f"{path}: test set differs from {paths[0]}'s: the parts must "
                                      "come from one injection")
        with h5py.File(path, "r") as f:
            names = set(f["score"]) if "score" in f else set()
            if path != paths[0]:
                absent, extra = sorted(set(data) - names), sorted(names - set(data))
                if absent:
                    raise h5io.InputError(f"{path}: no dataset 'score/{absent[0]}'")
                if extra:
                    raise h5io.InputError(f"{path}: dataset score/{extra[0]} is not in {paths[0]}")
            for ds in sorted(names):
                s = f["score"][ds][()]
                h5io.check_finite(path, f"score/{ds}", s, kind="dataset")
                if s.ndim != 3 or s.shape[2] != len(y) or s.shape[1] != stop - first:
                    raise h5io.InputError(f"{path}: dataset score/{ds} has shape {s.shape}, "
                                          f"expected (G, {stop - first}, {len(y)})")
                if ds in data and data[ds][-1].shape[0] != s.shape[0]:
                    raise h5io.InputError(f"{path}: dataset score/{ds} has {s.shape[0]} "
                                          f"generators, {paths[0]} {data[ds][-1].shape[0]}")
                data.setdefault(ds, []).append(s)
    return attrs, labels, {ds: np.concatenate(parts, axis=1) for ds, parts in data.items()}


def read_scores(paths) -> dict:
    """The part files of one injection and classifier variant (:func:`read_score_parts`),
    one score dataset at a time: {"injection", "n_sig", "rep", "variant", "attrs",
    "methods" (present, in METHODS order), "labels" (N,) bool (is_signal), "ensembled":
    {line: (G, R // ensemble, N)}, "auc_single_runs": {line: (G R,)} at n_sig = 0 (else
    None), "record"}. InputError naming the file and key for a missing or malformed
    attribute or dataset."""
    groups = score_groups(paths)
    if len(groups) != 1:
        raise h5io.InputError(f"{sorted(paths)[0]}: parts of one injection and classifier "
                              f"variant expected, got {sorted(groups)}")
    (label, variant), paths = next(iter(groups.items()))
    path = paths[0]
    _, n_sig, rep = inject.parse(label)
    n_sig = int(n_sig)
    attrs, labels, data = read_score_parts(paths)
    if attrs["classifier"] != variant:
        raise h5io.InputError(f"{path}: attribute classifier={attrs['classifier']!r} but the "
                              f"file name says {variant!r}")
    named = [str(x) for x in np.atleast_1d(attrs["methods"])]
    methods = [m for m in METHODS if m in named]
    if not methods:
        raise h5io.InputError(f"{path}: attribute 'methods' names none of {list(METHODS)}")
    n = len(labels)
    ens, single = {}, {} if n_sig == 0 else None
    for ds, line in DATASETS.items():
        if ds not in data:
            if ds in methods or ds == "truth":
                raise h5io.InputError(f"{path}: no dataset 'score/{ds}'")
            continue
        s = data[ds]
        if line == "truth" and s.shape[0] != 1:
            raise h5io.InputError(f"{path}: dataset score/{ds} has shape {s.shape}, expected "
                                  f"(1, R, {n})")
        try:
            ens[line] = comp.ensembled(s, int(attrs["ensemble"]))
            if single is not None:
                single[line] = np.array([comp.auc(labels, run) for run in s.reshape(-1, n)])
        except ValueError as err:
            raise h5io.InputError(f"{path}: score/{ds}: {err}") from err
    return {"injection": label, "n_sig": n_sig, "rep": rep, "variant": variant, "attrs": attrs,
            "methods": methods, "labels": labels, "ensembled": ens, "auc_single_runs": single,
            "record": _repetition_record(path, label, attrs.get("repetition"))}


def _pairs(methods):
    return [(a, b) for i, a in enumerate(methods) for b in methods[i + 1:]]


def evaluate(paths, p=comp.P_GRID) -> dict:
    """The scores of one injection and variant (its part files, :func:`read_scores`) reduced
    to numbers (module docstring): {"injection", "n_sig", "rep",
    "variant", "methods", "n_signal", "n_sr_data", "noise_features", "ensemble",
    "n_generators", "record", "n_test": {"background", "signal"}, "metrics": {line: {metric:
    (G, E)}}, "curves": {line: {"sic_vs_efficiency": (G E, len(EFFICIENCY_GRID)),
    "sic_vs_rejection": (G E, len(REJECTION_GRID))}}, "pearson": {"background"/"signal":
    {"a|b": (G E,)}}, "overlap": {"background"/"signal": {"a|b" or "all": {"overlap",
    "excess": (G E, P)}}}, "auc_single_runs": {line: (G R,)} at n_sig = 0 (the four methods,
    combined samples, truth), else None}. E = R // ensemble ensembled scores per generator."""
    path = list(paths)[0]
    f = read_scores(paths)
    y, ens, methods = f["labels"], f["ensembled"], f["methods"]
    try:
        if len(methods) > 1:
            ens["combined_scores"] = comp.score_combination([ens[m] for m in methods])
        lines = [m for m in LINES if m in ens]
        flat = {m: ens[m].reshape(-1, len(y)) for m in lines}
        met, curves = {}, {}
        for m in lines:
            c = [comp.classifier_summary(y, s) for s in flat[m]]
            met[m] = {k: np.array([x[k] for x in c]).reshape(ens[m].shape[:2]) for k in comp.METRICS}
            curves[m] = {k: np.array([x[k] for x in c]) for k in ("sic_vs_efficiency", "sic_vs_rejection")}
        pearson, overlap = {}, {}
        for kind, mask in (("background", ~y), ("signal", y)):
            if len(methods) < 2:
                continue
            pearson[kind] = {f"{a}|{b}": np.array([comp.pearson(sa[mask], sb[mask])
                                                   for sa, sb in zip(flat[a], flat[b])])
                             for a, b in _pairs(methods)}
            tables = [comp.overlap_table({m: flat[m][i][mask] for m in methods}, p)
                      for i in range(len(flat[methods[0]]))]
            overlap[kind] = {k: {q: np.array([t[k][q] for t in tables]) for q in ("overlap", "excess")}
                             for k in tables[0]}
    except ValueError as err:
        raise h5io.InputError(f"{path}: {err}") from err
    att = f["attrs"]
    return {"injection": f["injection"], "n_sig": f["n_sig"], "rep": f["rep"],
            "variant": f["variant"], "methods": methods, "record": f["record"],
            "n_signal": int(att["n_signal"]), "n_sr_data": int(att["n_sr_data"]),
            "noise_features": int(att["noise_features"]), "ensemble": int(att["ensemble"]),
            "n_generators": int(ens[methods[0]].shape[0]),
            "n_test": {"background": int((~y).sum()), "signal": int(y.sum())},
            "metrics": met, "curves": curves, "pearson": pearson, "overlap": overlap,
            "auc_single_runs": f["auc_single_runs"]}


def _median(a):
    """Median ignoring NaN; None (JSON null) when all are NaN."""
    m = comp.band(a)["median"]
    return None if np.isnan(m) else float(m)


def _relative_width(values):
    """(p84 - p16) / median of the values over generators x ensembles; None for fewer than 2."""
    v = np.ravel(values)
    if len(v) < 2:
        return None
    b = comp.band(v)
    return float((b["p84"] - b["p16"]) / b["median"]) if b["median"] else None


def variant_table(evaluations, overlap: float = 0.0) -> dict:
    """The evaluations (:func:`evaluate`) of one classifier variant gathered: {"n_sig",
    "repetitions": {n: [rep]}, "n_signal_injected"/"n_sr_data": {n: {rep: count}},
    "metrics": {line: {n: {metric: {"per_repetition": {rep: median over G x E}, "spread":
    claims.spread over repetitions (``overlap``: the background fraction they share), "band":
    pooled over repetitions x G x E}}}}, "relative_width": {line: {n: {rep: (p84 - p16) /
    median of the max SIC over G x E}}}, "curves": {"signal_efficiency", "rejection": grids,
    line: {n: {curve: {"per_repetition": {rep: (grid,)}, "band": pooled}}}},
    "auc_single_runs": {line: {rep: [AUC of each run]}} at n_sig = 0, "pearson": {kind: {n:
    {pair: {"per_repetition", "spread"}}}}, "top_p_overlap": {"p", kind: {n: {key:
    {"excess_per_repetition": {rep: (P,)}, "overlap_band", "excess_band"}}}}}."""
    by_n = {}
    for ev in evaluations:
        if ev["rep"] in by_n.setdefault(ev["n_sig"], {}):
            raise ValueError(f"two scores files of {ev['injection']} for classifier {ev['variant']!r}")
        by_n[ev["n_sig"]][ev["rep"]] = ev
    out = {"n_sig": sorted(by_n), "repetitions": {n: sorted(r) for n, r in sorted(by_n.items())},
           "n_signal_injected": {n: {r: e["n_signal"] for r, e in sorted(reps.items())}
                                 for n, reps in sorted(by_n.items())},
           "n_sr_data": {n: {r: e["n_sr_data"] for r, e in sorted(reps.items())}
                         for n, reps in sorted(by_n.items())},
           "metrics": {}, "relative_width": {},
           "curves": {"signal_efficiency": comp.EFFICIENCY_GRID, "rejection": comp.REJECTION_GRID},
           "auc_single_runs": {}, "pearson": {}, "top_p_overlap": {"p": comp.P_GRID}}
    for n, reps in sorted(by_n.items()):
        evs = [reps[r] for r in sorted(reps)]
        for line in LINES:
            have = [e for e in evs if line in e["metrics"]]
            if not have:
                continue
            met = out["metrics"].setdefault(line, {})[n] = {}
            for k in comp.METRICS:
                per = {e["rep"]: _median(e["metrics"][line][k]) for e in have}
                met[k] = {"per_repetition": per, "spread": claims.spread(per.values(), overlap),
                          "band": comp.band(np.concatenate([np.ravel(e["metrics"][line][k])
                                                            for e in have]))}
            out["relative_width"].setdefault(line, {})[n] = {
                e["rep"]: _relative_width(e["metrics"][line]["max_sic"]) for e in have}
            cur = out["curves"].setdefault(line, {})[n] = {}
            for c in ("sic_vs_efficiency", "sic_vs_rejection"):
                cur[c] = {"per_repetition": {e["rep"]: comp.band(e["curves"][line][c], 0)["median"]
                                            for e in have},
                          "band": comp.band(np.concatenate([e["curves"][line][c] for e in have]), 0)}
            if n == 0 and have[0]["auc_single_runs"] and line in have[0]["auc_single_runs"]:
                out["auc_single_runs"][line] = {e["rep"]: e["auc_single_runs"][line] for e in have}
        for kind in ("background", "signal"):
            have = [e for e in evs if kind in e["pearson"]]
            if not have:
                continue
            out["pearson"].setdefault(kind, {})[n] = {
                pair: {"per_repetition": (per := {e["rep"]: _median(e["pearson"][kind][pair])
                                                  for e in have}),
                       "spread": claims.spread(per.values(), overlap)}
                for pair in have[0]["pearson"][kind]}
            out["top_p_overlap"].setdefault(kind, {})[n] = {
                key: {"excess_per_repetition": {e["rep"]: comp.band(e["overlap"][kind][key]["excess"], 0)["median"]
                                                for e in have},
                      "overlap_band": comp.band(np.concatenate([e["overlap"][kind][key]["overlap"]
                                                                for e in have]), 0),
                      "excess_band": comp.band(np.concatenate([e["overlap"][kind][key]["excess"]
                                                               for e in have]), 0)}
                for key in have[0]["overlap"][kind]}
    return out


def truth_background(path, columns) -> dict:
    """The true SR background of a scores file's test set (is_signal False): {column: (n,)}."""
    c = h5io.read_columns(path, ["is_signal", *columns])
    bkg = ~np.asarray(c["is_signal"], bool)
    return {k: c[k][bkg] for k in columns}


def ks_tables(synthetic_paths, truth: dict, features) -> dict:
    """{method: ks_table} of one injection's synthetic samples (all generators pooled, event
    weights applied) against ``truth`` ({feature: (n,)}), plus ``combined_samples`` (the
    union weighted by :func:`radflow.stats.complementarity.sample_combination_weights`)."""
    samples = {}
    for p in synthetic_paths:
        _, _, _, method = file_label(p, "synthetic")
        att = h5io.read_attrs(p)
        if att.get("method", method) != method:
            raise h5io.InputError(f"{p}: attribute method={att['method']!r} but the file name "
                                  f"says {method!r}")
        samples[method] = h5io.read_columns(p, [*features, "weight"])
    out = {m: comp.ks_table(s, s["weight"], truth, features) for m, s in samples.items()}
    methods = [m for m in METHODS if m in samples]
    if len(methods) > 1:
        w = comp.sample_combination_weights([samples[m]["weight"] for m in methods])
        union = {c: np.concatenate([samples[m][c] for m in methods]) for c in features}
        out["combined_samples"] = comp.ks_table(union, np.concatenate(w), truth, features)
    return out


def ks_summary(per_rep: dict, overlap: float = 0.0) -> dict:
    """{method: {feature: {"statistic": spread over repetitions, "per_repetition": {rep:
    statistic}, "pvalue_per_repetition", "critical_value_per_repetition", "paper"}}} from
    {rep: :func:`ks_tables`}."""
    out = {}
    for rep, tables in sorted(per_rep.items()):
        for m, table in tables.items():
            for c, t in table.items():
                d = out.setdefault(m, {}).setdefault(c, {
                    "per_repetition": {}, "pvalue_per_repetition": {},
                    "critical_value_per_repetition": {},
                    "paper": REFERENCE_KS.get(m, {}).get(c)})
                d["per_repetition"][rep] = t["statistic"]
                d["pvalue_per_repetition"][rep] = t["pvalue"]
                d["critical_value_per_repetition"][rep] = t["critical_value"]
    for m in out.values():
        for d in m.values():
            d["statistic"] = claims.spread(d["per_repetition"].values(), overlap)
    return out


def multiclass_table(paths, overlap: float = 0.0) -> dict | None:
    """The eq. (3.1) log posteriors LP(model i | samples j) of the n_sig = 0 multiclass files:
    {"methods", "samples", "per_repetition": {rep: {model: {samples: mean over runs}}},
    "log_posterior": {model: {samples: spread over repetitions}}}; None without files."""
    if not paths:
        return None
    per_rep, methods = {}, None
    for p in paths:
        _, n, rep = inject.parse(Path(p).stem)
        if n != 0:
            raise h5io.InputError(f"{p}: multiclass files are made at n_sig = 0, not {n:g}")
        d = json.loads(Path(p).read_text())
        if "log_posterior" not in d or "methods" not in d:
            raise h5io.InputError(f"{p}: no key 'log_posterior' or 'methods'")
        methods = methods or list(d["methods"])
        per_rep[rep] = {}
        for mi, row in d["log_posterior"].items():
            per_rep[rep][mi] = {}
            for sj, values in row.items():
                v = np.asarray(values, float)
                if not v.size or not np.isfinite(v).all():
                    raise h5io.InputError(f"{p}: log_posterior[{mi!r}][{sj!r}] is empty or not finite")
                per_rep[rep][mi][sj] = float(v.mean())
    reps = [per_rep[r] for r in sorted(per_rep)]
    samples = list(reps[0][methods[0]])
    return {"methods": methods, "samples": samples, "per_repetition": dict(sorted(per_rep.items())),
            "log_posterior": {mi: {sj: claims.spread([r[mi][sj] for r in reps], overlap)
                                   for sj in samples} for mi in methods}}


# ---------------------------------------------------------------------------- statements


def _values(per_rep: dict, reps=None) -> list:
    return [per_rep[r] for r in (sorted(per_rep) if reps is None else reps)]


def _common_reps(*per_reps) -> list:
    common = set.intersection(*(set(k for k, v in p.items() if v is not None) for p in per_reps))
    return sorted(common)


def _methods(table, n) -> list:
    return [m for m in METHODS if n in table["metrics"].get(m, {})]


def _max_sic(table, line, n) -> dict:
    return table["metrics"][line][n]["max_sic"]["per_repetition"]


def _nearest(grid, value):
    return min(grid, key=lambda n: (abs(n - value), n))


def similar_performance(table, overlap) -> dict:
    """(a) At the largest n_sig each method's max SIC lies within SIMILAR_FACTOR of the
    median of the four (ratio per repetition)."""
    n = max(table["n_sig"])
    methods = _methods(table, n)
    reps = _common_reps(*(_max_sic(table, m, n) for m in methods))
    med = {r: float(np.median([_max_sic(table, m, n)[r] for m in methods])) for r in reps}
    ratio = {m: claims.spread([_max_sic(table, m, n)[r] / med[r] for r in reps], overlap)
             for m in methods}
    return claim(
        "The four methods perform similarly at S/B ~ 1% (n_sig = 1500: median max SIC CATHODE "
        "14.0, FETA 15.7, SALAD 14.6, CURTAINs 15.3)",
        {"n_sig": n, "ratio_to_median_of_methods": ratio,
         "max_sic": {m: table["metrics"][m][n]["max_sic"]["spread"] for m in methods},
         "paper_max_sic": REFERENCE_MAX_SIC[1500]},
        f"at the largest n_sig, max SIC(method) / median over the methods within "
        f"[{1 / SIMILAR_FACTOR:g}, {SIMILAR_FACTOR:g}] for every method (ratio per repetition)",
        claims.all_of([claims.within(ratio[m], 1 / SIMILAR_FACTOR, SIMILAR_FACTOR)
                       for m in methods]) if methods else claims.decision(claims.UNDETERMINED, None))


def auc_inside_truth_spread(table, overlap) -> dict:
    """(b) At n_sig = 0 each method's median single-run AUC, minus the truth-vs-truth runs'
    median of the same repetition, lies inside the central TRUTH_SPREAD interval of the
    truth-vs-truth runs (their AUCs minus their repetition's median, pooled)."""
    runs = table["auc_single_runs"]
    truth = runs.get("truth", {})
    centred = np.concatenate([np.asarray(v, float) - np.median(v) for v in truth.values()]) \
        if truth else np.array([])
    lo, hi = (np.percentile(centred, TRUTH_SPREAD) if len(centred) > 1 else (None, None))
    methods = [m for m in METHODS if m in runs]
    diff = {m: claims.spread([float(np.median(runs[m][r]) - np.median(truth[r]))
                              for r in sorted(set(runs[m]) & set(truth))], overlap)
            for m in methods}
    decided = (claims.all_of([claims.within(diff[m], lo, hi) for m in methods])
               if methods and lo is not None else claims.decision(claims.UNDETERMINED, None))
    return claim(
        "At n_sig = 0 each method's AUC is consistent with the spread of truth-vs-truth "
        "(random) classifiers (paper Fig. 5)",
        {"n_sig": 0, "auc_minus_truth_median": diff,
         "truth_spread": {"lo": None if lo is None else float(lo),
                          "hi": None if hi is None else float(hi),
                          "percentiles": list(TRUTH_SPREAD), "n_runs": int(len(centred))},
         "auc_median": {m: claims.spread([float(np.median(v)) for v in runs[m].values()], overlap)
                        for m in (*methods, "truth") if m in runs}},
        f"per repetition, median single-run AUC(method) - median AUC(truth vs truth) inside the "
        f"central {TRUTH_SPREAD[1] - TRUTH_SPREAD[0]:g}% of the truth-vs-truth runs (each minus "
        "its repetition's median), for every method",
        decided)


def _p_index(p_grid, p) -> int:
    i = int(np.argmin(np.abs(np.asarray(p_grid) - p)))
    if not np.isclose(p_grid[i], p):
        raise ValueError(f"p = {p} is not in the overlap grid {list(p_grid)}")
    return i


def top_p_agreement(table, overlap) -> dict:
    """(c) At n_sig = 0 the methods agree on the top P_AGREEMENT of background events beyond
    random: the mean over pairs of the excess overlap per repetition above 0."""
    i = _p_index(table["top_p_overlap"]["p"], P_AGREEMENT)
    bkg = table["top_p_overlap"].get("background", {}).get(0, {})
    pairs = [k for k in bkg if k != "all"]
    reps = _common_reps(*(bkg[k]["excess_per_repetition"] for k in pairs)) if pairs else []
    mean = claims.spread([float(np.mean([bkg[k]["excess_per_repetition"][r][i] for k in pairs]))
                          for r in reps], overlap)
    each = {k: claims.spread([v[i] for v in bkg[k]["excess_per_repetition"].values()], overlap)
            for k in bkg}
    return claim(
        "The methods agree on the most signal-like (top-p) background events beyond random "
        "(n_sig = 0, paper Fig. 7: slightly above random for most pairs)",
        {"n_sig": 0, "p": P_AGREEMENT, "mean_pairwise_excess": mean, "excess": each},
        f"at n_sig = 0 and p = {P_AGREEMENT:g}, the mean over method pairs of the top-p overlap "
        "minus the random baseline p, per repetition, above 0 ('all' uses p^3 and is reported)",
        claims.at_least(mean, 0.0))


def correlation_weak_strong(table, overlap) -> dict:
    """(d) At the largest n_sig the mean pairwise Pearson r of the methods' background test
    scores lies below WEAK_R and that of their signal test scores above STRONG_R."""
    n = max(table["n_sig"])
    mean = {}
    for kind in ("background", "signal"):
        pr = table["pearson"].get(kind, {}).get(n, {})
        reps = _common_reps(*(v["per_repetition"] for v in pr.values())) if pr else []
        mean[kind] = claims.spread([float(np.mean([v["per_repetition"][r] for v in pr.values()]))
                                    for r in reps], overlap)
    return claim(
        "Classifier scores are rather uncorrelated on background events but highly correlated "
        "on signal events (n_sig = 1500, paper Figs. 9, 10)",
        {"n_sig": n, "mean_pairwise_r": mean,
         "r": {kind: {p: v["spread"] for p, v in table["pearson"].get(kind, {}).get(n, {}).items()}
               for kind in ("background", "signal")}},
        f"at the largest n_sig, mean pairwise Pearson r of the ensembled scores at most {WEAK_R:g} "
        f"on true background and at least {STRONG_R:g} on signal test events",
        claims.all_of([claims.at_most(mean["background"], WEAK_R),
                       claims.at_least(mean["signal"], STRONG_R)]))


def combined_competitive(table, overlap) -> dict:
    """(e) At the largest n_sig the combined samples' max SIC is at least
    COMPETITIVE_FRACTION of the best single method's (the method with the highest mean; ratio
    per repetition), and its spread over generators x ensembles ((p84 - p16) / median) is
    smaller than the median method's (difference per repetition)."""
    n = max(table["n_sig"])
    methods = _methods(table, n)
    if not methods or "combined_samples" not in table["metrics"] or \
            n not in table["metrics"]["combined_samples"]:
        return claim("The combined samples are competitive with the best single method, with a "
                     "tighter spread", {"n_sig": n}, "no combined samples",
                     claims.decision(claims.UNDETERMINED, None))
    best = max(methods, key=lambda m: table["metrics"][m][n]["max_sic"]["spread"]["mean"])
    comb, top = _max_sic(table, "combined_samples", n), _max_sic(table, best, n)
    ratio = claims.spread([comb[r] / top[r] for r in _common_reps(comb, top)], overlap)
    width = {m: table["relative_width"][m][n] for m in (*methods, "combined_samples")}
    reps = _common_reps(*width.values())
    tighter = claims.spread([width["combined_samples"][r]
                             - float(np.median([width[m][r] for m in methods])) for r in reps],
                            overlap)
    return claim(
        "The combined samples' max SIC is competitive with the best single method, with a much "
        "tighter spread (paper Fig. 13; n_sig = 1500: combined 14.7 vs FETA 15.7)",
        {"n_sig": n, "best_method": best, "max_sic_ratio_combined_over_best": ratio,
         "relative_width_combined_minus_median_method": tighter,
         "relative_width": {m: claims.spread(w.values(), overlap) for m, w in width.items()},
         "paper_max_sic": REFERENCE_MAX_SIC[1500]},
        f"at the largest n_sig, max SIC(combined samples) / max SIC(best method) at least "
        f"{COMPETITIVE_FRACTION:g} (ratio per repetition), and (p84 - p16) / median of the max "
        "SIC over generators x ensembled scores smaller for the combined samples than for the "
        "median method (difference per repetition)",
        claims.all_of([claims.at_least(ratio, COMPETITIVE_FRACTION),
                       claims.at_most(tighter, 0.0)]))


def combination_beats_every_method(table, overlap) -> dict:
    """(f) At the n_sig nearest N_SIG_COMBINATION the combined samples' SIC curve (median over
    generators x ensembles per repetition) lies above each method's at every signal efficiency
    of EFFICIENCY_POINTS: per method and efficiency the difference per repetition, above 0."""
    n = _nearest(table["n_sig"], N_SIG_COMBINATION)
    eff = np.asarray(table["curves"]["signal_efficiency"], float)
    idx = [int(np.argmin(np.abs(eff - e))) for e in EFFICIENCY_POINTS]
    if not np.allclose(eff[idx], EFFICIENCY_POINTS):
        raise ValueError(f"signal efficiencies {EFFICIENCY_POINTS} not all in the curve grid")
    curves = table["curves"]
    methods = [m for m in METHODS if n in curves.get(m, {})]
    comb = curves.get("combined_samples", {}).get(n, {}).get("sic_vs_efficiency", {}).get(
        "per_repetition", {})

    def differences(m):
        own = curves[m][n]["sic_vs_efficiency"]["per_repetition"]
        reps = _common_reps(comb, own)
        return {f"{e:g}": claims.spread([float(comb[r][i] - own[r][i]) for r in reps
                                         if np.isfinite(comb[r][i] - own[r][i])], overlap)
                for e, i in zip(EFFICIENCY_POINTS, idx)}

    diff = {m: differences(m) for m in methods} if comb else {}
    ref = REFERENCE_MAX_SIC[N_SIG_COMBINATION]
    return claim(
        f"At n_sig = {N_SIG_COMBINATION} (S/B 0.47%) the combined samples give a SIC above every "
        f"single method over the range of signal efficiencies (paper Fig. 14; max SIC combined "
        f"{ref['combined_samples']} vs CATHODE {ref['cathode']})",
        {"n_sig": n, "sic_difference_combined_minus_method": diff,
         "smallest_mean_difference": {m: min((d["mean"] for d in v.values() if d["mean"] is not None),
                                             default=None) for m, v in diff.items()},
         "max_sic": {m: table["metrics"][m][n]["max_sic"]["spread"]
                     for m in (*methods, *COMBINATIONS) if n in table["metrics"].get(m, {})},
         "paper_max_sic": ref},
        f"at the n_sig nearest {N_SIG_COMBINATION}, SIC(combined samples) - SIC(method) (median "
        f"curves over generators x ensembles, difference per repetition) above 0 at each signal "
        f"efficiency {', '.join(f'{e:g}' for e in EFFICIENCY_POINTS)}, for every method",
        claims.all_of([claims.at_least(d, 0.0) for v in diff.values() for d in v.values()])
        if diff else claims.decision(claims.UNDETERMINED, None))


def noise_ratio(table, noisy, overlap):
    """(n_sig, spread over repetitions of the median over methods of max SIC(noisy) / max
    SIC(table)) at the largest n_sig of ``noisy``; (None, None) when they share none."""
    common = sorted(set(table["n_sig"]) & set(noisy["n_sig"]))
    if not common:
        return None, None
    n = common[-1]
    methods = [m for m in _methods(table, n) if m in _methods(noisy, n)]
    reps = _common_reps(*(_max_sic(t, m, n) for t in (table, noisy) for m in methods))
    return n, claims.spread([float(np.median([_max_sic(noisy, m, n)[r] / _max_sic(table, m, n)[r]
                                              for m in methods])) for r in reps], overlap)


def trees_robust_to_noise(tables, overlap) -> dict | None:
    """(g) Beyond the paper: with 10 noise features the tree classifier keeps at least
    ROBUST_FRACTION of its max SIC (median over methods of the per-repetition ratio); the
    NN's ratio is reported. None without the hgb and hgb_noise variants."""
    if "hgb" not in tables or "hgb_noise" not in tables:
        return None
    n, hgb = noise_ratio(tables["hgb"], tables["hgb_noise"], overlap)
    nn = (noise_ratio(tables["nn"], tables["nn_noise"], overlap)[1]
          if "nn" in tables and "nn_noise" in tables else None)
    return claim(
        "Beyond the paper ('Back to the roots', arXiv 2309.13111): with 10 added noise features "
        "a tree-based classifier keeps its sensitivity (the paper-era NN collapses: reported, "
        "not decided)",
        {"n_sig": n, "max_sic_ratio_noise_over_nominal": {"hgb": hgb, "nn": nn}},
        f"median over the methods of max SIC(with noise) / max SIC(without), per repetition, at "
        f"least {ROBUST_FRACTION:g} for hgb; the NN's ratio reported",
        claims.at_least(hgb, ROBUST_FRACTION) if hgb is not None
        else claims.decision(claims.UNDETERMINED, None))


#: The statements decided for each classifier variant without noise features.
PER_VARIANT = {"similar_performance": similar_performance,
               "auc_inside_truth_spread": auc_inside_truth_spread,
               "top_p_agreement_beyond_random": top_p_agreement,
               "background_weak_signal_strong_correlation": correlation_weak_strong,
               "combined_samples_competitive_and_tighter": combined_competitive,
               "combination_beats_every_method": combination_beats_every_method}


def statements(tables: dict, overlap: float = 0.0) -> dict:
    """Each statement decided for every variant of ``tables`` ({variant: :func:`variant_table`})
    without noise features: the paper's classifier (PRIMARY) unsuffixed, others with
    '_{variant}' and the variant named in the paper text; plus trees_robust_to_noise_features
    when the noise variants exist. ``overlap``: the background fraction the repetitions share."""
    out = {}
    variants = sorted((v for v in tables if v not in NOISE_VARIANTS), key=lambda v: v != PRIMARY)
    for v in variants:
        for key, f in PER_VARIANT.items():
            c = f(tables[v], overlap)
            if v != PRIMARY:
                c["paper"] = f"{c['paper']} [common classifier: {v}]"
            out[key if v == PRIMARY else f"{key}_{v}"] = c
    robust = trees_robust_to_noise(tables, overlap)
    if robust is not None:
        out["trees_robust_to_noise_features"] = robust
    return out


# ---------------------------------------------------------------------------- build


def jsonable(x):
    """``x`` with NumPy arrays and scalars as lists and numbers, NaN as None (JSON null)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer, int)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if not np.isfinite(x) else float(x)
    return x


def build(score_paths, synthetic_paths=(), multiclass_paths=(), features=None) -> dict:
    """The summary from the scores, synthetic and multiclass files (module docstring);
    ``features``: the classifier features (config ``features``; default: the scores files'
    columns other than is_signal and mjj). Reads one injection and variant's parts at a time."""
    evaluations, records, truth_files = {}, [], {}
    for parts in score_groups(score_paths).values():
        ev = evaluate(parts)
        evaluations.setdefault(ev["variant"], []).append(ev)
        if ev["record"]:
            records.append(ev["record"])
        if ev["n_sig"] == 0:
            truth_files.setdefault(ev["rep"], parts[0])
    if not evaluations:
        raise ValueError("complementarity summary: no scores files")
    overlap = inject.shared_fraction(records)
    seeds = inject.summary_seeds(records)
    if features is None:
        with h5py.File(next(iter(truth_files.values())) if truth_files else sorted(score_paths)[0]) as f:
            features = [c for c in f if c not in ("score", "is_signal", "mjj")]
    columns = [*features, "mjj"]
    tables = {v: variant_table(evs, overlap) for v, evs in sorted(evaluations.items())}
    by_rep = {}
    for p in synthetic_paths:
        _, n, rep, _ = file_label(p, "synthetic")
        if n == 0:
            by_rep.setdefault(rep, []).append(p)
    missing = sorted(set(by_rep) - set(truth_files))
    if missing:
        raise h5io.InputError(f"synthetic samples of nsig0_rep{missing[0]} but no scores file "
                              "of that injection (its test set is the truth)")
    ks = ks_summary({rep: ks_tables(paths, truth_background(truth_files[rep], columns), columns)
                     for rep, paths in sorted(by_rep.items())}, overlap)
    first = next(iter(evaluations.values()))[0]
    summary = {
        "features": list(features), "ks_columns": columns,
        "methods": first["methods"], "lines": [m for m in LINES if m in tables[next(iter(tables))]["metrics"]],
        "primary_variant": PRIMARY if PRIMARY in tables else next(iter(tables)),
        "variants": list(tables), "ensemble": first["ensemble"], "n_generators": first["n_generators"],
        "n_test": first["n_test"], "repetition_overlap": overlap,
        "per_variant": tables, "ks": ks,
        "multiclass": multiclass_table(sorted(multiclass_paths), overlap),
        "reference": {"max_sic": REFERENCE_MAX_SIC, "supervised_max_sic": REFERENCE_SUPERVISED_MAX_SIC,
                      "ks": REFERENCE_KS},
        "thresholds": {"similar_factor": SIMILAR_FACTOR, "truth_spread_percentiles": TRUTH_SPREAD,
                       "p_agreement": P_AGREEMENT, "weak_r": WEAK_R, "strong_r": STRONG_R,
                       "competitive_fraction": COMPETITIVE_FRACTION,
                       "n_sig_combination": N_SIG_COMBINATION, "efficiency_points": EFFICIENCY_POINTS,
                       "robust_fraction": ROBUST_FRACTION},
        "statements": statements(tables, overlap),
        "repetition_seeds": seeds}
    return jsonable(summary)


def generator_cost(records) -> dict:
    """Per method, from the synthetic jobs' records ({method, n_sb_train, n_sb_val, n_sim,
    generators: [{fit_seconds, sample_seconds, n_events}]}): the median over every generator
    training of its fit time (s, one thread), of the events given to fit (sideband data,
    training and validation, plus the simulation for SALAD and FETA), of the fit time per
    100k of those events, and of the sampling time and size."""
    per = {}
    for r in records:
        n_fit = r["n_sb_train"] + r["n_sb_val"] + (r.get("n_sim") or 0)
        for g in r["generators"]:
            per.setdefault(r["method"], []).append(
                (g["fit_seconds"], n_fit, 1e5 * g["fit_seconds"] / n_fit, g["sample_seconds"],
                 g["n_events"]))
    keys = ("fit_seconds", "fit_events", "fit_seconds_per_100k", "sample_seconds", "sample_events")
    return {m: {"trainings": len(v), **{k: float(np.median([row[i] for row in v]))
                                          for i, k in enumerate(keys)}}
            for m, v in sorted(per.items())}
