"""The SALAD study's summary (results/{study}/summary.json) from its inputs.

- :func:`sensitivity`: the Fig. 8 metrics (AUC, max SIC, FPR and SIC at 50% signal
  efficiency; dimensionless) per metric, line and S/B (keys '%g'), each a
  :func:`radflow.stats.claims.spread` over repetitions of the repetition's mean over its
  classifiers.
- :func:`background_estimate`: the Fig. 9 background estimate (eq. 2.4) from the scores of
  the classifier trained without signal: per DCTR weighting and data efficiency (keys '%g'
  of ``A9_EFFICIENCIES``) the [predicted / true, its error] pair (a ratio).
- :func:`statements`: each paper statement decided against its statistical error
  (radflow.stats.claims).
- :func:`build`: the summary dict written as JSON.
"""
import numpy as np

from radflow import inject
from radflow.stats import background, claims
from radflow.stats.claims import claim

METRICS = ("auc", "max_sic", "fpr_at_50", "sic_at_50")
A9_EFFICIENCIES = (0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0)


def sensitivity(runs) -> dict:
    """{metric: {line: {sb: spread over repetitions (error corrected for the background
    they share)}}}; keys of sb as '%g'."""
    per_rep = {}
    for r in runs:
        _, sb, rep = inject.parse(r["injection"])
        for line, vals in r["lines"].items():
            for m in METRICS:
                per_rep.setdefault(m, {}).setdefault(line, {}).setdefault(sb, []).append(
                    float(np.mean(vals[m])))
    overlap = inject.shared_fraction(runs)
    return {m: {line: {f"{sb:g}": claims.spread(v, overlap) for sb, v in sorted(by_sb.items())}
                for line, by_sb in lines.items()} for m, lines in per_rep.items()}


#: 'indistinguishable' (DCTR closure): the weighted data-vs-sim AUC within this of 0.5.
CLOSURE_TOLERANCE = 0.02
#: 'accurate within a few %' (Fig. 9): the predicted / true background within this of 1.
PREDICTION_TOLERANCE = 0.05
#: 'tracks the ideal line' (Fig. 8): SIC50(SALAD) within this fraction of SIC50(ideal).
TRACK_FRACTION = 0.2


def statements(a8, a9, closure) -> dict:
    """Each statement of the SALAD paper decided (radflow.stats.claims): a8 / a9 as
    :func:`sensitivity` / :func:`background_estimate` (a9 entries [ratio, error]),
    ``closure`` the dctr_closure dict (AUCs with Hanley-McNeil errors per region)."""
    sbs = sorted(a8["auc"]["salad"], key=float)
    nonzero = [sb for sb in sbs if float(sb) > 0]

    def auc(region, key):
        c = closure[region]
        return claims.estimate(c[f"auc_{key}"], c[f"auc_{key}_err"])

    def ratio(k, e):
        return claims.estimate(*a9[k][e])

    half = (0.5 - CLOSURE_TOLERANCE, 0.5 + CLOSURE_TOLERANCE)
    a9_at = {k: {e: ratio(k, e) for e in ("0.1", "0.03", "0.01")} for k in ("with_dctr", "without_dctr")}
    tracks = {sb: claims.difference(a8["sic_at_50"]["salad"][sb], a8["sic_at_50"]["ideal"][sb])
              for sb in nonzero if float(sb) >= 0.01}
    ideal = {sb: a8["sic_at_50"]["ideal"][sb]["mean"] for sb in tracks}
    beats = {sb: claims.difference(a8["auc"]["salad"][sb], a8["auc"]["sim_only"][sb])
             for sb in nonzero}
    sb_min = min(nonzero, key=float)
    return {
        "dctr_closes_in_sidebands": claim(
            "DCTR closes in the sidebands: data vs reweighted sim is indistinguishable (Fig. 4)",
            {"auc_dctr": auc("sb", "dctr"), "auc_raw": auc("sb", "raw"),
             "n_eval_data": closure["sb"]["n_eval_data"], "n_eval_sim": closure["sb"]["n_eval_sim"]},
            f"held-out SB: weighted AUC within {CLOSURE_TOLERANCE:g} of 0.5 and unweighted AUC "
            "above 0.5 (Hanley-McNeil errors)",
            claims.all_of([claims.within(auc("sb", "dctr"), *half),
                           claims.at_least(auc("sb", "raw"), 0.5)])),
        "dctr_closes_in_sr": claim(
            "the interpolated DCTR weights close in the SR ('excellent closure', Fig. 6)",
            {"auc_dctr": auc("sr", "dctr"), "auc_raw": auc("sr", "raw")},
            f"SR test half: weighted AUC within {CLOSURE_TOLERANCE:g} of 0.5",
            claims.within(auc("sr", "dctr"), *half)),
        "no_dctr_underpredicts": claim(
            "without DCTR the background prediction is too low by a factor 2 or more below 10% "
            "data efficiency (Fig. 9)", {f"predicted_over_true_at_{e}": a9_at["without_dctr"][e]
                                         for e in ("0.03", "0.01")},
            "predicted/true <= 0.5 at 3% and 1% data efficiency",
            claims.all_of(claims.at_most(a9_at["without_dctr"][e], 0.5) for e in ("0.03", "0.01"))),
        "dctr_prediction_within_few_percent": claim(
            "with DCTR the prediction is accurate within a few % down to 1% data efficiency (Fig. 9)",
            {f"predicted_over_true_at_{e}": v for e, v in a9_at["with_dctr"].items()},
            f"predicted/true within {PREDICTION_TOLERANCE:g} of 1 at 10%, 3% and 1%",
            claims.all_of(claims.within(v, 1 - PREDICTION_TOLERANCE, 1 + PREDICTION_TOLERANCE)
                          for v in a9_at["with_dctr"].values())),
        "salad_tracks_ideal": claim(
            "SALAD's SIC at 50% signal efficiency tracks the ideal (Pythia) line down to S/B ~ 1% (Fig. 8)",
            {sb: {"salad_minus_ideal": d, "sic50_ideal": ideal[sb]} for sb, d in tracks.items()},
            f"SIC50(SALAD) - SIC50(ideal) within {TRACK_FRACTION:g} x SIC50(ideal) at every "
            "S/B >= 1% (spread over repetitions)",
            claims.all_of(claims.within(d, -TRACK_FRACTION * ideal[sb], TRACK_FRACTION * ideal[sb])
                          for sb, d in tracks.items())),
        "salad_effective_at_lowest_sb": claim(
            f"SALAD is effective down to S/B ~ 0.5% (Fig. 8; our lowest S/B > 0: {sb_min})",
            {"auc_salad": a8["auc"]["salad"][sb_min]},
            f"AUC(SALAD) above 0.5 at S/B = {sb_min}",
            claims.at_least(a8["auc"]["salad"][sb_min], 0.5)),
        "salad_beats_sim_only": claim(
            "SALAD improves on the simulation-only classifier (Fig. 8)",
            {sb: {"auc_salad_minus_sim_only": d} for sb, d in beats.items()},
            "AUC(SALAD) - AUC(sim only) above 0 at every S/B > 0",
            claims.all_of(claims.at_least(d, 0.0) for d in beats.values())),
        "sim_only_antitags_at_zero": claim(
            "the sim-only classifier has AUC < 0.5 as S/B -> 0: signal is more sim-like (Fig. 8)",
            {"auc_sim_only_sb0": a8["auc"]["sim_only"]["0"]}, "AUC(sim only, S/B = 0) below 0.5",
            claims.at_most(a8["auc"]["sim_only"]["0"], 0.5)),
    }


def background_estimate(scores, sideband_norm) -> dict:
    """{with_dctr | without_dctr: {efficiency '%g': [float, ...]}}: the background prediction
    of :func:`radflow.stats.background.background_prediction` at each of A9_EFFICIENCIES,
    from ``scores`` (columns of the background-only scores file: score_salad, label,
    sim_score_salad, sim_w) and the sideband normalisation (its attribute sideband_norm)."""
    sc, norm = scores, sideband_norm
    data = sc["score_salad"][sc["label"] == 0]
    return {k: {f"{e:g}": [float(v) for v in background.background_prediction(
                data, sc["sim_score_salad"], w, norm, e)] for e in A9_EFFICIENCIES}
            for k, w in (("with_dctr", sc["sim_w"]), ("without_dctr", np.ones_like(sc["sim_w"])))}


def build(runs, closure, scores, sideband_norm) -> dict:
    """The summary: ``runs`` the salad_lines metric dicts (one per injection), ``closure``
    the dctr_closure dict, ``scores`` / ``sideband_norm`` as :func:`background_estimate`."""
    a8 = sensitivity(runs)
    a9 = background_estimate(scores, sideband_norm)
    summary = {"repetitions": max(r["repetition"] for r in runs) + 1,
               "n_independent_sr": runs[0]["n_independent_sr"], "n_sim_sr": runs[0]["n_sim_sr"],
               "closure": closure, "sensitivity": a8, "background_estimate": a9,
               "statements": statements(a8, a9, closure),
               "repetition_seeds": inject.summary_seeds(runs)}
    s = a8["max_sic"]["salad"]
    above = [float(sb) for sb, v in s.items() if v["mean"] > 2.0]
    summary["smallest_sb_salad_max_sic_above_2"] = min(above) if above else None
    return summary
