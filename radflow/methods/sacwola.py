"""The classifiers of the SA-CWoLa paper (Fig. 2), trained as one vectorized ensemble.

Every method is a set of per-event labels and weights over one table of training rows
(the train half): 'data' (the data sample plus the injected signal), background 'sim', and
labelled signal Monte Carlo for the supervised reference. Members of the ensemble are
(method, initialization); labels and weights differ per member, so all methods share one
model and one optimizer step per minibatch.

Methods (SR = signal region, SB = the short sidebands):

- ``sa_cwola_l{lambda}``: eq. 2.3, data SR (1) vs data SB (0) plus sim with flipped labels
  weighted by lambda (:func:`radflow.cwola.sa_cwola_targets`); lambda = 0 is CWoLa;
- ``optimal_cwola``: data SR quarter 0 with the injected signal of quarter 0 (1) vs the
  independent background-only data SR quarter 1 (0): the signal fraction of the CWoLa SR
  sample with half of its events (the paper uses an extra background sample instead);
- ``data_vs_sim``: data SR (1) vs unweighted sim SR (0);
- ``salad``: data SR (1) vs DCTR-weighted sim SR (0), weights from the long sidebands;
- ``supervised``: signal Monte Carlo SR (1) vs background-only data SR (0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.methods import cwola
from radflow.ml import ensemble, metrics, models

DATA, SIM, SIGNAL_MC = 0, 1, 2
FIXED_METHODS = ("optimal_cwola", "data_vs_sim", "salad", "supervised")


def method_names(lambdas) -> list[str]:
    """Ensemble methods in member order: SA-CWoLa at each lambda, then FIXED_METHODS."""
    return [cwola.lambda_method(lam) for lam in lambdas] + list(FIXED_METHODS)


@dataclass
class Rows:
    """Training table, one entry per event (N,): features ``x`` (N, d); ``kind`` (DATA,
    SIM, SIGNAL_MC); ``signal`` (truth: injected or Monte Carlo signal); ``sr``, ``sb_low``,
    ``sb_high`` (bool); ``quarter`` (0/1 for data rows and injected signal); ``w_dctr``
    (DCTR weight of sim rows, 1 elsewhere)."""
    x: np.ndarray
    kind: np.ndarray
    signal: np.ndarray
    sr: np.ndarray
    sb_low: np.ndarray
    sb_high: np.ndarray
    quarter: np.ndarray
    w_dctr: np.ndarray


def targets(rows: Rows, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and training weights (N,) of one method; weight 0 leaves a row out."""
    n = len(rows.kind)
    data, sim, mc = (rows.kind == k for k in (DATA, SIM, SIGNAL_MC))
    sr = rows.sr
    y, w = np.zeros(n, np.float32), np.zeros(n)
    lam = cwola.lambda_of(method)
    if lam is not None:
        use = (data | sim) & (sr | rows.sb_low | rows.sb_high)
        y[use], w[use] = cwola.sa_cwola_targets(sim[use], sr[use], rows.sb_low[use],
                                                rows.sb_high[use], lam)
    elif method == "optimal_cwola":
        y[data & sr] = rows.quarter[data & sr] == 0
        w[data & sr & ~(rows.signal & (rows.quarter == 1))] = 1.0
    elif method in ("data_vs_sim", "salad"):
        y[data & sr] = 1.0
        w[(data | sim) & sr] = 1.0
        if method == "salad":
            w[sim & sr] = rows.w_dctr[sim & sr]
    elif method == "supervised":
        y[mc & sr] = 1.0
        w[(mc | (data & ~rows.signal)) & sr] = 1.0
    else:
        raise KeyError(f"unknown SA-CWoLa study method '{method}'")
    return y, w


def train(rows: Rows, methods, n_init: int, seed: int, arch="sacwola", epochs=50, patience=10,
          batch_size=512, val_fraction=0.2) -> ensemble.TrainedEnsemble:
    """One ensemble of len(methods) x n_init members, ordered (method, initialization).
    Each method has its own random validation split, shared by its initializations."""
    rng = np.random.default_rng(seed)
    ys, w_tr, w_val = [], [], []
    for method in methods:
        y, w = targets(rows, method)
        tr, val = ensemble.validation_split(w, rng, val_fraction)
        ys += [y] * n_init
        w_tr += [tr] * n_init
        w_val += [val] * n_init
    return ensemble.train_ensemble(rows.x.astype(np.float32), np.array(ys), models.get(arch),
                                   len(ys), seed, np.array(w_tr), np.array(w_val),
                                   epochs=epochs, patience=patience, batch_size=batch_size)


def method_scores(member_scores, methods, n_init) -> dict:
    """{method: (N,)} scores, each the combination of its initializations."""
    s = np.asarray(member_scores).reshape(len(methods), n_init, -1)
    return {m: metrics.combine_initializations(s[i]) for i, m in enumerate(methods)}
