"""The classifiers of the SA-CWoLa paper (Fig. 2), trained as one vectorized ensemble.

Every method is a set of per-event labels and weights over one table of training rows
(the train half): 'data' (the data sample plus the injected signal), background 'sim', an
extra background-only sample ('extra', a second 'data'-like sample with its own seed), and
labelled signal Monte Carlo for the supervised reference. Members of the ensemble are
(method, initialization); each trains on its own rows and minibatches (radflow.ml.ensemble).

Methods (SR = signal region, SB = the short sidebands):

- ``sa_cwola_l{lambda}``: eq. 2.3 as written, data SR (1) vs data SB (0) plus sim weighted
  by -lambda; ``sa_cwola_flip_l{lambda}``: the bounded label-flipped variant
  (:func:`radflow.methods.cwola.sa_cwola_targets`); lambda = 0 is CWoLa;
- ``optimal_cwola``: data SR with the injected signal (1) vs the extra background-only
  sample's SR (0), as many events as the data SR: the same data statistics and signal as
  CWoLa, without the SR-vs-SB phase-space difference (the paper's definition);
- ``data_vs_sim``: data SR (1) vs unweighted sim SR (0);
- ``salad``: data SR (1) vs DCTR-weighted sim SR (0), weights from the long sidebands;
- ``supervised``: signal Monte Carlo SR (1) vs background-only data SR (0).

Repetitions: each repetition has its own signal draw (radflow.inject) and trains on a
Poisson(1) bootstrap of the training rows, so the spread over repetitions is the
statistical error of one analysis.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.methods import cwola
from radflow.ml import ensemble, models

DATA, SIM, SIGNAL_MC, EXTRA = 0, 1, 2, 3
FIXED_METHODS = ("optimal_cwola", "data_vs_sim", "salad", "supervised")


def method_names(lambdas, forms=cwola.FORMS) -> list[str]:
    """Ensemble methods in member order: SA-CWoLa at each lambda in each form (lambda = 0,
    CWoLa, once), then FIXED_METHODS."""
    names = []
    for form in forms:
        names += [cwola.lambda_method(lam, form) for lam in lambdas
                  if cwola.lambda_method(lam, form) not in names]
    return names + list(FIXED_METHODS)


@dataclass
class Rows:
    """Training table, one entry per event (N,): features ``x`` (N, d); ``kind`` (DATA,
    SIM, SIGNAL_MC, EXTRA); ``signal`` (truth: injected or Monte Carlo signal); ``sr``,
    ``sb_low``, ``sb_high`` (bool); ``w_dctr`` (DCTR weight of sim rows, 1 elsewhere)."""
    x: np.ndarray
    kind: np.ndarray
    signal: np.ndarray
    sr: np.ndarray
    sb_low: np.ndarray
    sb_high: np.ndarray
    w_dctr: np.ndarray


def targets(rows: Rows, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and training weights (N,) of one method; weight 0 leaves a row out."""
    n = len(rows.kind)
    data, sim, mc = (rows.kind == k for k in (DATA, SIM, SIGNAL_MC))
    sr = rows.sr
    y, w = np.zeros(n, np.float32), np.zeros(n)
    parsed = cwola.parse_method(method)
    if parsed is not None:
        form, lam = parsed
        use = (data | sim) & (sr | rows.sb_low | rows.sb_high)
        y[use], w[use] = cwola.sa_cwola_targets(sim[use], sr[use], rows.sb_low[use],
                                                rows.sb_high[use], lam, form)
    elif method == "optimal_cwola":
        extra = rows.kind == EXTRA
        y[data & sr] = 1.0
        w[(data | extra) & sr] = 1.0
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


def train(rows: Rows, methods, n_init: int, seed: int, bootstrap_seed: int, arch="sacwola",
          epochs=50, patience=10, batch_size=512,
          val_fraction=0.2) -> ensemble.MethodEnsemble:
    """All ``methods`` with ``n_init`` initializations each in one ensemble
    (:func:`radflow.ml.ensemble.train_methods`). Every row's weight is multiplied by one
    Poisson(1) bootstrap count (seeded by ``bootstrap_seed``, the same for all methods);
    each method has its own random validation split, shared by its initializations."""
    rng = np.random.default_rng(seed)
    boot = np.random.default_rng(bootstrap_seed).poisson(1.0, len(rows.kind))
    tasks = {}
    for method in methods:
        y, w = targets(rows, method)
        tasks[method] = (y, *ensemble.validation_split(w * boot, rng, val_fraction))
    return ensemble.train_methods(rows.x.astype(np.float32), tasks, models.get(arch), n_init,
                                  seed, epochs=epochs, patience=patience, batch_size=batch_size)
