"""Training procedures on top of the vectorized ensembles: single classifiers, plain
k-fold and the nested k-fold of CWoLa Hunting. Every event is scored only by models that
never trained or validated on it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.ml import ensemble, models


def fold_assignment(n: int, k: int, seed: int) -> np.ndarray:
    """Fold index in [0, k) for each of n events: a seeded permutation, equal-size folds."""
    folds = np.arange(n) % k
    return np.random.default_rng(seed).permutation(folds)


def fit_classifier(x, y, seed: int, arch="sacwola", weights=None, n_members=1, epochs=50,
                   patience=10, batch_size=512, val_fraction=0.2) -> ensemble.TrainedEnsemble:
    """Train ``n_members`` classifiers (different initializations) on all of x (N, d),
    with a random ``val_fraction`` held out for early stopping."""
    w_tr, w_val = ensemble.validation_split(np.ones(len(x)) if weights is None else weights,
                                            seed, val_fraction)
    return ensemble.train_ensemble(x, y, models.get(arch), n_members, seed, w_tr, w_val,
                                   epochs=epochs, patience=patience, batch_size=batch_size)


def kfold_scores(x, y, seed: int, arch="sacwola", weights=None, k=5, n_init=1, epochs=50,
                 patience=10, batch_size=512) -> np.ndarray:
    """Plain k-fold: members (fold f, init i) train on the other folds (one of them for
    validation) and score fold f. Returns per-event scores (N,), the mean over the n_init
    members that scored the event."""
    n = len(x)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    fold = fold_assignment(n, k, seed)
    test_fold = np.repeat(np.arange(k), n_init)                   # member -> its test fold
    val_fold = (test_fold + 1) % k
    w_tr = np.where((fold[None] != test_fold[:, None]) & (fold[None] != val_fold[:, None]), w, 0.0)
    w_val = np.where(fold[None] == val_fold[:, None], w, 0.0)
    ens = ensemble.train_ensemble(x, y, models.get(arch), k * n_init, seed, w_tr, w_val,
                                  epochs=epochs, patience=patience, batch_size=batch_size)
    scores = ens.predict(x)
    own = fold[None] == test_fold[:, None]
    return (scores * own).sum(axis=0) / own.sum(axis=0)


def tpr_at_fpr(scores, is_signal_region, weights, fpr: float = 0.01) -> np.ndarray:
    """CWoLa Hunting's validation metric, per member: efficiency of SR events above the
    threshold that keeps a fraction ``fpr`` of SB events. scores (M, N); masks/weights (M, N)."""
    out = np.empty(len(scores))
    for i, (s, sr, w) in enumerate(zip(scores, is_signal_region, weights)):
        sb = (~sr) & (w > 0)
        cut = np.quantile(s[sb], 1.0 - fpr)
        sel = sr & (w > 0)
        out[i] = np.average(s[sel] > cut, weights=w[sel])
    return out


@dataclass
class NestedKFoldResult:
    scores: np.ndarray        # (N,) ensemble score of each event from its outer-test models
    selected: np.ndarray      # (k_outer, k_inner) member index kept in each inner round
    members: list             # per member: (outer test fold, inner validation fold, init)
    fold: np.ndarray          # (N,) outer fold of each event


def nested_kfold(x, y, seed: int, arch="cwola_hunting", weights=None, k=5, n_init=10,
                 epochs=700, patience=300, batch_size=20480, fpr=0.01) -> NestedKFoldResult:
    """CWoLa Hunting's nested k-fold (y: 1 for SR, 0 for SB events).

    For each outer test fold t, each of the k-1 inner rounds takes one remaining fold v for
    validation and trains n_init initializations on the other k-2 folds; the best of them by
    :func:`tpr_at_fpr` on v is kept, and the mean of the k-1 kept models scores fold t.
    All k * (k-1) * n_init members train in one vectorized ensemble.
    """
    n = len(x)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    fold = fold_assignment(n, k, seed)
    members = [(t, v, i) for t in range(k) for v in range(k) if v != t for i in range(n_init)]
    t_of = np.array([m[0] for m in members])
    v_of = np.array([m[1] for m in members])
    w_tr = np.where((fold[None] != t_of[:, None]) & (fold[None] != v_of[:, None]), w, 0.0)
    w_val = np.where(fold[None] == v_of[:, None], w, 0.0)
    ens = ensemble.train_ensemble(x, y, models.get(arch), len(members), seed, w_tr, w_val,
                                  epochs=epochs, patience=patience, batch_size=batch_size)
    scores = ens.predict(x)
    metric = tpr_at_fpr(scores, np.broadcast_to(np.asarray(y) > 0.5, scores.shape), w_val, fpr)
    selected = np.zeros((k, k - 1), int)
    out = np.zeros(n)
    for t in range(k):
        rounds = [v for v in range(k) if v != t]
        for r, v in enumerate(rounds):
            cand = np.nonzero((t_of == t) & (v_of == v))[0]
            selected[t, r] = cand[np.argmax(metric[cand])]
        test = fold == t
        out[test] = scores[selected[t]][:, test].mean(axis=0)
    return NestedKFoldResult(out, selected, members, fold)
