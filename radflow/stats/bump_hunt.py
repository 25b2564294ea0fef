"""Bump hunt after a classifier threshold (SA-CWoLa paper, Sec. 2.3 and Figs. 4-7).

For each target background efficiency, the threshold is the score quantile of the SR events
of the bump-hunt data (the test half, with any injected signal); it is applied to events of
all mjj. The selected mjj spectrum (``n_bins`` equal bins over the fit range, GeV) is fit
with the dijet function with the bins that overlap the SR masked; the SR prediction b +-
sigma and the observed n in those bins give the profile-likelihood significance.
"""
from __future__ import annotations

import numpy as np

from radflow.stats import fit as stats


def binning(fit_range, n_bins: int):
    """Equal-width bin edges (GeV) over ``fit_range``, shape (n_bins + 1,)."""
    return np.linspace(fit_range[0], fit_range[1], n_bins + 1)


def sr_bins(edges, signal_region) -> np.ndarray:
    """Bool (n_bins,): bins that overlap the SR (masked in the fit, counted in n)."""
    lo, hi = edges[:-1], edges[1:]
    return (hi > signal_region[0]) & (lo < signal_region[1])


def thresholds(sr_scores, efficiencies, what: str = "SR scores") -> np.ndarray:
    """Score thresholds keeping the fraction ``eff`` of the SR events (-inf for eff = 1).

    Raises ValueError naming ``what`` (e.g. the method) if ``sr_scores`` is empty."""
    sr_scores = np.asarray(sr_scores, float)
    if not len(sr_scores):
        raise ValueError(f"bump hunt: {what}: no events in the signal region to take the "
                         f"score quantiles over (efficiencies {list(efficiencies)})")
    return np.array([-np.inf if eff >= 1 else np.quantile(sr_scores, 1.0 - eff)
                     for eff in efficiencies])


def fit_spectrum(mjj, edges, sr_mask) -> dict:
    """Fit of one selected spectrum: counts, fit status, parameters, SR prediction, Z.

    A fit that does not converge is reported with its error message and no numbers.
    """
    counts = np.histogram(mjj, bins=edges)[0]
    out = {"counts": counts.tolist(), "n_sr": int(counts[sr_mask].sum()), "converged": False}
    try:
        res = stats.fit_sidebands(counts, edges, ~sr_mask)
    except stats.FitError as err:
        out["error"] = str(err).splitlines()[0]
        return out
    b, sigma = res.prediction(sr_mask)
    expected = res.expected()
    n = out["n_sr"]
    out.update(converged=True, params=res.params.tolist(), expected=expected.tolist(),
               b=b, sigma=sigma, z=stats.significance(n, b, sigma),
               z_signed=stats.signed_significance(n, b, sigma),
               ks_pvalue=stats.ks_pvalue(counts, expected, ~sr_mask),
               deviance=2.0 * res.nll, ndf=int((~sr_mask).sum()) - 4)
    return out


def scan(mjj, scores, in_sr, efficiencies, edges, sr_mask, what: str = "SR scores") -> list[dict]:
    """One :func:`fit_spectrum` per target efficiency, thresholds from the SR events
    (ValueError naming ``what`` if there are none)."""
    out = []
    for eff, thr in zip(efficiencies, thresholds(scores[in_sr], efficiencies, what)):
        sel = scores >= thr
        out.append({"efficiency": float(eff), "threshold": float(thr),
                    "efficiency_sr": float(sel[in_sr].mean()),
                    **fit_spectrum(mjj[sel], edges, sr_mask)})
    return out


def residual_corrected(with_signal: dict, background_only: dict):
    """Z after subtracting the background-only fit residual (n0 - b0) from n (SA-CWoLa
    paper, Fig. 6 right); None unless both fits converged."""
    if not (with_signal["converged"] and background_only["converged"]):
        return None
    n = with_signal["n_sr"] - (background_only["n_sr"] - background_only["b"])
    return stats.significance(n, with_signal["b"], with_signal["sigma"])
