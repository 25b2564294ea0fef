"""Local and global significance of a study's mass-hypothesis scan (radflow.stats.mass_scan):
the summary (results/{study}/scan/summary.json) from the observed scan (one per training
seed), the pseudo-experiment blocks and the reference-experiment blocks.

- :func:`experiment_array`: the local Z (standard deviations) of pseudo- or reference
  experiments as an array of shape (T, methods, windows, efficiencies), NaN for failed fits,
  in experiment order.
- :func:`build`: per training seed of the observed scan its local Z (seeds, M, W, E), its
  largest local Z, global p-value (binomial error from the pseudo-experiment count) and the
  Gross-Vitells cross-check along the windows at its method and efficiency; the median seed's
  numbers with the spread over seeds (:func:`radflow.stats.claims.robust`); the
  pseudo-experiments' distribution of the largest local Z and the number of them that 10%
  relative error at Z_global = 2 needs (:func:`required_pseudo_experiments`); the
  calibration: the reference experiments' global p-values against the pseudo-experiments,
  their coverage at :data:`ALPHAS` and KS p-value; and per seed whether the most significant
  window holds the injected signal.
- :func:`statements`: radflow's statements about its scan, each holding, failing or
  undetermined (:mod:`radflow.stats.claims`).
- :func:`coverage_verdict_probabilities`: the exact probability of each verdict of the
  calibration check at one threshold for a number of reference experiments and a true
  coverage (its false-alarm rate and power).
"""
import math
import warnings

import numpy as np
from scipy import stats as sps

from radflow.stats import claims, mass_scan as scan_stats, significance

#: Relative precision of the global p-value the default run is sized for, at Z_global = 2.
TARGET_RELATIVE_ERROR, TARGET_Z = 0.1, 2.0
#: Global p-value thresholds at which the reference experiments' coverage is checked.
ALPHAS = (0.05, 0.1, 0.2)
#: The calibration fails when the fraction of reference p-values <= alpha exceeds
#: COVERAGE_FACTOR * alpha (an anti-conservative global p-value), holds when it stays below.
COVERAGE_FACTOR = 2.0
#: Largest factor between the Gross-Vitells and the pseudo-experiment p-value called agreement.
GV_FACTOR = 2.0


def required_pseudo_experiments(z: float = TARGET_Z, rel: float = TARGET_RELATIVE_ERROR) -> int:
    """Pseudo-experiments for a binomial relative error ``rel`` on p = Phi(-z):
    (1 - p) / (p rel^2)."""
    p = significance.p_of_z(z)
    return math.ceil((1 - p) / (p * rel**2))


def experiment_array(blocks, n_expected: int, key: str = "toy_ids") -> np.ndarray:
    """Local Z (T, methods, windows, efficiencies), NaN for failed fits, in the order of the
    blocks' ``key`` ids ('toy_ids' or 'reference_ids'); SystemExit naming the missing ids when
    the blocks do not hold 0..n_expected-1."""
    ids = [i for b in blocks for i in b[key]]
    if sorted(ids) != list(range(n_expected)):
        missing = sorted(set(range(n_expected)) - set(ids))
        raise SystemExit(f"mass_scan_summary: {key} missing or repeated (missing "
                         f"{missing[:10]}{'...' if len(missing) > 10 else ''})")
    z = np.array([[[[np.nan if v is None else v for v in e] for e in w] for w in m]
                  for b in blocks for m in b["z"]], float)
    return z[np.argsort(ids)]


def coverage_estimate(c: dict) -> dict:
    """Estimate (:func:`radflow.stats.claims.estimate`, binomial error) of one coverage entry
    of :func:`radflow.stats.mass_scan.coverage`."""
    return claims.estimate(c["fraction"], c["error"], None, alpha=c["alpha"], n_below=c["n_below"],
                           n=c["n"])


def coverage_verdict_probabilities(n_ref: int, alpha: float, true_fraction: float,
                                   factor: float = COVERAGE_FACTOR) -> dict:
    """Probability of each verdict of 'fraction of reference p-values <= alpha is at most
    ``factor`` alpha' when ``n_ref`` reference experiments each fall below alpha with
    probability ``true_fraction`` (alpha for a calibrated ensemble): exact over the binomial
    count."""
    k = np.arange(n_ref + 1)
    prob = sps.binom.pmf(k, n_ref, true_fraction)
    out = dict.fromkeys(claims.VERDICTS, 0.0)
    for kk, pk in zip(k, prob):
        f = kk / n_ref
        est = claims.estimate(f, math.sqrt(f * (1 - f) / n_ref))
        out[claims.at_most(est, factor * alpha)["verdict"]] += float(pk)
    return out


def _calibration_statement(cal) -> dict:
    paper = ("radflow: the global p-value from the pseudo-experiments is not anti-conservative "
             "for background-only experiments from a sample the pseudo-experiments never use")
    criterion = (f"for each alpha in {list(ALPHAS)}: the fraction of reference experiments with "
                 f"global p <= alpha is at most {COVERAGE_FACTOR:g} alpha (binomial "
                 f"{claims.LEVEL:.0%} interval)")
    if cal is None:
        return claims.claim(paper, {"n_reference": 0}, criterion,
                            claims.decision(claims.UNDETERMINED, None))
    est = [coverage_estimate(c) for c in cal["coverage"]]
    decided = claims.all_of(claims.at_most(e, COVERAGE_FACTOR * e["alpha"]) for e in est)
    return claims.claim(paper, {"n_reference": cal["n"], "coverage": est,
                                "ks_pvalue": cal["ks_pvalue"], "rate": cal["rate"]},
                        criterion, decided)


def _gv_statement(s: dict) -> dict:
    seeds, cc = s["observed"]["seeds"], s["cross_check"]
    paper = ("radflow: the Gross-Vitells upcrossing estimate reproduces the pseudo-experiments' "
             "global p-value of the same scan curve")
    criterion = (f"ln(p_GV / p_toys) within +-ln {GV_FACTOR:g}: its mean over training seeds, "
                 "error from their spread and the toys' binomial error (undetermined when the "
                 "toys only bound p)")
    ratios = [math.log(x["cross_check"]["gross_vitells"]["pvalue"]
                       / x["cross_check"]["toys"]["pvalue"]) for x in seeds]
    measured = {"method": cc["method"], "efficiency": cc["efficiency"],
                "pvalue_toys": cc["toys"]["pvalue"], "pvalue_toys_error": cc["toys"]["pvalue_error"],
                "pvalue_gross_vitells": cc["gross_vitells"]["pvalue"],
                "mean_upcrossings": cc["gross_vitells"]["mean_upcrossings"],
                "log_ratio_per_seed": ratios}
    if any(x["cross_check"]["toys"]["bound"] for x in seeds):
        return claims.claim(paper, measured, criterion, claims.decision(claims.UNDETERMINED, None))
    binomial = claims.estimate(0.0, cc["toys"]["relative_error"])
    est = (claims.difference(claims.spread(ratios), binomial) if len(ratios) > 1
           else claims.estimate(ratios[0], cc["toys"]["relative_error"]))
    measured["log_ratio"] = est
    return claims.claim(paper, measured, criterion,
                        claims.within(est, -math.log(GV_FACTOR), math.log(GV_FACTOR)))


def statements(s: dict) -> dict:
    """radflow's statements about its scan (no paper has one), each decided with its error:
    the observed numbers over all training seeds, the pseudo-experiment count, the
    calibration against the reference experiments, the Gross-Vitells cross-check."""
    g, pe, o = s["global"], s["pseudo_experiments"], s["observed"]
    found = [1.0 if x["window_index"] == s["signal"]["window_index"] else 0.0 for x in o["seeds"]]
    return {
        "signal_window_most_significant": claims.claim(
            "radflow: the scan's most significant window (largest local Z over windows, "
            "efficiencies and methods) is the window whose SR holds the most injected signal",
            {"most_significant_per_seed": [x["window"] for x in o["seeds"]],
             "signal_window": s["signal"]["window"], "fraction_of_seeds": claims.spread(found),
             "max_local_z": o["max_local_z_spread"], "global_pvalue": g["seed_spread"],
             "global_pvalue_binomial_error": g["pvalue_error"]},
            "fraction of training seeds whose most significant window is the signal window "
            f">= 1/2 (mean over {len(found)} seeds, t interval)",
            claims.at_least(claims.spread(found), 0.5)),
        "global_pvalue_precise": claims.claim(
            "radflow: the pseudo-experiments state a global p-value at Z_global = 2 "
            "(p = 0.023) to 10% relative error",
            {"n_pseudo_experiments": pe["n"], "required": pe["required_for_10pct_at_z2"],
             "relative_error_of_observed_p": g["relative_error"]},
            "number of pseudo-experiments (exact) >= (1 - p) / (0.01 p) at p = Phi(-2)",
            claims.at_least(claims.estimate(pe["n"], 0.0), pe["required_for_10pct_at_z2"])),
        "pseudo_experiments_calibrated": _calibration_statement(s["calibration"]),
        "gross_vitells_agrees": _gv_statement(s),
    }


def _seed_record(index, scan_id, z, methods, effs, wins, toys, t_toys, gv_level):
    """One training seed's observed numbers: z (M, W, E) its local Z."""
    t = float(np.nanmax(z))
    im, iw, ie = np.unravel_index(np.nanargmax(z), z.shape)
    curve_toys = toys[:, im, :, ie]                                             # (T, W)
    return {"index": index, "scan_id": scan_id, "max_local_z": t,
            "local_pvalue": significance.p_of_z(t), "method": methods[im],
            "window": wins[iw]["name"], "window_index": int(iw), "centre": wins[iw]["centre"],
            "efficiency": effs[ie], "n_failed_fits": int(np.isnan(z).sum()),
            "global": scan_stats.global_pvalue(t, t_toys),
            "cross_check": {"method": methods[im], "efficiency": effs[ie],
                            "toys": scan_stats.global_pvalue(t, scan_stats.max_local(curve_toys)),
                            "gross_vitells": scan_stats.gross_vitells(t, curve_toys, gv_level)}}


def calibration(reference, t_toys) -> dict | None:
    """The reference experiments' global p-values against the pseudo-experiments' largest
    local Z ``t_toys`` (T,), their coverage at :data:`ALPHAS` and KS p-value; None without
    reference experiments. ``reference``: (z (R, M, W, E), rate)."""
    if reference is None:
        return None
    z_ref, rate = reference
    t_ref = scan_stats.max_local(z_ref)
    p = scan_stats.reference_pvalues(t_ref, t_toys)
    return {"n": int(len(p)), "n_failed": int(np.isnan(t_ref).sum()), "rate": rate,
            "max_local_z": [None if np.isnan(v) else float(v) for v in t_ref],
            "pvalues": p.tolist(), "coverage": scan_stats.coverage(p, ALPHAS),
            "ks_pvalue": float(sps.kstest(p, "uniform").pvalue)}


def build(obs, blocks, n_pseudo, gv_level, reference_blocks=(), n_reference: int = 0) -> dict:
    """The summary: ``obs`` the observed scan (observed.json, fits per training seed),
    ``blocks`` the pseudo-experiment blocks (toys*.json) holding toys 0..n_pseudo-1,
    ``reference_blocks`` the reference blocks (reference*.json) holding 0..n_reference-1,
    ``gv_level`` the Gross-Vitells reference level (in q = Z^2). SystemExit when experiments
    are missing or every observed fit of a seed failed."""
    toys = experiment_array(blocks, n_pseudo)
    methods, effs, wins = obs["methods"], obs["efficiencies"], obs["windows"]
    seeds = obs["seeds"]
    z_obs = np.array([[[[np.nan if e["z"] is None else e["z"] for e in w]
                        for w in obs["fits"][m][s]] for m in methods]
                      for s in range(len(seeds))], float)                       # (S, M, W, E)
    for s, seed in enumerate(seeds):
        if not np.isfinite(z_obs[s]).any():
            raise SystemExit(f"mass_scan_summary: every fit of the observed scan's training "
                             f"seed {seed['index']} ({seed['scan_id']}) failed")
    t_toys = scan_stats.max_local(toys)
    records = [_seed_record(x["index"], x["scan_id"], z_obs[s], methods, effs, wins, toys,
                            t_toys, gv_level) for s, x in enumerate(seeds)]
    t_seeds = np.array([r["max_local_z"] for r in records])
    med = records[int(np.argsort(t_seeds, kind="stable")[(len(t_seeds) - 1) // 2])]
    signal_window = int(np.argmax([w["n_sr_injected"] for w in wins]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # every seed's fit failed: NaN
        z_med = np.nanmedian(z_obs, axis=0)                                     # (M, W, E)
    local = {m: [[{"efficiency": eff,
                   "z": None if np.isnan(z_med[a, b, c]) else float(z_med[a, b, c]),
                   "pvalue": None if np.isnan(z_med[a, b, c]) else significance.p_of_z(z_med[a, b, c]),
                   "z_seeds": [None if np.isnan(v) else float(v) for v in z_obs[:, a, b, c]]}
                  for c, eff in enumerate(effs)] for b in range(len(wins))]
             for a, m in enumerate(methods)}
    reference = None
    if n_reference:
        reference = (experiment_array(reference_blocks, n_reference, "reference_ids"),
                     float(reference_blocks[0]["rate"]))
    n_req = required_pseudo_experiments()
    observed = {k: med[k] for k in ("max_local_z", "local_pvalue", "method", "window",
                                    "window_index", "centre", "efficiency", "n_failed_fits")}
    observed.update(n_seeds=len(records), median_seed=med["index"],
                    max_local_z_spread=claims.robust(t_seeds.tolist()), seeds=records)
    summary = {
        "study": obs["study"], "methods": methods, "efficiencies": effs,
        "windows": [{k: w[k] for k in ("name", "centre", "signal_region", "sidebands",
                                       "n_sr_data", "n_sr_injected")} for w in wins],
        "local": local,
        "observed": observed,
        "global": {**med["global"],
                   "seed_spread": claims.robust([r["global"]["pvalue"] for r in records]),
                   "z_seed_spread": claims.robust([r["global"]["z"] for r in records])},
        "pseudo_experiments": {
            "n": int(np.isfinite(t_toys).sum()), "required_for_10pct_at_z2": n_req,
            "enough": bool(np.isfinite(t_toys).sum() >= n_req),
            "n_failed_fits": int(np.isnan(toys).sum()), "n_fits": int(toys.size),
            "max_local_z": [None if np.isnan(v) else float(v) for v in t_toys],
            "max_local_z_quantiles": {f"{q:g}": float(np.nanquantile(t_toys, q))
                                      for q in (0.5, 0.84, 0.975)},
            "local_z_quantiles": {f"{q:g}": np.nanquantile(toys, q, axis=0).tolist()
                                  for q in (0.16, 0.5, 0.84, 0.975)},
        },
        "calibration": calibration(reference, t_toys),
        "cross_check": {**med["cross_check"],
                        "max_local_z": [None if np.isnan(v) else float(v) for v in
                                        scan_stats.max_local(toys[:, methods.index(med["method"]),
                                                                  :, effs.index(med["efficiency"])])]},
        "signal": {"window": wins[signal_window]["name"], "window_index": signal_window,
                   "n_sr_injected": wins[signal_window]["n_sr_injected"],
                   "found_in_signal_window": bool(med["window_index"] == signal_window),
                   "n_seeds_found": int(sum(r["window_index"] == signal_window for r in records))},
        "repetition_seeds": obs["repetition_seeds"],
    }
    summary["statements"] = statements(summary)
    return summary
