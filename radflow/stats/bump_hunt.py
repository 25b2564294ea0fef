"""Bump hunt after a classifier threshold (SA-CWoLa paper, Sec. 2.3 and Figs. 4-7).

For each target efficiency eps, the threshold is the score quantile that keeps the fraction eps
of ALL SR events of the bump-hunt data (the "x% most signal-like events" of the papers: a
search does not know which events are background; truth labels only report what the cut
kept); it is applied to all events of all mjj. The selected mjj spectrum (``n_bins`` equal bins over the fit
range, GeV) is fit with the dijet function with the bins that overlap the SR masked; the SR
prediction b +- sigma and the observed n in those bins give the profile-likelihood
significance: asymptotic (Z = sqrt(q0)) for b >= :data:`Z_TOYS_BELOW` events, from
pseudo-experiments below.
"""
from __future__ import annotations

import numpy as np

from radflow.stats import fit as stats

#: Below this expected SR background b (events) Z comes from pseudo-experiments.
Z_TOYS_BELOW = 20.0
#: Pseudo-experiments per toy-based Z.
N_TOYS = 10_000


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
    eff = np.asarray(efficiencies, float)
    out = np.full(len(eff), -np.inf)
    below = eff < 1
    if below.any():                     # one np.quantile call for all efficiencies
        out[below] = np.quantile(sr_scores, 1.0 - eff[below])
    return out


def fit_spectrum(mjj, edges, sr_mask, z_toys_below: float = Z_TOYS_BELOW,
                 n_toys: int = N_TOYS, seed=0) -> dict:
    """Fit of one selected spectrum (``mjj`` in GeV, shape (n_events,)): counts, fit status,
    parameters, goodness of fit, SR prediction b +- sigma (events) and Z.

    Z (and the signed Z) is asymptotic (``z_method`` "asymptotic") when b >= ``z_toys_below``
    events, else from ``n_toys`` pseudo-experiments seeded with ``seed`` (``z_method``
    "toys", with ``n_toys`` and ``toy_seed``). A fit that does not converge is reported with
    its error message and no numbers.
    """
    counts = np.histogram(mjj, bins=edges)[0]
    out = {"counts": counts.tolist(), "n_sr": int(counts[sr_mask].sum()), "converged": False}
    try:
        res = stats.fit_sidebands(counts, edges, ~sr_mask)
    except stats.FitError as err:
        out["error"] = str(err).splitlines()[0]
        return out
    b, sigma = res.prediction(sr_mask)
    n = out["n_sr"]
    if b < z_toys_below:
        z = stats.significance_from_toys(n, b, sigma, n_toys, seed)
        z_signed = stats.signed_significance_from_toys(n, b, sigma, n_toys, seed)
        method = {"z_method": "toys", "n_toys": int(n_toys), "toy_seed": seed}
    else:
        z, z_signed = stats.significance(n, b, sigma), stats.signed_significance(n, b, sigma)
        method = {"z_method": "asymptotic"}
    gof = res.goodness_of_fit()
    out.update(converged=True, params=res.params.tolist(), expected=res.expected().tolist(),
               b=b, sigma=sigma, z=z, z_signed=z_signed, **method,
               gof_pvalue=gof.pvalue, deviance=gof.deviance, ndf=gof.ndf)
    return out


def scan(mjj, scores, in_sr, efficiencies, edges, sr_mask, what: str = "SR scores", *,
         injected=None, z_toys_below: float = Z_TOYS_BELOW, n_toys: int = N_TOYS,
         seed=0) -> list[dict]:
    """One :func:`fit_spectrum` per target efficiency eps in ``efficiencies``.

    ``mjj`` (GeV), ``scores``, ``in_sr`` (bool) and ``injected`` (bool: injected signal
    events, truth used only to report; None: no signal injected) have shape (n_events,).
    Thresholds are the score quantiles of all SR events (:func:`thresholds`), so each entry
    records ``efficiency`` (the target eps), ``efficiency_sr_total`` (the SR fraction passing,
    within 1 / ``n_sr_events`` (SR events before the cut) of the target unless scores tie) and, from the truth,
    ``efficiency_sr_background`` (the SR background fraction passing) with
    ``n_sr_background``. ``z_toys_below``, ``n_toys``, ``seed``: see :func:`fit_spectrum`.
    ValueError naming ``what`` if the SR has no events.
    """
    scores, in_sr = np.asarray(scores, float), np.asarray(in_sr, bool)
    background = np.ones(len(scores), bool) if injected is None else ~np.asarray(injected, bool)
    bkg_sr = in_sr & background
    out = []
    for eff, thr in zip(efficiencies, thresholds(scores[in_sr], efficiencies, what)):
        sel = scores >= thr
        out.append({"efficiency": float(eff), "threshold": float(thr),
                    "efficiency_sr_total": float(sel[in_sr].mean()),
                    "efficiency_sr_background": float(sel[bkg_sr].mean()) if bkg_sr.any() else None,
                    "n_sr_events": int(in_sr.sum()), "n_sr_background": int(bkg_sr.sum()),
                    **fit_spectrum(mjj[sel], edges, sr_mask, z_toys_below, n_toys, seed)})
    return out


def residual_corrected(with_signal: dict, background_only: dict):
    """Z after subtracting the background-only fit residual (n0 - b0, events) from n
    (SA-CWoLa paper, Fig. 6 right), with the with-signal fit's b +- sigma and Z method
    (asymptotic or the same toys); None unless both fits converged.

    The two :func:`scan` entries must keep the same fraction of their SR events: ValueError
    if their target ``efficiency`` differs or their ``efficiency_sr_total`` differ by more
    than the quantile granularity 1 / n_sr_events of each."""
    eff_s, eff_b = with_signal["efficiency"], background_only["efficiency"]
    ach_s, ach_b = with_signal["efficiency_sr_total"], background_only["efficiency_sr_total"]
    tol = 1.0 / with_signal["n_sr_events"] + 1.0 / background_only["n_sr_events"]
    if eff_s != eff_b or abs(ach_s - ach_b) > tol:
        raise ValueError(f"residual correction: the with-signal and background-only fits keep "
                         f"different SR fractions (target {eff_s} vs {eff_b}, SR events passing "
                         f"{ach_s:.6g} vs {ach_b:.6g}, tolerance {tol:.3g})")
    if not (with_signal["converged"] and background_only["converged"]):
        return None
    n = with_signal["n_sr"] - (background_only["n_sr"] - background_only["b"])
    b, sigma = with_signal["b"], with_signal["sigma"]
    if with_signal["z_method"] == "toys":
        return stats.significance_from_toys(n, b, sigma, with_signal["n_toys"],
                                            with_signal["toy_seed"])
    return stats.significance(n, b, sigma)
