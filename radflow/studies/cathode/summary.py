"""The CATHODE study's summary (results/{study}/summary.json) from its inputs.

- :func:`load`: classifier metric files grouped as {n_sig: {repetition: run}}.
- :func:`per_method`: AUC, max SIC and SIC at 50% signal efficiency (dimensionless) of
  supervised, idealized AD, CATHODE, CWoLa and ANODE per injected signal count, each a
  :func:`radflow.stats.claims.spread` (mean, std, n, standard error) over repetitions.
- :func:`statements`: each statement of the CATHODE paper decided against its statistical
  error (radflow.stats.claims); ratios and differences between methods are formed per
  repetition (same test set and signal draw) before their spread is taken (:func:`paired`).
- :func:`build`: the summary dict written as JSON, with the flow training and sampling times
  (seconds, spread over flows).
"""
import json
import math

from radflow import inject
from radflow.stats import claims
from radflow.stats.claims import claim

METRICS = ("auc", "max_sic", "sic_at_50")
#: CATHODE paper (arXiv 2109.00546), median max SIC at S/B ~ 0.6% in the LHCO R&D set.
REFERENCE_MAX_SIC = {"supervised": 17.6, "idealized": 15.1, "cathode": 14.0, "cwola": 10.75,
                     "anode": 6.46}
REFERENCE_SHIFT_MAX_SIC = {"idealized": 10.5, "cathode": 10.2, "anode": 5.3, "cwola": 1.04}
#: 'approaches the idealized detector': at least this fraction of its max SIC.
APPROACH_FRACTION = 0.8
#: 'CWoLa fails': below this fraction of the idealized detector's max SIC.
FAIL_FRACTION = 0.5


def load(paths):
    runs = {}
    for p in paths:
        r = json.loads(open(p).read())
        _, n, rep = inject.parse(r["injection"])
        runs.setdefault(int(n), {})[rep] = r
    return runs


def per_method(runs):
    """{n_sig: {method: {metric: spread over repetitions (error corrected for the background
    they share)}}}."""
    return {n: {m: {k: claims.spread([r["signal_vs_background"][m][k] for r in reps.values()],
                                     inject.shared_fraction(reps.values()))
                    for k in METRICS}
                for m in next(iter(reps.values()))["methods"]}
            for n, reps in sorted(runs.items())}


def paired(reps, f):
    """Spread over repetitions of f(run) (a ratio or difference within one repetition; error
    corrected for the background they share)."""
    return claims.spread([f(r["signal_vs_background"]) for r in reps.values()],
                         inject.shared_fraction(reps.values()))


def control_spread(zero, overlap: float = 0.0) -> dict:
    """The truth-vs-truth control AUC (:func:`radflow.methods.cathode.template_quality`)
    over the n_sig = 0 repetitions: its mean estimate (:func:`radflow.stats.claims.spread`),
    ``sd`` the spread of one control classifier's AUC (the repetitions' standard deviation or
    the AUCs' own Hanley-McNeil error, the larger) and ``half_width`` = z x sd (z = 1.96 at
    95%), the half-width of the band that one classifier trained on two samples of the same
    background falls in (a Gaussian z, not Student's t: fewer repetitions must not widen the
    tolerance)."""
    s = claims.spread([q["control_auc"] for q in zero], overlap)
    own = math.sqrt(sum(claims.auc_error(q["control_auc"], q["n_background_test"], q["n_control"]) ** 2
                        for q in zero) / len(zero))
    # Repetitions sharing the fraction ``overlap`` of their background scatter by
    # sqrt(1 - overlap) less than independent ones.
    sd = max((s["std"] or 0.0) / math.sqrt(1.0 - overlap), own)
    return dict(s, sd=sd, half_width=claims.quantile(None) * sd)


def statements(runs, shift_runs, n_nominal):
    """Each statement of the CATHODE paper decided (radflow.stats.claims); ratios and
    differences between methods formed per repetition (:func:`paired`)."""
    nom = runs[n_nominal]
    ratio = paired(nom, lambda s: s["cathode"]["max_sic"] / s["idealized"]["max_sic"])
    diff = paired(nom, lambda s: s["cathode"]["max_sic"] - s["anode"]["max_sic"])
    out = {"cathode_approaches_idealized": claim(
        "CATHODE approaches the idealized anomaly detector (max SIC 14.0 vs 15.1)",
        {"n_sig": n_nominal, "max_sic_ratio_cathode_over_idealized": ratio},
        f"max SIC(CATHODE) / max SIC(idealized) at least {APPROACH_FRACTION} (ratio per repetition)",
        claims.at_least(ratio, APPROACH_FRACTION)),
        "anode_below_cathode": claim(
            "ANODE is below CATHODE (max SIC 6.5 vs 14.0)",
            {"n_sig": n_nominal, "max_sic_cathode_minus_anode": diff},
            "max SIC(CATHODE) - max SIC(ANODE) above 0 (difference per repetition)",
            claims.at_least(diff, 0.0))}
    zero = [r["template_quality"] for r in runs.get(0, {}).values()]
    if zero:
        overlap = inject.shared_fraction(runs[0].values())
        template = claims.spread([q["classifier_auc"] for q in zero], overlap)
        control = control_spread(zero, overlap)
        diff = claims.difference(template, control)
        ks = {c: claims.spread([q["ks"][c]["statistic"] for q in zero], overlap) for c in zero[0]["ks"]}
        signal_auc0 = claims.spread([r["signal_vs_background"]["cathode"]["auc"]
                                     for r in runs[0].values()], overlap)
        out["template_matches_background"] = claim(
            "The flow's SR samples match the SR background (data-vs-samples AUC ~ 0.5 at n_sig = 0)",
            {"auc_data_vs_template": template, "auc_truth_vs_truth": control,
             "template_minus_truth": diff, "signal_auc_at_nsig0": signal_auc0,
             "ks_statistic": ks,
             "ks_pvalue_smallest": {c: min(q["ks"][c]["pvalue"] for q in zero) for c in ks}},
            "at n_sig = 0, AUC(data vs template) - AUC(truth vs truth) within the truth-vs-truth "
            "band (1.96 x the spread of one classifier trained on data vs the extra background and "
            "scored on background it never saw); KS per feature and the background-only signal "
            "AUC reported",
            claims.within(diff, -control["half_width"], control["half_width"]))
    if shift_runs and n_nominal in shift_runs:
        sh = shift_runs[n_nominal]
        c_ratio = paired(sh, lambda s: s["cathode"]["max_sic"] / s["idealized"]["max_sic"])
        w_ratio = paired(sh, lambda s: s["cwola"]["max_sic"] / s["idealized"]["max_sic"])
        out["cathode_robust_cwola_fails_under_shift"] = claim(
            "With m_j -> m_j + 0.1 mjj, CATHODE stays close to the idealized detector (10.2 vs "
            "10.5) while CWoLa fails (1.04)",
            {"n_sig": n_nominal, "max_sic_ratio_cathode_over_idealized": c_ratio,
             "max_sic_ratio_cwola_over_idealized": w_ratio},
            f"CATHODE / idealized at least {APPROACH_FRACTION} and CWoLa / idealized below "
            f"{FAIL_FRACTION} (max SIC ratios per repetition)",
            claims.all_of([claims.at_least(c_ratio, APPROACH_FRACTION),
                           claims.at_most(w_ratio, FAIL_FRACTION)]))
    return out


def build(runs, shift, flows) -> dict:
    """The summary: ``runs`` / ``shift`` as :func:`load` (nominal and shifted classifiers),
    ``flows`` the flow-training dicts."""
    n_nominal = max(runs)
    summary = {
        "n_sig_nominal": n_nominal, "repetitions": len(runs[n_nominal]),
        "n_test": next(iter(runs[n_nominal].values()))["n_test"],
        "n_injected_train_sr": {n: [r["n_injected_train_sr"] for r in reps.values()]
                                for n, reps in sorted(runs.items())},
        "signal_vs_background": per_method(runs),
        "shift": per_method(shift) if shift else None,
        "reference_max_sic": {"nominal": REFERENCE_MAX_SIC, "shift": REFERENCE_SHIFT_MAX_SIC},
        "flow_training_seconds": claims.spread([f["train_seconds"] for f in flows]),
        "flow_sampling_seconds": claims.spread([f["sample_seconds"] for f in flows]),
        "statements": statements(runs, shift, n_nominal),
        "repetition_seeds": inject.summary_seeds(
            [r for reps in runs.values() for r in reps.values()])}
    return summary
