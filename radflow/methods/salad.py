"""The three lines of the SALAD paper's Fig. 8, trained in the signal region as one
vectorized ensemble per injection:

- ideal: search data (quarter 0 + injected signal) vs independent background-only data
  (quarter 1);
- sim_only: search data vs unweighted sim (train half);
- salad: search data vs DCTR-weighted sim, weighted binary cross-entropy.

Each line has ``n_classifiers`` classifiers, each the truncated mean over ``n_init``
initializations; every classifier has its own random validation split.
"""
from __future__ import annotations

import numpy as np

from radflow.ml import ensemble, metrics, models

LINES = ("ideal", "sim_only", "salad")


def train_lines(x_data, x_ind, x_sim, w_sim, seed, n_classifiers, n_init, arch="salad",
                epochs=50, patience=10, batch_size=512,
                val_fraction=0.2) -> ensemble.MethodEnsemble:
    """All classifiers of the three lines in one ensemble
    (:func:`radflow.ml.ensemble.train_methods`): ``n_classifiers`` per line, each with its
    own random validation split and ``n_init`` initializations, over the events ordered as
    [search data (label 1), independent data, sim]; methods named (line, classifier)."""
    x = np.concatenate([x_data, x_ind, x_sim]).astype(np.float32)
    y = np.r_[np.ones(len(x_data)), np.zeros(len(x_ind) + len(x_sim))]
    n_data, n_ind, n_sim = len(x_data), len(x_ind), len(x_sim)
    per_line = {"ideal": np.r_[np.ones(n_data + n_ind), np.zeros(n_sim)],
                "sim_only": np.r_[np.ones(n_data), np.zeros(n_ind), np.ones(n_sim)],
                "salad": np.r_[np.ones(n_data), np.zeros(n_ind), np.asarray(w_sim, float)]}
    rng = np.random.default_rng(seed)
    tasks = {(line, c): (y, *ensemble.validation_split(per_line[line], rng, val_fraction))
             for line in LINES for c in range(n_classifiers)}
    return ensemble.train_methods(x, tasks, models.get(arch), n_init, seed, epochs=epochs,
                                  patience=patience, batch_size=batch_size)


def classifier_scores(ens: ensemble.MethodEnsemble, x) -> dict:
    """{line: (n_classifiers, N)} scores on x (N, d), each classifier's initializations
    combined (:meth:`radflow.ml.ensemble.MethodEnsemble.scores`)."""
    scores = ens.scores(x)
    return {line: np.array([s for (ln, _), s in scores.items() if ln == line]) for line in LINES}


def line_metrics(scores, labels) -> dict:
    """Fig. 8 metrics per classifier: AUC, max SIC, FPR and SIC at eS = 50% (SIC as the SALAD
    paper defines it, radflow.ml.metrics.SIC_DEFINITIONS)."""
    per_classifier = [metrics.classifier_summary(labels, s, "salad") for s in scores]
    return {k: [c[k] for c in per_classifier] for k in ("auc", "max_sic", "fpr_at_50", "sic_at_50")}
