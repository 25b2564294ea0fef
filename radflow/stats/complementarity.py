"""Statistics of the complementarity study (arXiv 2307.11157; issue #24): ensembled scores,
the score- and sample-level combinations of the four methods, the classifier metrics with the
paper's max-SIC floor, SIC curves on common grids, top-p overlaps, score correlations, the
per-feature KS table and the 68% bands of the figures. Pure NumPy (SciPy for the KS
distribution). Scores are float arrays with events last: one classifier (N,), one method's
runs (G, R, N) (generators, classifier runs, test events).
"""
from __future__ import annotations

import warnings

import numpy as np

from radflow.ml import metrics

#: The SIC of the paper: eS / sqrt(eB), max SIC only where eB * N_bkg >= 1 / 0.4^2.
SIC = metrics.SIC_DEFINITIONS["cathode"]
#: Background rejection 1 / eB of the paper's second summary metric (its Fig. 13b).
REJECTION = 1e3
#: Signal efficiencies of the SIC-vs-efficiency curves (paper Fig. 14a).
EFFICIENCY_GRID = np.round(np.linspace(0.02, 1.0, 50), 6)
#: Background rejections 1 / eB of the SIC-vs-rejection curves (paper Fig. 14b), 1 to 1e5.
REJECTION_GRID = np.round(np.logspace(0, 5, 51), 6)
#: Score percentiles p of the top-p overlaps (paper Figs. 7, 11: 0.005 to 0.5).
P_GRID = np.array([0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5])
#: Percentiles of a band: median and the central 68% (paper's error bands).
BAND = (50.0, 16.0, 84.0)


def ensembled(scores, size: int) -> np.ndarray:
    """Ensembled scores: means of ``size`` consecutive runs, (G, R, N) -> (G, R // size, N)
    in float64 (the paper averages 100 runs in groups of 10). ValueError when R is not a
    multiple of ``size``."""
    scores = np.asarray(scores)
    if scores.ndim != 3:
        raise ValueError(f"ensembled: scores of shape {scores.shape}, expected (G, R, N)")
    g, r, n = scores.shape
    if size < 1 or r % size:
        raise ValueError(f"ensembled: {r} runs are not a multiple of the ensemble size {size}")
    return scores.reshape(g, r // size, size, n).mean(axis=2, dtype=np.float64)


def score_combination(scores) -> np.ndarray:
    """Score-level combination of the paper's Sec. 4: the per-event mean of the methods'
    scores, a list of equal-shape arrays (..., N) -> (..., N) float64."""
    shapes = {np.shape(s) for s in scores}
    if len(shapes) != 1:
        raise ValueError(f"score_combination: scores of different shapes {sorted(shapes)}")
    return np.mean(np.stack([np.asarray(s, np.float64) for s in scores]), axis=0)


def sample_combination_weights(samples) -> list:
    """Event weights of the sample-level combination (paper Sec. 4): each method's events
    carry 1 / n_methods of the total weight, its own event weights (SALAD's DCTR weights)
    multiplied in. ``samples``: per method its size (int: unit weights) or its event weights
    (n_m,). Returns one array (n_m,) per method; the total is sum_m n_m (mean weight 1)."""
    own = [np.ones(int(s)) if np.ndim(s) == 0 else np.asarray(s, np.float64) for s in samples]
    if not own:
        raise ValueError("sample_combination_weights: no methods")
    for i, w in enumerate(own):
        if not len(w) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"sample_combination_weights: method {i} has no events or weights "
                             "that are not finite, negative or sum to 0")
    share = sum(len(w) for w in own) / len(own)
    return [w * (share / w.sum()) for w in own]


def max_sic(labels, scores) -> float:
    """Max SIC = eS / sqrt(eB) over the thresholds keeping eB >= 1 / (0.4^2 N_bkg) (paper
    Sec. 4); labels (N,) bool (True: signal), scores (N,)."""
    return metrics.max_sic_reliable(labels, scores, **SIC)[0]


def sic_at_rejection(labels, scores, rejection: float = REJECTION) -> float:
    """SIC at background rejection 1 / eB = ``rejection`` (paper Fig. 13b: 1e3)."""
    return metrics.sic_at_rejection(labels, scores, rejection, offset=SIC["offset"])


def auc(labels, scores) -> float:
    """ROC AUC (signal vs background) of one classifier's scores (N,)."""
    return metrics.roc_auc(labels, scores)


#: The per-classifier summary metrics (dimensionless), in :func:`classifier_summary`.
METRICS = ("max_sic", "sic_at_rejection", "auc")


def _interpolate(x, xs, ys, first_at_or_above: bool) -> np.ndarray:
    """radflow.ml.metrics' ROC-staircase interpolation, vectorized over x (X,): y at the
    first point with xs >= x (``first_at_or_above``) or at the last with xs <= x, linear
    between neighbouring points otherwise; xs non-decreasing (n,)."""
    x = np.asarray(x, float)
    n = len(xs)
    if first_at_or_above:
        i = np.searchsorted(xs, x, side="left")
        at = np.minimum(i, n - 1)
        direct = (i == 0) | (i >= n) | (xs[at] == x)
        lo, hi = np.maximum(at - 1, 0), at
    else:
        j = np.searchsorted(xs, x, side="right") - 1
        at = np.clip(j, 0, n - 1)
        direct = (j < 0) | (j >= n - 1) | (xs[at] == x)
        lo, hi = at, np.minimum(at + 1, n - 1)
    step = np.where(xs[hi] > xs[lo], xs[hi] - xs[lo], 1.0)
    return np.where(direct, ys[at], ys[lo] + (ys[hi] - ys[lo]) * (x - xs[lo]) / step)


def _sic_floored(eff_s, eff_b, n_bkg) -> np.ndarray:
    """SIC where eB * n_bkg >= the floor (1 / 0.4^2 events), NaN elsewhere; shapes alike."""
    out = np.full(np.shape(eff_b), np.nan)
    ok = eff_b * n_bkg >= SIC["min_background"]
    out[ok] = metrics.sic(np.broadcast_to(eff_s, np.shape(eff_b))[ok], eff_b[ok], SIC["offset"])
    return out


def classifier_summary(labels, scores, efficiencies=EFFICIENCY_GRID, rejections=REJECTION_GRID) -> dict:
    """Everything the study reports of one classifier's scores (N,) from one ROC curve:
    ``max_sic`` (:func:`max_sic`), ``sic_at_rejection`` (1e3, :func:`sic_at_rejection`),
    ``auc`` (trapezoidal area: the Mann-Whitney AUC, ties 1/2), ``sic_vs_efficiency`` (E,)
    at the signal efficiencies ``efficiencies`` and ``sic_vs_rejection`` (K,) at the
    background rejections ``rejections``, the ROC interpolated as radflow.ml.metrics.fpr_at_tpr
    and sic_at_rejection do, NaN where the threshold keeps fewer than 1 / 0.4^2 background
    events (the max-SIC floor). labels (N,) bool, True for signal."""
    labels = np.asarray(labels, bool)
    fpr, tpr, _ = metrics.roc_curve(labels, scores)
    n_bkg = (~labels).sum()
    ok = (fpr * n_bkg >= SIC["min_background"]) & ((fpr > 0) | (SIC["offset"] > 0))
    if not ok.any():
        raise ValueError(f"max SIC: no threshold keeps {SIC['min_background']:g} of the {n_bkg} "
                         "background events")
    eff_s = np.asarray(efficiencies, float)
    eff_b = 1.0 / np.asarray(rejections, float)
    at_rejection = _interpolate(1.0 / REJECTION, fpr, tpr, first_at_or_above=False)
    return {"max_sic": float(metrics.sic(tpr[ok], fpr[ok], SIC["offset"]).max()),
            "sic_at_rejection": float(metrics.sic(at_rejection, 1.0 / REJECTION, SIC["offset"])),
            "auc": float(np.trapezoid(tpr, fpr)),
            "sic_vs_efficiency": _sic_floored(eff_s, _interpolate(eff_s, tpr, fpr, True), n_bkg),
            "sic_vs_rejection": _sic_floored(_interpolate(eff_b, fpr, tpr, False), eff_b, n_bkg)}


def sic_curves(labels, scores, efficiencies=EFFICIENCY_GRID, rejections=REJECTION_GRID):
    """(SIC at ``efficiencies`` (E,), SIC at ``rejections`` (K,)) of :func:`classifier_summary`."""
    c = classifier_summary(labels, scores, efficiencies, rejections)
    return c["sic_vs_efficiency"], c["sic_vs_rejection"]


def ranks(scores, seed: int = 0) -> np.ndarray:
    """Rank of each event by descending score, 0 = highest: (k, N) -> (k, N). Ties are broken
    at random, independently per classifier (seeded by ``seed``): breaking them by event
    order would put the same tied events on top for every classifier (boosted trees' and
    saturated networks' scores tie) and lift their overlap above random."""
    scores = np.atleast_2d(scores)
    keys = np.random.default_rng(seed).random(scores.shape)
    order = np.array([np.lexsort((k, -s)) for k, s in zip(keys, scores)])
    out = np.empty_like(order)
    out[np.arange(len(order))[:, None], order] = np.arange(order.shape[1])[None, :]
    return out


def overlap_from_ranks(r, p) -> np.ndarray:
    """:func:`top_p_overlap` from the classifiers' :func:`ranks` (k, N)."""
    worst = np.sort(np.asarray(r).max(axis=0))   # an event is in all top-n iff its worst rank < n
    n_top = np.maximum(1, np.round(np.asarray(p, float) * r.shape[1])).astype(np.int64)
    return np.searchsorted(worst, n_top, side="left") / n_top


def top_p_overlap(scores, p) -> np.ndarray:
    """Fraction of the top-p events of the first classifier that are in the top-p of all the
    others (paper Sec. 3.1). scores (k, N) of k >= 2 classifiers on the same events; p a
    fraction or an array (P,) of fractions; the top p are the round(p N) (at least 1) highest
    scores, ties broken at random (:func:`ranks`). Returns an array of p's shape."""
    scores = np.asarray(scores)
    if scores.ndim != 2 or len(scores) < 2:
        raise ValueError(f"top_p_overlap: scores of shape {scores.shape}, expected (k >= 2, N)")
    return overlap_from_ranks(ranks(scores), p)


def random_overlap(p, k: int):
    """Expected top-p overlap of k independent classifiers: p^(k - 1)."""
    return np.asarray(p, float) ** (k - 1)


def overlap_table(scores: dict, p=P_GRID) -> dict:
    """Top-p overlaps of every pair ("a|b") and of all classifiers ("all") of ``scores``
    ({method: (N,)}, same events), each {"overlap", "excess"} (P,): excess = overlap - the
    random baseline p (pairs) or p^(k - 1) (all k)."""
    names = list(scores)
    r = ranks([scores[m] for m in names])
    out = {}
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            ov = overlap_from_ranks(r[[a, b]], p)
            out[f"{names[a]}|{names[b]}"] = {"overlap": ov, "excess": ov - random_overlap(p, 2)}
    if len(names) > 2:
        ov = overlap_from_ranks(r, p)
        out["all"] = {"overlap": ov, "excess": ov - random_overlap(p, len(names))}
    return out


def standardized(scores, axis: int = -1) -> np.ndarray:
    """(s - mean) / std along ``axis`` (events): the paper's standardized scores (Fig. 6)."""
    s = np.asarray(scores, np.float64)
    sd = s.std(axis=axis, keepdims=True)
    if (sd == 0).any():
        raise ValueError("standardized: constant scores")
    return (s - s.mean(axis=axis, keepdims=True)) / sd


def pearson(a, b) -> float:
    """Pearson correlation coefficient r of two score arrays (N,)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"pearson: shapes {a.shape} and {b.shape}, expected equal (N,)")
    if a.std() == 0 or b.std() == 0:
        raise ValueError("pearson: constant scores")
    return float(np.corrcoef(a, b)[0, 1])


def weighted_ks(x, weights, y) -> float:
    """Two-sample KS statistic sup_t |F_w(t) - G(t)| between the weighted ECDF of x (n,)
    with ``weights`` (n,) (None: unit) and the ECDF of y (m,)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, np.float64)
    ox = np.argsort(x, kind="stable")
    xs, cw = x[ox], np.cumsum(w[ox]) / w.sum()
    ys = np.sort(y)
    t = np.r_[xs, ys]
    i = np.searchsorted(xs, t, side="right")
    f = np.where(i > 0, cw[np.maximum(i - 1, 0)], 0.0)
    g = np.searchsorted(ys, t, side="right") / len(ys)
    return float(np.abs(f - g).max())


def effective_size(weights) -> float:
    """Kish effective sample size (sum w)^2 / sum w^2 of weighted events (n,)."""
    w = np.asarray(weights, np.float64)
    return float(w.sum() ** 2 / (w * w).sum())


def ks_table(template: dict, weights, truth: dict, features=None, level: float = 0.05) -> dict:
    """Per-feature weighted two-sample KS test of a synthetic sample against the true SR
    background (paper Table 3). template, truth: {feature: (n,)}, {feature: (m,)} in their
    units (GeV for masses); weights (n,) or None. Per feature: ``statistic`` (sup of the ECDF
    difference), ``pvalue`` (asymptotic Kolmogorov distribution at the effective sizes, the
    template's Kish size) and ``critical_value`` (the statistic an unweighted comparison of
    samples of those sizes exceeds with probability ``level``)."""
    from scipy import stats                  # 0.4 s of import: only where it is used

    features = list(template) if features is None else list(features)
    n_t = len(next(iter(template.values())))
    n_eff = effective_size(np.ones(n_t) if weights is None else weights)
    out = {}
    for c in features:
        if c not in template or c not in truth:
            raise ValueError(f"ks_table: feature {c!r} missing from the "
                             f"{'template' if c not in template else 'truth'}")
        d = weighted_ks(template[c], weights, truth[c])
        m = len(truth[c])
        en = np.sqrt(n_eff * m / (n_eff + m))
        out[c] = {"statistic": d, "pvalue": float(stats.kstwobign.sf(en * d)),
                  "critical_value": float(stats.kstwobign.isf(level) / en),
                  "n_template_effective": n_eff, "n_truth": m}
    return out


def band(values, axis=None) -> dict:
    """{"median", "p16", "p84"} of ``values`` along ``axis`` (None: all), ignoring NaN (an
    all-NaN slice gives NaN): the paper's median and 68% band."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN slices
        q = np.nanpercentile(np.asarray(values, np.float64), BAND, axis=axis)
    return dict(zip(("median", "p16", "p84"), q))
