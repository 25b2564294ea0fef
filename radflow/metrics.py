"""Classifier metrics: ROC curve and AUC (signal = label 1; higher score = more signal-like)."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


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
        ranks = rankdata(scores)
        n1, n0 = labels.sum(), (~labels).sum()
        return float((ranks[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    fpr, tpr, _ = roc_curve(labels, scores, weights)
    return float(np.trapezoid(tpr, fpr))


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
