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


def member_weights(n_data, n_ind, w_sim, n_classifiers, n_init, seed, val_fraction=0.2):
    """Per-member training and validation weights (M, N) over events ordered as
    [search data, independent data, sim], members ordered (line, classifier, init)."""
    n_sim = len(w_sim)
    per_line = {"ideal": np.r_[np.ones(n_data + n_ind), np.zeros(n_sim)],
                "sim_only": np.r_[np.ones(n_data), np.zeros(n_ind), np.ones(n_sim)],
                "salad": np.r_[np.ones(n_data), np.zeros(n_ind), w_sim]}
    rng = np.random.default_rng(seed)
    w_tr, w_val = [], []
    for line in LINES:
        for _ in range(n_classifiers):
            tr, val = ensemble.validation_split(per_line[line], rng, val_fraction)
            w_tr += [tr] * n_init
            w_val += [val] * n_init
    return np.array(w_tr), np.array(w_val)


def train_lines(x_data, x_ind, x_sim, w_sim, seed, n_classifiers, n_init, arch="salad",
                epochs=50, patience=10, batch_size=512) -> ensemble.TrainedEnsemble:
    """One ensemble of len(LINES) * n_classifiers * n_init members (label 1 = search data)."""
    x = np.concatenate([x_data, x_ind, x_sim]).astype(np.float32)
    y = np.r_[np.ones(len(x_data)), np.zeros(len(x_ind) + len(x_sim))]
    w_tr, w_val = member_weights(len(x_data), len(x_ind), np.asarray(w_sim, float),
                                 n_classifiers, n_init, seed)
    return ensemble.train_ensemble(x, y, models.get(arch), len(w_tr), seed, w_tr, w_val,
                                   epochs=epochs, patience=patience, batch_size=batch_size)


def classifier_scores(member_scores, n_classifiers, n_init) -> dict:
    """{line: (n_classifiers, N)} scores, each the combination of its initializations."""
    s = np.asarray(member_scores).reshape(len(LINES), n_classifiers, n_init, -1)
    return {line: np.array([metrics.combine_initializations(c) for c in s[i]])
            for i, line in enumerate(LINES)}


def line_metrics(scores, labels, offset=metrics.SIC_OFFSET) -> dict:
    """Fig. 8 metrics per classifier: AUC, max SIC, FPR and SIC at eS = 50%."""
    per_classifier = [metrics.classifier_summary(labels, s, offset) for s in scores]
    return {k: [c[k] for c in per_classifier] for k in ("auc", "max_sic", "fpr_at_50", "sic_at_50")}
