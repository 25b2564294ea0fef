"""The SA-CWoLa study's summary (results/{study}/summary.json) from its inputs.

- :func:`over_reps`, :func:`lambda_scan`: classifier metrics (AUC, SIC; dimensionless) as
  :func:`radflow.stats.claims.spread` (mean, std, n, standard error) over repetitions, per
  method, and per loss form and lambda (keys '%g').
- :func:`bump_hunt`: per case (with_signal, background_only) and method, the significance Z
  (in standard deviations) per selection efficiency (keys '%g') over converged fits, the
  largest Z of each repetition, and the fraction of failed fits (eps < 1). Failed fits count
  the same way for every method: as failed, with no number.
- :func:`statements`: each statement of the SA-CWoLa paper decided against its statistical
  error (radflow.stats.claims).
- :func:`build`: the summary dict written as JSON.
"""
from radflow import inject
from radflow.methods import cwola
from radflow.stats import claims
from radflow.stats.claims import claim

#: AUC difference within which two methods count as 'comparable' / 'nearly recovered'.
AUC_TOLERANCE = 0.05


def over_reps(runs, key, metric):
    """{method: spread of runs[key][method][metric] over repetitions (error corrected for
    the background they share)}."""
    overlap = inject.shared_fraction(runs)
    return {m: claims.spread([r[key][m][metric] for r in runs], overlap) for m in runs[0][key]}


def lambda_scan(sig, bkg, forms):
    out = {}
    for form in forms:
        for m in sig[0]["methods"]:
            parsed = cwola.parse_method(m)
            if parsed is None or (parsed[0] != form and parsed[1] != 0):
                continue
            out.setdefault(form, {})[f"{parsed[1]:g}"] = {
                k: {metric: claims.spread([r[k][m][metric] for r in runs],
                                          inject.shared_fraction(runs))
                    for metric in ("auc", "sic_at_50")}
                for k, runs in (("signal_vs_background", sig), ("sr_vs_sb", bkg))}
    return out


def bump_hunt(fits, overlap=0.0):
    """Per case and method over repetitions: Z per efficiency (spread over converged fits),
    the largest Z of each repetition, and the fraction of failed threshold fits (eps < 1);
    ``overlap``: the background fraction the repetitions share (claims.spread)."""
    out = {}
    for case, key in (("with_signal", "z"), ("background_only", "z_signed")):
        for m in fits["repetitions"][0][case]["methods"]:
            per_rep = [rep[case]["methods"][m] for rep in fits["repetitions"]]
            cut = [[f for f in fr if f["efficiency"] < 1.0] for fr in per_rep]
            n_cut = sum(len(c) for c in cut)
            out.setdefault(case, {})[m] = {
                "z": {f"{e:g}": claims.spread([fr[i][key] for fr in per_rep if fr[i]["converged"]],
                                              overlap)
                      for i, e in enumerate(fits["efficiencies"])},
                "max_z": claims.spread([max((f[key] for f in c if f["converged"]), default=None)
                                        for c in cut], overlap),
                "failed_fraction": sum(not f["converged"] for c in cut for f in c) / n_cut}
            if case == "with_signal":
                out[case][m]["z_residual_corrected"] = {
                    f"{e:g}": claims.spread([fr[i]["z_residual_corrected"] for fr in per_rep],
                                            overlap)
                    for i, e in enumerate(fits["efficiencies"])}
    return out


#: 'fewer than half of the fits fail' / 'at least half fail' (sculpting).
FAILED_FRACTION = 0.5
#: 'no spurious significance': the background-only largest Z at most this (Fig. 7).
SPURIOUS_Z = 2.0


def paired(runs, name, a, b, overlap: float = 0.0):
    """Spread over repetitions of AUC(a) - AUC(b), formed within each repetition (same test
    set and signal draw); ``name`` maps roles to the methods' output keys; ``overlap`` the
    background fraction the repetitions share (radflow.stats.claims.spread)."""
    return claims.spread([r["signal_vs_background"][name[a]]["auc"]
                          - r["signal_vs_background"][name[b]]["auc"] for r in runs], overlap)


def statements(auc, diffs, sr_sb, bh, no_cut, lam) -> dict:
    """Each statement of the SA-CWoLa paper decided (radflow.stats.claims): ``auc`` {role:
    spread}, ``diffs`` the paired AUC differences ("cwola-optimal_cwola", "sa_cwola-optimal_cwola",
    "salad-sa_cwola"), ``sr_sb`` the background-only SR-vs-SB AUCs, ``bh`` :func:`bump_hunt`,
    ``no_cut`` the background-only fit without selection, ``lam`` the nominal lambda."""
    bkg = bh["background_only"]
    sculpted = bkg["cwola"]
    others = {m: v for m, v in bkg.items() if m != "cwola"}
    return {
        "cwola_classifier_fails": claim(
            "plain CWoLa fails under alpha = 0.1: it is far below optimal CWoLa (Fig. 2)",
            {"auc_cwola_minus_optimal": diffs["cwola-optimal_cwola"], "auc_cwola": auc["cwola"],
             "auc_optimal_cwola": auc["optimal_cwola"],
             "auc_sr_vs_sb_cwola_background_only": sr_sb["cwola"]},
            f"AUC(CWoLa) - AUC(optimal CWoLa) below -{AUC_TOLERANCE} (paired per repetition)",
            claims.at_most(diffs["cwola-optimal_cwola"], -AUC_TOLERANCE)),
        "cwola_sculpts_background": claim(
            "thresholds on CWoLa sculpt the background mjj spectrum so that it cannot be fit (Fig. 5)",
            {"failed_fraction_background_only": sculpted["failed_fraction"],
             "max_z_background_only": sculpted["max_z"]},
            f"background-only CWoLa thresholds (eps_B < 1, all repetitions): at least "
            f"{FAILED_FRACTION:g} of the fits fail, or the largest Z is above {SPURIOUS_Z:g}",
            claims.any_of([claims.test(sculpted["failed_fraction"] >= FAILED_FRACTION),
                           claims.at_least(sculpted["max_z"], SPURIOUS_Z)])),
        "sa_cwola_recovers_optimal": claim(
            f"SA-CWoLa (eq. 2.3) with lambda = {lam:g} nearly recovers optimal CWoLa (Fig. 2)",
            {"auc_sa_cwola_minus_optimal": diffs["sa_cwola-optimal_cwola"],
             "auc_sa_cwola": auc["sa_cwola"], "auc_optimal_cwola": auc["optimal_cwola"],
             "auc_sr_vs_sb_sa_cwola_background_only": sr_sb["sa_cwola"]},
            f"AUC(SA-CWoLa) - AUC(optimal CWoLa) above -{AUC_TOLERANCE} (paired per repetition)",
            claims.at_least(diffs["sa_cwola-optimal_cwola"], -AUC_TOLERANCE)),
        "salad_comparable_to_sa_cwola": claim(
            "SALAD is comparable to SA-CWoLa (Fig. 2)",
            {"auc_salad_minus_sa_cwola": diffs["salad-sa_cwola"], "auc_salad": auc["salad"],
             "auc_sa_cwola": auc["sa_cwola"]},
            f"AUC(SALAD) - AUC(SA-CWoLa) within {AUC_TOLERANCE} of 0 (paired per repetition)",
            claims.within(diffs["salad-sa_cwola"], -AUC_TOLERANCE, AUC_TOLERANCE)),
        "background_fit_good": claim(
            "the background-only fit without selection is good (Fig. 4)",
            {k: no_cut.get(k) for k in ("converged", "gof_pvalue", "deviance", "ndf")},
            "fit converged and goodness-of-fit p > 0.05 (calibrated: chi2 of the deviance)",
            claims.test(no_cut["converged"] and no_cut["gof_pvalue"] > 0.05)),
        "no_spurious_significance": claim(
            "background-only thresholds on the other methods give no spurious significance (Fig. 7)",
            {m: {"max_z": v["max_z"], "failed_fraction": v["failed_fraction"]} for m, v in others.items()},
            f"for every method but CWoLa: fewer than {FAILED_FRACTION:g} of the fits fail and the "
            f"largest Z is at most {SPURIOUS_Z:g} (the rule that calls CWoLa sculpted)",
            claims.all_of(claims.all_of([claims.test(v["failed_fraction"] < FAILED_FRACTION),
                                         claims.at_most(v["max_z"], SPURIOUS_Z)])
                          for v in others.values())),
    }


def build(sig, bkg, fits) -> dict:
    """The summary: ``sig`` / ``bkg`` the sacwola_train metric dicts per repetition with
    signal and background only, ``fits`` the bump-hunt fits dict."""
    lam = fits["nominal_lambda"]
    name = {m: cwola.resolve(m, lam) for m in ("cwola", "sa_cwola", "sa_cwola_flipped", "salad",
                                                  "optimal_cwola", "data_vs_sim", "supervised")}
    name = {k: v for k, v in name.items() if v in sig[0]["methods"]}
    per_method = {metric: over_reps(sig, "signal_vs_background", metric)
                  for metric in ("auc", "sic_at_50", "max_sic")}
    auc = {k: per_method["auc"][v] for k, v in name.items()}
    sr_sb = {k: over_reps(bkg, "sr_vs_sb", "auc")[name[k]] for k in ("cwola", "sa_cwola")}
    no_cut = next(f for f in next(iter(fits["cases"]["background_only"]["methods"].values()))
                  if f["efficiency"] == 1.0)
    overlap = inject.shared_fraction(sig)
    bh = bump_hunt(fits, overlap)
    diffs = {f"{a}-{b}": paired(sig, name, a, b, overlap) for a, b in
             (("cwola", "optimal_cwola"), ("sa_cwola", "optimal_cwola"), ("salad", "sa_cwola"))}
    forms = sorted({cwola.parse_method(m)[0] for m in sig[0]["methods"]
                    if cwola.parse_method(m) and cwola.parse_method(m)[1] > 0})
    summary = {
        "repetitions": len(sig), "n_train": sig[0]["n_train"], "n_test": sig[0]["n_test"],
        "n_injected_train_sr": claims.spread([r["n_injected_train_sr"] for r in sig]),
        "n_train_data_sr": sig[0]["n_train_data_sr"],
        "classifiers": {m: {metric: per_method[metric][m] for metric in per_method}
                        for m in sig[0]["methods"]},
        "auc": auc, "lambda_scan": lambda_scan(sig, bkg, forms), "bump_hunt": bh,
        "background_fit_no_selection": no_cut,
        "statements": statements(auc, diffs, sr_sb, bh, no_cut, lam),
        "repetition_seeds": inject.summary_seeds(sig + bkg),
    }
    return summary
