"""Classifier metrics (signal = label 1; higher score = more signal-like): ROC curve, AUC,
the significance improvement SIC = eS / sqrt(eB + offset) (max SIC, SIC at fixed eS or
rejection) as each paper defines it (:data:`SIC_DEFINITIONS`: the offset and the reliability
floor of the max SIC), and the combination of a classifier's initializations (truncated
mean)."""
from __future__ import annotations

import numpy as np


def roc_auc(labels, scores, weights=None) -> float:
    """Area under the ROC curve, i.e. P(score_signal > score_background) (ties count 1/2).

    Unweighted: the Mann-Whitney statistic from mid-ranks. Weighted: the trapezoidal
    area under the weighted ROC curve.
    """
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, float)
    if labels.all() or not labels.any():
        raise ValueError("roc_auc needs both classes (label 0 and 1)")
    if weights is None:
        ranks = midranks(scores)
        n1, n0 = labels.sum(), (~labels).sum()
        return float((ranks[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    fpr, tpr, _ = roc_curve(labels, scores, weights)
    return float(np.trapezoid(tpr, fpr))


def midranks(values) -> np.ndarray:
    """Ranks 1..n of ``values`` (n,), tied values sharing the mean of their ranks; all NaN
    where a value is NaN: scipy's ``rankdata(values)`` without scipy.stats' 0.4 s of import
    in every job that needs an AUC."""
    values = np.asarray(values)
    if np.isnan(values).any():
        return np.full(len(values), np.nan)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]      # the first of each run of ties
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = ((starts + 1 + ends) / 2)[np.cumsum(first) - 1]
    return ranks


def roc_curve(labels, scores, weights=None):
    """(fpr, tpr, thresholds) for thresholds at every distinct score, from (0, 0) to (1, 1)."""
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, float)
    w = np.ones(len(scores)) if weights is None else np.asarray(weights, float)
    order = np.argsort(-scores, kind="stable")
    s, y, w = scores[order], labels[order], w[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]   # last index of each distinct score
    tp = np.cumsum(w * y)[last]
    fp = np.cumsum(w * ~y)[last]
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    return fpr, tpr, np.r_[np.inf, s[last]]


#: SIC offset of the SALAD paper: SIC = eS / sqrt(eB + SIC_OFFSET) stays finite at eB = 0.
SIC_OFFSET = 1e-4
#: Reliability floor of the max SIC: only thresholds that keep at least this many background
#: events count (relative statistical error of eB <= 40%, as in the CATHODE and
#: complementarity papers): 1 / 0.4^2 = 6.25 events.
MIN_BACKGROUND = 1 / 0.4**2

#: The SIC of each study kind as its paper defines it: ``offset`` added to eB under the root
#: and ``min_background``, the fewest background events a threshold must keep to count for
#: the max SIC (0: every threshold). SALAD: eS / sqrt(eB + 0.01%) over all thresholds (its
#: Sec. IV); CATHODE and the complementarity paper: eS / sqrt(eB) with eB >= 1 / (0.4^2
#: N_bkg); SA-CWoLa and CWoLa-vs-autoencoder define eS / sqrt(eB) and state no floor: radflow
#: applies CATHODE's, so that no max SIC rests on fewer than 6.25 background events.
SIC_DEFINITIONS = {
    "salad": {"offset": SIC_OFFSET, "min_background": 0.0},
    "sacwola": {"offset": 0.0, "min_background": MIN_BACKGROUND},
    "cathode": {"offset": 0.0, "min_background": MIN_BACKGROUND},
    "cwola_ae": {"offset": 0.0, "min_background": MIN_BACKGROUND},
}


def sic(eff_s, eff_b, offset: float = 0.0):
    """Significance improvement eS / sqrt(eB + offset) (efficiencies, same shapes); the
    offset (SALAD: 1e-4) regulates statistical fluctuations at low background efficiency."""
    return np.asarray(eff_s) / np.sqrt(np.asarray(eff_b) + offset)


def max_sic_reliable(labels, scores, min_background: float = MIN_BACKGROUND,
                     offset: float = 0.0) -> tuple:
    """(max SIC, eS, eB at it) over the thresholds that keep >= ``min_background`` background
    events (eB * N_background >= min_background; 0: every threshold with eB > 0, or eB = 0
    when ``offset`` > 0). labels (N,) bool, True for signal; scores (N,); eS and eB are
    efficiencies (fractions). ValueError when no threshold keeps enough background events."""
    labels = np.asarray(labels, bool)
    fpr, tpr, _ = roc_curve(labels, scores)
    n_bkg = (~labels).sum()
    ok = np.nonzero((fpr * n_bkg >= min_background) & ((fpr > 0) | (offset > 0)))[0]
    if not len(ok):
        raise ValueError(f"max SIC: no threshold keeps {min_background:g} of the {n_bkg} "
                         "background events")
    values = sic(tpr[ok], fpr[ok], offset)
    best = ok[np.argmax(values)]
    return float(values.max()), float(tpr[best]), float(fpr[best])


def _interpolate(x, xs, ys, first_at_or_above: bool):
    """y at x along a monotone ROC staircase (xs non-decreasing, repeated values allowed).

    first_at_or_above=True: the first point with xs >= x (fpr at a tpr: the smallest fpr
    that reaches it); False: the last point with xs <= x (tpr at an fpr: the largest tpr
    allowed). Linear interpolation between neighbouring points otherwise.
    """
    if first_at_or_above:
        i = int(np.searchsorted(xs, x, side="left"))
        if i == 0 or xs[i] == x:
            return float(ys[min(i, len(xs) - 1)])
        j, i = i - 1, i
    else:
        j = int(np.searchsorted(xs, x, side="right")) - 1
        if j == len(xs) - 1 or xs[j] == x:
            return float(ys[j])
        i = j + 1
    return float(ys[j] + (ys[i] - ys[j]) * (x - xs[j]) / (xs[i] - xs[j]))


def fpr_at_tpr(labels, scores, tpr_target: float = 0.5, weights=None) -> float:
    """Background efficiency at signal efficiency ``tpr_target``: the smallest FPR whose
    TPR reaches the target, interpolated linearly between ROC points."""
    fpr, tpr, _ = roc_curve(labels, scores, weights)
    return _interpolate(tpr_target, tpr, fpr, first_at_or_above=True)


def sic_at_tpr(labels, scores, tpr_target: float = 0.5, weights=None, offset: float = 0.0):
    """SIC at signal efficiency ``tpr_target`` (0.5 in the SALAD paper's Fig. 8)."""
    return float(sic(tpr_target, fpr_at_tpr(labels, scores, tpr_target, weights), offset))


def sic_at_rejection(labels, scores, rejection: float = 1e3, weights=None, offset: float = 0.0):
    """SIC at background rejection 1/eB = ``rejection``: eS interpolated at eB = 1/rejection."""
    fpr, tpr, _ = roc_curve(labels, scores, weights)
    eff_b = 1.0 / rejection
    return float(sic(_interpolate(eff_b, fpr, tpr, first_at_or_above=False), eff_b, offset))


def truncated_mean(values, axis: int = 0, n_trim: int = 1):
    """Mean along ``axis`` after dropping the ``n_trim`` smallest and largest entries
    (e.g. scores of 10 initializations -> mean of the middle 8)."""
    v = np.sort(np.asarray(values, float), axis=axis)
    n = v.shape[axis]
    if n <= 2 * n_trim:
        raise ValueError(f"truncated_mean needs more than {2 * n_trim} entries along axis {axis}, got {n}")
    return np.take(v, np.arange(n_trim, n - n_trim), axis=axis).mean(axis=axis)


#: How a method's initializations are combined into its per-event score, as the papers do:
#: 'truncated_mean' (SALAD, Fig. 8: "each classifier is itself the truncated mean over ten
#: random initializations"; robust to one initialization stuck in a poor minimum) and 'mean'
#: (CATHODE and the complementarity study: scores averaged over the runs).
COMBINATIONS = ("truncated_mean", "mean")


def combine_initializations(scores, how: str = "truncated_mean") -> np.ndarray:
    """One classifier's score (N,) from its initializations' scores (n_init, N): ``how`` =
    'truncated_mean' drops the lowest and highest per event when there are more than two
    (else the mean), in float64; 'mean' is the plain mean in the scores' own dtype."""
    if how == "mean":
        return np.asarray(scores).mean(axis=0)
    if how != "truncated_mean":
        raise ValueError(f"unknown combination '{how}' (known: {list(COMBINATIONS)})")
    scores = np.asarray(scores, float)
    return truncated_mean(scores, axis=0) if len(scores) > 2 else scores.mean(axis=0)


def classifier_summary(labels, scores, definition: str) -> dict:
    """AUC, max SIC, FPR and SIC at 50% signal efficiency of one classifier (labels (N,)
    bool, scores (N,)), the SIC as the study kind ``definition`` defines it
    (:data:`SIC_DEFINITIONS`)."""
    d = SIC_DEFINITIONS[definition]
    return {"auc": roc_auc(labels, scores),
            "max_sic": max_sic_reliable(labels, scores, **d)[0],
            "fpr_at_50": fpr_at_tpr(labels, scores, 0.5),
            "sic_at_50": sic_at_tpr(labels, scores, 0.5, offset=d["offset"])}
