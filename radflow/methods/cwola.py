"""CWoLa and simulation-augmented CWoLa training targets (labels and event weights).

CWoLa (SR vs SB, label 1 for SR): region weights make the low and high sidebands carry
equal total weight, the sidebands together the same weight as the SR, and all weights sum
to the number of events (the CWoLa Hunting and SA-CWoLa papers).

SA-CWoLa (SA-CWoLa paper, eq. 2.3) adds the background-only simulation with its SR/SB
labels flipped (sim SR -> 0, sim SB -> 1) and weighted by lambda, which penalizes the
classifier for learning SR-vs-SB differences that the simulation also has. The flipped
labels are the bounded form of the eq.-2.3 penalty (the literal +lambda*log f term is
unbounded below); lambda = 0 gives exactly the CWoLa loss.
"""
from __future__ import annotations

import numpy as np


def region_weights(sr, sb_low, sb_high) -> np.ndarray:
    """Per-event weights from boolean masks (N,): SR total = SB total, SB low = SB high,
    sum over SR and SB events = their number; 0 outside SR and SB."""
    sr, lo, hi = (np.asarray(a, bool) for a in (sr, sb_low, sb_high))
    n = sr.sum() + lo.sum() + hi.sum()
    w = np.zeros(len(sr))
    for mask, share in ((sr, 0.5), (lo, 0.25), (hi, 0.25)):
        if mask.any():
            w[mask] = share * n / mask.sum()
    return w


def sa_cwola_targets(is_sim, sr, sb_low, sb_high, lam: float):
    """Labels and weights (N,) for SA-CWoLa on data + sim events (``is_sim`` marks sim).

    Data: SR -> 1, SB -> 0, CWoLa region weights. Sim: SR -> 0, SB -> 1, its own region
    weights times ``lam``.
    """
    is_sim, sr = np.asarray(is_sim, bool), np.asarray(sr, bool)
    sb_low, sb_high = np.asarray(sb_low, bool), np.asarray(sb_high, bool)
    labels = np.where(is_sim, ~sr, sr).astype(np.float32)
    w = np.zeros(len(sr))
    for sel, scale in ((~is_sim, 1.0), (is_sim, lam)):
        w[sel] = scale * region_weights(sr[sel], sb_low[sel], sb_high[sel])
    return labels, w


def weighted_bce(labels, pred, weights) -> float:
    """sum_i w_i * BCE(y_i, p_i) / N: the loss the ensembles minimize (Keras convention)."""
    p = np.clip(np.asarray(pred, float), 1e-7, 1 - 1e-7)
    y = np.asarray(labels, float)
    return float(np.sum(np.asarray(weights) * -(y * np.log(p) + (1 - y) * np.log(1 - p))) / len(y))


LAMBDA_PREFIX = "sa_cwola_l"


def lambda_method(lam: float) -> str:
    """Name of SA-CWoLa at ``lam`` in score files and metrics (lambda = 0 is plain CWoLa)."""
    return f"{LAMBDA_PREFIX}{lam:g}"


def lambda_of(method: str) -> float | None:
    """lambda of an SA-CWoLa method name (inverse of :func:`lambda_method`), else None."""
    return float(method[len(LAMBDA_PREFIX):]) if method.startswith(LAMBDA_PREFIX) else None


def resolve(method: str, nominal_lambda: float) -> str:
    """Score name of a method as the paper's figures call it: 'cwola' -> lambda 0,
    'sa_cwola' -> the nominal lambda, anything else unchanged."""
    names = {"cwola": lambda_method(0.0), "sa_cwola": lambda_method(nominal_lambda)}
    return names.get(method, method)
