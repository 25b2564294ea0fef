"""Training procedures on top of the vectorized ensembles: single classifiers, plain
k-fold and the nested k-fold of CWoLa Hunting. Every event is scored only by models that
never trained or validated on it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow import seeds
from radflow.ml import ensemble, models


def fold_assignment(n: int, k: int, seed: int, strata=None) -> np.ndarray:
    """Fold index in [0, k) for each of n events: a seeded permutation, equal-size folds;
    with ``strata`` (N,) ints (e.g. the mjj bin), within each stratum separately, so every
    fold holds 1/k of each stratum (CWoLa Hunting splits its data 'bin by bin')."""
    rng = np.random.default_rng(seed)
    if strata is None:
        return rng.permutation(np.arange(n) % k)
    strata = np.asarray(strata)
    fold = np.empty(n, int)
    for value in np.unique(strata):
        idx = np.nonzero(strata == value)[0]
        fold[idx] = rng.permutation(np.arange(len(idx)) % k)
    return fold


def fit_classifier(x, y, seed: int, arch="sacwola", weights=None, n_members=1, epochs=50,
                   patience=10, batch_size=512, val_fraction=0.2) -> ensemble.TrainedEnsemble:
    """Train ``n_members`` classifiers (different initializations) on all of x (N, d),
    with a random ``val_fraction`` held out for early stopping."""
    w_tr, w_val = ensemble.validation_split(np.ones(len(x)) if weights is None else weights,
                                            seed, val_fraction)
    return ensemble.train_ensemble(x, y, models.get(arch), n_members, seed, w_tr, w_val,
                                   epochs=epochs, patience=patience, batch_size=batch_size)


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
    scores: np.ndarray        # (N,) or (J, N): each event's score from its outer-test models
    selected: np.ndarray      # ([J,] k_outer, k_inner) member index kept in each inner round
    members: list             # per member: (injection j, outer test fold, inner val fold, init)
    fold: np.ndarray          # (N,) outer fold of each event
    used: np.ndarray          # (M, N) bool: events a member trained or validated on


def nested_kfold(x, y, seed: int, arch="cwola_hunting", weights=None, k=5, n_init=10,
                 epochs=700, patience=300, batch_size=20480, fpr=0.01,
                 strata=None, benchmark_ids=None) -> NestedKFoldResult:
    """CWoLa Hunting's nested k-fold (y (N,): 1 for SR, 0 for SB events).

    For each outer test fold t, each of the k-1 inner rounds takes one remaining fold v for
    validation and trains n_init initializations on the other k-2 folds; the best of them by
    :func:`tpr_at_fpr` on v is kept, and the mean of the k-1 kept models scores fold t.
    Events of weight 0 (outside SR and SB, held-out signal) never train or validate and are
    scored like the others by the models of their own outer fold.

    ``weights`` (N,) or (J, N): J training sets on the same events (signal injections: an
    event absent from set j has weight 0 there), all J * k * (k-1) * n_init members in one
    vectorized ensemble; scores and selected then carry the leading J axis. ``strata``: see
    :func:`fold_assignment`. Early stopping follows each member's validation loss; the
    selection among initializations uses :func:`tpr_at_fpr`. ``benchmark_ids`` (J,): the
    training sets' labels in the member seeds (default 0..J-1): each member's seed follows
    from (seed, its set's label, t, v, initialization), so a job that trains a part of the
    sets gives their members the seeds, and (up to rounding) the scores, they get in one job.
    """
    n = len(x)
    w = np.ones(n, np.float32) if weights is None else np.asarray(weights, np.float32)
    single = w.ndim == 1
    w = np.atleast_2d(w)
    fold = fold_assignment(n, k, seed, strata)
    members = [(j, t, v, i) for j in range(len(w)) for t in range(k) for v in range(k)
               if v != t for i in range(n_init)]
    j_of, t_of, v_of = (np.array([m[c] for m in members]) for c in range(3))
    ids = range(len(w)) if benchmark_ids is None else list(benchmark_ids)
    if len(ids) != len(w):
        raise ValueError(f"benchmark_ids has {len(ids)} labels for {len(w)} training sets")
    member_seeds = [seeds.derive_seed(seed, "member", ids[j], t, v, i) for j, t, v, i in members]
    w_tr = np.where((fold[None] != t_of[:, None]) & (fold[None] != v_of[:, None]), w[j_of], 0.0)
    w_val = np.where(fold[None] == v_of[:, None], w[j_of], 0.0)
    ens = ensemble.train_ensemble(x, y, models.get(arch), len(members), seed, w_tr, w_val,
                                  epochs=epochs, patience=patience, batch_size=batch_size,
                                  member_seeds=member_seeds)
    scores = ens.predict(x)
    metric = tpr_at_fpr(scores, np.broadcast_to(np.asarray(y) > 0.5, scores.shape), w_val, fpr)
    selected = np.zeros((len(w), k, k - 1), int)
    out = np.zeros((len(w), n))
    for j in range(len(w)):
        for t in range(k):
            for r, v in enumerate(u for u in range(k) if u != t):
                cand = np.nonzero((j_of == j) & (t_of == t) & (v_of == v))[0]
                selected[j, t, r] = cand[np.argmax(metric[cand])]
            test = fold == t
            out[j, test] = scores[selected[j, t]][:, test].mean(axis=0)
    used = (w_tr != 0) | (w_val != 0)
    if single:
        return NestedKFoldResult(out[0], selected[0], [m[1:] for m in members], fold, used)
    return NestedKFoldResult(out, selected, members, fold, used)
