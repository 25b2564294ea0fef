"""Statistics of the mass-hypothesis scan: the SR windows across the fit range, the local
significance of each window after each classifier threshold, and the global significance
over all windows and thresholds from pseudo-experiments, with the Gross-Vitells upcrossing
estimate as a cross-check.

- Windows (:func:`radflow.regions.scan_windows`): ``sr_bins`` consecutive bins of the
  log-mjj binning of the fit range with ``sb_bins`` sideband bins on each side, either
  every ``step`` bins across the range or centred on given masses (GeV).
- Local Z of a window at a selection efficiency eps: the threshold keeps the fraction eps
  of the window's SR events (all of them: the search does not know which are signal), the
  selected spectrum of the whole fit range is fit with the dijet function with the
  window's SR bins masked, and Z = sqrt(q0) of the SR count against b +- sigma
  (:func:`radflow.stats.fit.significance`, asymptotic for every window and efficiency: the
  same statistic on data and pseudo-experiments, so the global p-value calibrates it).
- Global: the test statistic of a scan is its largest local Z over windows, efficiencies
  (and methods); p_global = the fraction of background-only pseudo-experiments whose
  largest local Z reaches the observed one.
- Calibration: reference background-only experiments built from a sample the
  pseudo-experiments never use get the same scan; their global p-values against the
  pseudo-experiments (:func:`reference_pvalues`) are uniform for a calibrated ensemble, and
  the fraction at or below alpha (:func:`coverage`) exceeds alpha for an anti-conservative one.
"""
from __future__ import annotations

import numpy as np

from radflow import regions
from radflow.stats import bump_hunt, fit as stats, significance


def check_sidebands(mjj, scan_windows, what: str) -> None:
    """ValueError naming the window, its edges (GeV) and ``what`` (file, sample) when a
    window's SR or one of its sidebands holds no event of ``mjj`` (N,), GeV: CWoLa has no
    weak labels there and the fit no sideband."""
    for w in scan_windows:
        for region, (lo, hi) in (("signal region", w["signal_region"]),
                                 ("lower sideband", w["sidebands"][0]),
                                 ("upper sideband", w["sidebands"][1])):
            if not np.any((mjj >= lo) & (mjj < hi)):
                raise ValueError(f"{what}: scan window {w['name']} (SR {w['signal_region'][0]:.0f}-"
                                 f"{w['signal_region'][1]:.0f} GeV): its {region} "
                                 f"[{lo:.0f}, {hi:.0f}] GeV has no events")


def event_bins(mjj, edges) -> np.ndarray:
    """Bin of each event of ``mjj`` (N,) GeV in ``edges`` (n_bins + 1,) GeV, as np.histogram
    bins (the last bin includes its upper edge); n_bins for events outside the edges or
    NaN (dropped). Returns (N,) int."""
    n_bins = len(edges) - 1
    bin_of = np.searchsorted(edges, mjj, side="right") - 1
    bin_of[mjj == edges[-1]] = n_bins - 1
    bin_of[(bin_of < 0) | (bin_of >= n_bins) | np.isnan(mjj)] = n_bins
    return bin_of


def local_significance(mjj, scores, counts_weight, window, efficiencies, edges,
                       references=None, keep_fits=False, bin_of=None) -> list[dict]:
    """Local Z of one window at each selection efficiency.

    ``mjj`` (N,) GeV, ``scores`` (N,), ``counts_weight`` (N,) non-negative integers (an
    event's multiplicity: 1 for data, Poisson draws for a bootstrap pseudo-experiment).
    ``references``: per efficiency a previous :class:`radflow.stats.fit.FitResult` of this
    window to start from (:func:`radflow.stats.fit.refit`), or None for the full fit.
    Returns per efficiency {"efficiency", "threshold", "n_sr", "b", "sigma", "z",
    "converged", "fit"} ("fit": the FitResult or None; with ``keep_fits`` also "counts",
    "expected", "params", "gof_pvalue"); a fit that fails has z None and its "error".
    ``bin_of``: :func:`event_bins` of ``mjj``, when the caller has it (one per scan job)."""
    mult = np.asarray(counts_weight, np.int64)
    sr_bins = bump_hunt.sr_bins(edges, window["signal_region"])
    sr = regions.window_masks(mjj, window)["sr"]
    sr_scores = np.repeat(scores[sr], mult[sr])
    # Each efficiency's spectrum is one bincount of the events' bins.
    n_bins = len(edges) - 1
    bin_of = event_bins(mjj, edges) if bin_of is None else bin_of
    out = []
    for i, (eff, thr) in enumerate(zip(efficiencies, bump_hunt.thresholds(
            sr_scores, efficiencies, f"scan window {window['name']}"))):
        sel = scores >= thr
        counts = np.bincount(bin_of[sel], weights=mult[sel],
                             minlength=n_bins + 1)[:n_bins].astype(np.int64)
        entry = {"efficiency": float(eff), "threshold": float(thr),
                 "n_sr": int(counts[sr_bins].sum()), "converged": False, "z": None, "fit": None}
        try:
            ref = None if references is None else references[i]
            res = (stats.refit(counts, ref) if ref is not None
                   else stats.fit_sidebands(counts, edges, ~sr_bins))
        except stats.FitError as err:
            entry["error"] = str(err).splitlines()[0]
            out.append(entry)
            continue
        b, sigma = res.prediction(sr_bins)
        entry.update(converged=True, b=b, sigma=sigma,
                     z=stats.significance(entry["n_sr"], b, sigma), fit=res)
        if keep_fits:
            entry.update(counts=counts.tolist(), expected=res.expected().tolist(),
                         params=res.params.tolist(), gof_pvalue=res.goodness_of_fit().pvalue)
        out.append(entry)
    return out


def max_local(z) -> np.ndarray:
    """Test statistic of each scan: the largest local Z over all axes but the first, ignoring
    failed fits (NaN). z: (T, ...) -> (T,); NaN where every fit of a scan failed."""
    z = np.asarray(z, float).reshape(len(z), -1)
    out = np.full(len(z), np.nan)
    ok = np.isfinite(z).any(axis=1)
    out[ok] = np.nanmax(z[ok], axis=1)
    return out


def global_pvalue(t_obs: float, t_toys) -> dict:
    """Global p-value of the observed largest local Z ``t_obs`` from the pseudo-experiments'
    ``t_toys`` (T,) (NaN: every fit failed, dropped and counted): p = k / n with k toys
    reaching t_obs, its binomial error sqrt(p (1 - p) / n), and Z. With k = 0 the p-value is
    only bounded: p < 1 / n ("bound": true, Z at the bound as a lower limit)."""
    t = np.asarray(t_toys, float)
    ok = np.isfinite(t)
    n, k = int(ok.sum()), int((t[ok] >= t_obs).sum())
    if n == 0:
        raise ValueError("global p-value: no pseudo-experiment has a converged fit")
    p = k / n
    bound = k == 0
    p_eff = 1.0 / n if bound else p
    return {"pvalue": p_eff, "pvalue_error": float(np.sqrt(p * (1 - p) / n)),
            "relative_error": None if bound else float(np.sqrt((1 - p) / (n * p))),
            "z": significance.z_of_p(p_eff), "bound": bound, "n_exceeding": k, "n_pseudo": n,
            "n_failed": int((~ok).sum())}


def reference_pvalues(t_ref, t_toys) -> np.ndarray:
    """Global p-value of each reference experiment's largest local Z ``t_ref`` (R,) against
    the pseudo-experiments' ``t_toys`` (T,): the fraction k / n of the finite toys reaching
    it (0 when none does), (R',) for the finite entries of ``t_ref``. Uniform on [0, 1] (in
    steps of 1 / n) when the references are draws of the toys' distribution."""
    t = np.asarray(t_toys, float)
    t = np.sort(t[np.isfinite(t)])
    r = np.asarray(t_ref, float)
    r = r[np.isfinite(r)]
    if not len(t):
        raise ValueError("reference p-values: no pseudo-experiment has a converged fit")
    return (len(t) - np.searchsorted(t, r, side="left")) / len(t)


def coverage(p_ref, alphas) -> list[dict]:
    """Per threshold alpha: the number and fraction of reference p-values ``p_ref`` (R,) at
    or below alpha with its binomial error sqrt(f (1 - f) / R); a calibrated global p-value
    has fraction alpha, a conservative one less, an anti-conservative one more."""
    p = np.asarray(p_ref, float)
    out = []
    for a in alphas:
        k = int((p <= a).sum())
        f = k / len(p)
        out.append({"alpha": float(a), "n_below": k, "n": int(len(p)), "fraction": f,
                    "error": float(np.sqrt(f * (1 - f) / len(p)))})
    return out


def upcrossings(z, level: float) -> np.ndarray:
    """Upcrossings of q = Z^2 through ``level`` along the window axis: z (T, W) in window
    order (NaN: failed fit, skipped) -> (T,) counts of i < j consecutive valid windows with
    q_i < level <= q_j."""
    out = np.zeros(len(z), int)
    for t, row in enumerate(np.asarray(z, float)):
        q = row[np.isfinite(row)] ** 2
        out[t] = int(np.sum((q[:-1] < level) & (q[1:] >= level)))
    return out


def gross_vitells(z_obs: float, z_toys, level: float) -> dict:
    """Gross-Vitells estimate (Eur. Phys. J. C 70 (2010) 525) of the global p-value of
    the largest local ``z_obs`` along one scan curve: p_local(u) + <N(u0)> exp(-(u - u0) / 2)
    with u = z_obs^2, u0 = ``level`` (a low reference level in q = Z^2) and <N(u0)> the mean
    upcrossings of u0 over the pseudo-experiments ``z_toys`` (T, W)."""
    n_up = upcrossings(z_toys, level)
    u = z_obs**2
    p_local = significance.p_of_z(z_obs)
    p = p_local + float(n_up.mean()) * float(np.exp(-(u - level) / 2.0))
    return {"level": level, "mean_upcrossings": float(n_up.mean()),
            "mean_upcrossings_error": float(n_up.std(ddof=1) / np.sqrt(len(n_up))),
            "local_pvalue": p_local, "pvalue": min(p, 1.0), "z": significance.z_of_p(min(p, 1.0))}
