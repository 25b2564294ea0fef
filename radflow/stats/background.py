"""Background predicted after a classifier threshold from weighted simulation (SALAD paper,
eq. 2.4): the events of the reweighted simulation that pass the threshold, normalized as the
weights say, against the data that pass it."""
from __future__ import annotations

import numpy as np


def background_prediction(data_scores, sim_scores, w_sim, norm: float, data_efficiency: float):
    """SALAD paper eq. 2.4 at the threshold c that keeps ``data_efficiency`` of the SR data:
    N_pred(c) = norm * sum over SR sim events with g > c of w, against the observed
    N_true(c). ``norm`` is the data/sim ratio of the sideband counts, the normalization the
    DCTR weights carry into the SR (not the SR yield itself, so the prediction can miss the
    SR rate too). Returns (N_pred / N_true, its statistical error: Poisson on N_true, sum of
    w^2 on N_pred). Scores (N,), weights (N_sim,)."""
    data_scores, sim_scores = np.asarray(data_scores), np.asarray(sim_scores)
    cut = np.quantile(data_scores, 1.0 - data_efficiency)
    n_true = float(np.sum(data_scores > cut))
    sel = sim_scores > cut
    w = np.asarray(w_sim, float)[sel]
    n_pred = norm * w.sum()
    if n_true == 0 or n_pred == 0:
        raise ValueError(f"background prediction at data efficiency {data_efficiency:g}: "
                         f"{n_true:g} data and {sel.sum()} sim events pass")
    ratio = n_pred / n_true
    return ratio, ratio * np.sqrt(1.0 / n_true + (w * w).sum() / w.sum() ** 2)
