"""Local and global significance of a study's mass-hypothesis scan (radflow.stats.mass_scan):
the summary (results/{study}/scan/summary.json) from the observed scan and the
pseudo-experiment blocks.

- :func:`toy_array`: the pseudo-experiments' local Z (standard deviations) as an array of
  shape (T, methods, windows, efficiencies), NaN for failed fits, in toy order.
- :func:`build`: the local Z and p of every method, window and efficiency (the observed scan
  as an array (M, W, E)); the test statistic (largest local Z) of the data and of each
  background-only pseudo-experiment; the global p-value and Z with their binomial error and
  the number of pseudo-experiments that 10% relative error at Z_global = 2 needs
  (:func:`required_pseudo_experiments`); the Gross-Vitells cross-check along the windows at
  the method and efficiency of the largest local Z (curve (T, W)), against the
  pseudo-experiments' global p-value of that curve alone; the uniformity (KS) of the
  pseudo-experiments' own global p-values (leave one out); and whether the most significant
  window holds the injected signal.
- :func:`statements`: radflow's statements about its scan, each decided with its error.
"""
import math

import numpy as np
from scipy import stats as sps

from radflow.stats import mass_scan as scan_stats, significance

#: Relative precision of the global p-value the default run is sized for, at Z_global = 2.
TARGET_RELATIVE_ERROR, TARGET_Z = 0.1, 2.0


def required_pseudo_experiments(z: float = TARGET_Z, rel: float = TARGET_RELATIVE_ERROR) -> int:
    """Pseudo-experiments for a binomial relative error ``rel`` on p = Phi(-z):
    (1 - p) / (p rel^2)."""
    p = significance.p_of_z(z)
    return math.ceil((1 - p) / (p * rel**2))


def toy_array(blocks, n_expected: int) -> np.ndarray:
    """Local Z (T, methods, windows, efficiencies), NaN for failed fits, in toy order;
    SystemExit naming the missing toys when the blocks do not hold 0..n_expected-1."""
    ids = [i for b in blocks for i in b["toy_ids"]]
    if sorted(ids) != list(range(n_expected)):
        missing = sorted(set(range(n_expected)) - set(ids))
        raise SystemExit(f"mass_scan_summary: pseudo-experiments missing or repeated (missing "
                         f"{missing[:10]}{'...' if len(missing) > 10 else ''})")
    z = np.array([[[[np.nan if v is None else v for v in e] for e in w] for w in m]
                  for b in blocks for m in b["z"]], float)
    return z[np.argsort(ids)]


#: Largest factor between the Gross-Vitells and the pseudo-experiment p-value called agreement.
GV_FACTOR = 2.0
#: KS p-value below which the pseudo-experiments' own p-values are called non-uniform.
KS_ALPHA = 0.01


def statements(s: dict) -> dict:
    """radflow's statements about its scan (no paper has one), each decided with its error."""
    g, pe, cc = s["global"], s["pseudo_experiments"], s["cross_check"]
    p_toys, p_gv = cc["toys"]["pvalue"], cc["gross_vitells"]["pvalue"]
    err = cc["toys"]["pvalue_error"]
    lo, hi = max(p_toys - 2 * err, 0.0), p_toys + 2 * err
    return {
        "signal_window_most_significant": {
            "paper": "radflow: the scan's most significant window (largest local Z over windows, "
                     "efficiencies and methods) is the window whose SR holds the most injected signal",
            "measured": {"most_significant": s["observed"]["window"],
                         "signal_window": s["signal"]["window"],
                         "max_local_z": s["observed"]["max_local_z"],
                         "global_z": g["z"], "global_pvalue": g["pvalue"],
                         "global_pvalue_error": g["pvalue_error"]},
            "criterion": "the two windows are the same",
            "holds": s["signal"]["found_in_signal_window"]},
        "global_pvalue_precise": {
            "paper": "radflow: the pseudo-experiments state a global p-value at Z_global = 2 "
                     "(p = 0.023) to 10% relative error",
            "measured": {"n_pseudo_experiments": pe["n"],
                         "required": pe["required_for_10pct_at_z2"],
                         "relative_error_of_observed_p": g["relative_error"]},
            "criterion": "number of pseudo-experiments >= (1 - p) / (0.01 p) at p = Phi(-2)",
            "holds": pe["enough"]},
        "pseudo_experiments_uniform": {
            "paper": "radflow: without signal, the global p-values of the pseudo-experiments "
                     "(each against all others) are uniform",
            "measured": {"ks_pvalue": pe["loo_pvalue_ks"], "n": pe["n"]},
            "criterion": f"KS test against the uniform distribution: p > {KS_ALPHA}",
            "holds": pe["loo_pvalue_ks"] > KS_ALPHA},
        "gross_vitells_agrees": {
            "paper": "radflow: the Gross-Vitells upcrossing estimate reproduces the "
                     "pseudo-experiments' global p-value of the same scan curve",
            "measured": {"method": cc["method"], "efficiency": cc["efficiency"],
                         "pvalue_toys": p_toys, "pvalue_toys_error": err,
                         "pvalue_gross_vitells": p_gv,
                         "mean_upcrossings": cc["gross_vitells"]["mean_upcrossings"]},
            "criterion": f"within a factor {GV_FACTOR:g} of the toys' p-value or inside its "
                         "2-sigma binomial interval (undecided when the toys bound it only)",
            "holds": (None if cc["toys"]["bound"] and p_gv < p_toys else
                      bool(p_toys / GV_FACTOR <= p_gv <= p_toys * GV_FACTOR or lo <= p_gv <= hi))},
    }



def build(obs, blocks, n_pseudo, gv_level) -> dict:
    """The summary: ``obs`` the observed scan (observed.json), ``blocks`` the
    pseudo-experiment blocks (toys*.json) holding toys 0..n_pseudo-1, ``gv_level`` the
    Gross-Vitells reference level (in q = Z^2). SystemExit when toys are missing or every observed
    fit failed."""
    toys = toy_array(blocks, n_pseudo)
    methods, effs, wins = obs["methods"], obs["efficiencies"], obs["windows"]
    z_obs = np.array([[[np.nan if e["z"] is None else e["z"] for e in w]
                       for w in obs["fits"][m]] for m in methods], float)       # (M, W, E)
    if not np.isfinite(z_obs).any():
        raise SystemExit("mass_scan_summary: every fit of the observed scan failed")
    t_obs = float(np.nanmax(z_obs))
    im, iw, ie = np.unravel_index(np.nanargmax(z_obs), z_obs.shape)
    t_toys = scan_stats.max_local(toys)
    glob = scan_stats.global_pvalue(t_obs, t_toys)
    curve_toys = toys[:, im, :, ie]                                             # (T, W)
    curve = scan_stats.global_pvalue(t_obs, scan_stats.max_local(curve_toys))
    gv = scan_stats.gross_vitells(t_obs, curve_toys, gv_level)
    loo = scan_stats.pseudo_experiment_pvalues(t_toys)
    signal_window = int(np.argmax([w["n_sr_injected"] for w in wins]))
    local = {m: [[{"efficiency": eff, "z": None if np.isnan(z_obs[a, b, c]) else float(z_obs[a, b, c]),
                   "pvalue": None if np.isnan(z_obs[a, b, c]) else significance.p_of_z(z_obs[a, b, c])}
                  for c, eff in enumerate(effs)] for b in range(len(wins))]
             for a, m in enumerate(methods)}
    n_req = required_pseudo_experiments()
    summary = {
        "study": obs["study"], "methods": methods, "efficiencies": effs,
        "windows": [{k: w[k] for k in ("name", "centre", "signal_region", "sidebands",
                                       "n_sr_data", "n_sr_injected")} for w in wins],
        "local": local,
        "observed": {"max_local_z": t_obs, "local_pvalue": significance.p_of_z(t_obs),
                     "method": methods[im], "window": wins[iw]["name"],
                     "window_index": int(iw), "centre": wins[iw]["centre"],
                     "efficiency": effs[ie], "n_failed_fits": int(np.isnan(z_obs).sum())},
        "global": glob,
        "pseudo_experiments": {
            "n": int(len(t_toys)), "required_for_10pct_at_z2": n_req,
            "enough": bool(len(t_toys) >= n_req),
            "n_failed_fits": int(np.isnan(toys).sum()), "n_fits": int(toys.size),
            "max_local_z": [None if np.isnan(v) else float(v) for v in t_toys],
            "max_local_z_quantiles": {f"{q:g}": float(np.nanquantile(t_toys, q))
                                      for q in (0.5, 0.84, 0.975)},
            "local_z_quantiles": {f"{q:g}": np.nanquantile(toys, q, axis=0).tolist()
                                  for q in (0.16, 0.5, 0.84, 0.975)},
            "loo_pvalue_ks": float(sps.kstest(loo, "uniform").pvalue),
        },
        "cross_check": {"method": methods[im], "efficiency": effs[ie],
                        "toys": curve, "gross_vitells": gv,
                        "max_local_z": [None if np.isnan(v) else float(v)
                                        for v in scan_stats.max_local(curve_toys)]},
        "signal": {"window": wins[signal_window]["name"], "window_index": signal_window,
                   "n_sr_injected": wins[signal_window]["n_sr_injected"],
                   "found_in_signal_window": bool(iw == signal_window)},
        "repetition_seeds": obs["repetition_seeds"],
    }
    summary["statements"] = statements(summary)
    return summary
