"""The common classifier of the complementarity study (arXiv 2307.11157, Sec. 2.3 and 3.1).

Binary (:func:`train_common`): every synthetic SR background sample (a method's template of
one generator seed, the sample-level combination, an independent true SR background) is
classified against the SR data, data labelled 1 and template 0. Each (sample, generator)
gets R runs; a run is a k-fold classifier (the paper: five folds) whose fold j trains on the
other folds of data and template and validates on fold j, and the run keeps the fold model
with the lowest validation loss ("a fivefold cross validation scheme, keeping the network
with the best validation loss"). The run's test-set scores are that model's. Class weights
are balanced: in every fold model's training folds the template's total weight (event
weights, e.g. SALAD's DCTR weights or the combination's 1/4 weights, times its class weight)
equals the data's (data events weigh 1).

Two classifiers (``settings["kind"]``):

- ``nn``: the paper's network, 5 -> 64 -> 32 -> 1, ReLU, sigmoid output (architecture
  'complementarity', radflow.ml.models), weighted binary cross-entropy, Adam, minibatches
  of ``batch_size`` (paper: 128, lr 1e-3), up to ``epochs`` (paper: 100) with early stopping
  after ``patience`` epochs (paper: 5) without a lower validation loss, its best epoch
  restored. The fold models of each sample (all its generators and runs) train as one
  vectorized ensemble (radflow.ml.ensemble.train_ensemble), the samples' ensembles in turn,
  each member on its own minibatches of its own rows of one event table (data rows shared,
  each template's rows once).
- ``hgb``: scikit-learn's HistGradientBoostingClassifier (the "Back to the roots" proposal,
  arXiv 2309.13111): ``max_iter`` trees of at most ``max_leaf_nodes`` leaves with shrinkage
  ``learning_rate``, early stopping (scikit-learn's own rule, scoring 'loss': it stops
  when the weighted log-loss on the fold's validation set, passed as ``X_val``, has not
  improved by more than 1e-7 for ``patience`` iterations; the kept model holds every tree
  grown, scikit-learn does not roll back), on the same folds and weights, one fit per fold
  model in turn, each on its events' bin codes (:func:`hgb_bin_thresholds`: scikit-learn's
  own binning, computed faster). Its ``random_state`` (set per member) has no effect here:
  with an explicit validation set and every feature used, the fit is deterministic, so hgb
  runs differ by their folds only.

For both, a fold model's validation loss is sum_i w_i l_i / n_val over its n_val validation
events (Keras' ``sample_weight`` convention, the vectorized ensemble's), so the two kinds'
fold selections follow the same rule.

Multiclass (:func:`train_multiclass`, :func:`log_posterior`, :func:`log_posterior_table`):
the paper's Sec. 3.1 comparison of the methods' samples with each other: the same hidden
layers with a softmax over the methods, each method's sample split 60/20/20 into training,
validation ("test" in the paper) and evaluation, sample weights in all three, class weights
equalizing the classes' total training weight, R runs as one vectorized ensemble, and the
average log posterior of eq. (3.1) on the held-out evaluation samples and on the true SR
background.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from radflow.ml import ensemble, models
from radflow.ml.train import fold_assignment
from radflow.seeds import derive_seed

#: Classifier kinds of the binary common classifier and the settings each needs (config
#: ``classifier`` of the complementarity study).
SETTINGS = {"nn": ("runs", "folds", "epochs", "patience", "batch_size", "learning_rate"),
            "hgb": ("runs", "folds", "max_iter", "learning_rate", "max_leaf_nodes", "patience")}
#: Settings of the multiclass classifier (paper: batch 1000).
MULTICLASS_SETTINGS = ("runs", "epochs", "patience", "batch_size", "learning_rate")
#: The paper's split of each method's sample for the multiclass classifier: training,
#: validation (early stopping; the paper's "test"), evaluation (eq. 3.1).
MULTICLASS_SPLIT = (0.6, 0.2, 0.2)
#: Floor of the probabilities whose logarithm eq. (3.1) averages (the loss's clip).
PROBABILITY_FLOOR = 1e-7


def _check_settings(settings: dict, needed, what: str) -> None:
    missing = [k for k in needed if k not in settings]
    if missing:
        raise ValueError(f"{what}: settings lack {missing}")


def _check_events(x, n_features, what: str) -> np.ndarray:
    """x as a float array (N, F); ValueError naming ``what`` when it is not 2-D with
    ``n_features`` columns (None: any), empty or not finite."""
    x = np.asarray(x)
    if x.ndim != 2 or (n_features is not None and x.shape[1] != n_features):
        raise ValueError(f"{what}: events must be (N, {n_features or 'F'}), got {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{what}: no events")
    bad = int((~np.isfinite(x)).sum())
    if bad:
        raise ValueError(f"{what}: {bad} non-finite feature values")
    return x


def _check_weights(w, n: int, what: str) -> np.ndarray:
    w = np.asarray(w, float)
    if w.shape != (n,):
        raise ValueError(f"{what}: weights must be ({n},), got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"{what}: weights must be finite, >= 0 and not all 0")
    return w


def add_noise_features(x, n: int, seed: int) -> np.ndarray:
    """x (N, F) with ``n`` independent standard-Gaussian columns appended, (N, F + n), in
    x's float dtype (float64 for integer x). The columns are identically distributed
    whichever sample x is (data, template, test): give each sample its own ``seed`` (e.g.
    derive_seed(seed, 'noise', sample)) so that no two samples share draws."""
    x = np.asarray(x)
    if n < 0:
        raise ValueError(f"add_noise_features: n must be >= 0, got {n}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    noise = np.random.default_rng(seed).standard_normal((len(x), n))
    return np.concatenate([x.astype(dtype, copy=False), noise.astype(dtype)], axis=1)


@dataclass
class Members:
    """The fold models of :func:`train_common` and their training tables.

    keys: per member (name, generator, run, fold), ordered so. x (N, F) float32: the data
    (first ``n_data`` rows) followed by every (name, generator) template once. rows (M, L)
    int32: member i's table, its entry l being event x[rows[i, l]]; the first n_data entries
    are the data, then the member's template, then padding (weight 0). y (L,): 1 on the data
    entries, 0 elsewhere. train_weight, val_weight (M, L) float32: data entries weigh 1 in
    the fold they belong to (training: the folds other than the member's, validation: its
    fold), template entries their event weight times the class weight that makes the
    member's template training total equal to its data training total."""
    keys: list
    x: np.ndarray
    rows: np.ndarray
    y: np.ndarray
    train_weight: np.ndarray
    val_weight: np.ndarray
    n_data: int


def member_tables(x_data, templates: dict, runs, folds: int, seed: int) -> Members:
    """The fold models' tables (:class:`Members`) of :func:`train_common` (its arguments;
    ``runs``: the run indices r of the members, e.g. range(R) or one job's part of them).

    Folds: data events by fold_assignment(N_d, folds, derive_seed(seed, 'fold', 'data', r))
    (the same data folds for every sample and generator of run r), each template's events
    by derive_seed(seed, 'fold', name, g, r): a run's members are the same whichever other
    runs share the table."""
    runs = list(runs)
    if folds < 2 or not runs:
        raise ValueError(f"common classifier: need folds >= 2 and runs, got {folds}, {runs}")
    n_data = len(x_data)
    blocks, offsets, start = [np.asarray(x_data, np.float32)], {}, n_data
    for name, gens in templates.items():
        for g, (x_t, _) in enumerate(gens):
            offsets[name, g] = start
            blocks.append(np.asarray(x_t, np.float32))
            start += len(x_t)
    longest = max(len(x_t) for gens in templates.values() for x_t, _ in gens)
    width = n_data + longest
    keys = [(name, g, r, j) for name, gens in templates.items() for g in range(len(gens))
            for r in runs for j in range(folds)]
    rows = np.zeros((len(keys), width), np.int32)
    rows[:, :n_data] = np.arange(n_data)
    w_tr = np.zeros((len(keys), width), np.float32)
    w_val = np.zeros((len(keys), width), np.float32)
    data_folds = {r: fold_assignment(n_data, folds, derive_seed(seed, "fold", "data", r))
                  for r in runs}
    t_folds = {}                       # (name, g, r) -> folds of the template's events
    for i, (name, g, r, j) in enumerate(keys):
        x_t, w_t = templates[name][g]
        n_t = len(x_t)
        if (name, g, r) not in t_folds:
            t_folds[name, g, r] = fold_assignment(n_t, folds,
                                                  derive_seed(seed, "fold", name, g, r))
        t_fold = t_folds[name, g, r]
        d_train = data_folds[r] != j
        t_train = t_fold != j
        t_total = np.sum(w_t[t_train])
        if t_total <= 0:
            raise ValueError(f"common classifier: template '{name}' generator {g} has no "
                             f"weight outside fold {j} of run {r}")
        class_weight = d_train.sum() / t_total
        rows[i, n_data:n_data + n_t] = offsets[name, g] + np.arange(n_t)
        w_tr[i, :n_data] = d_train
        w_val[i, :n_data] = ~d_train
        w_tr[i, n_data:n_data + n_t] = np.where(t_train, class_weight * w_t, 0.0)
        w_val[i, n_data:n_data + n_t] = np.where(t_train, 0.0, class_weight * w_t)
    y = np.r_[np.ones(n_data), np.zeros(longest)].astype(np.float32)
    return Members(keys, np.concatenate(blocks), rows, y, w_tr, w_val, n_data)


@dataclass
class CommonScores:
    """Result of :func:`train_common`; every dict keyed by the templates' names, G the
    name's number of generators, R runs, k folds, N_test test events.

    scores: {name: (G, R, N_test) float32} test scores of each run's kept fold model.
    fold_scores: {name: (G, R, k, N_test) float32} test scores of every fold model.
    val_loss: {name: (G, R, k)} each fold model's validation loss (its restored best epoch
    for nn, its final model for hgb). best_epoch: {name: (G, R, k)} int: the epoch (0-based)
    of that loss for nn, the number of trees for hgb. kept_fold: {name: (G, R)} int: the
    fold of lowest validation loss, whose scores ``scores`` holds. kind: 'nn' or 'hgb'."""
    scores: dict
    fold_scores: dict
    val_loss: dict
    best_epoch: dict
    kept_fold: dict
    kind: str


def train_common(x_data, templates: dict, x_test, settings: dict, seed: int,
                 threads: int = 1, runs=None) -> CommonScores:
    """Train the common classifier of every template against the SR data and score the
    test set (module docstring).

    x_data: (N_d, F) SR data training events (label 1), features in their units (GeV for
    masses). templates: {name: [(x (N_t, F), w (N_t,)) per generator]}: the synthetic
    samples (label 0) and their event weights (1, SALAD's DCTR weights, the sample-level
    combination's 1/4 weights); a name with one entry (the true background) has G = 1.
    x_test: (N_test, F). settings: ``kind`` ('nn' | 'hgb') and that kind's
    :data:`SETTINGS` (runs R, folds k, the schedule). seed: every random step derives from
    it (folds: :func:`member_tables`; members: derive_seed(seed, 'member', name, g, r, j)).
    threads: OpenMP threads of each hgb fit (the rule's threads; more threads than free
    cores make scikit-learn's OpenMP loops spin and slow down many-fold).
    runs: the run indices to train (default range(R)): a job of one part of the runs gives
    those runs' numbers of the whole, since folds and members derive from the run index.
    Returns :class:`CommonScores` (its R: len(runs)). ValueError naming the sample on
    non-finite or malformed input, on unknown kind or missing settings.

    Size: the templates are trained one after the other, each with its own tables
    (:func:`member_tables`): M_t = G_t len(runs) k fold models of L = N_d + N_t entries
    (its longest generator), whose index and weight arrays take 12 bytes per entry; the
    vectorized ensemble of the nn copies them while it trains. Every nn training step is
    M_t minibatches, and an epoch lasts as many steps as the member with the most rows
    needs."""
    kind = settings.get("kind")
    if kind not in SETTINGS:
        raise ValueError(f"common classifier: unknown kind {kind!r} (known: {list(SETTINGS)})")
    _check_settings(settings, SETTINGS[kind], f"common classifier ({kind})")
    x_data = _check_events(x_data, None, f"common classifier ({kind}): SR data")
    n_features = x_data.shape[1]
    x_test = _check_events(x_test, n_features, f"common classifier ({kind}): test set")
    x_test = x_test.astype(np.float32)    # the training table's dtype (member_tables)
    if not templates:
        raise ValueError(f"common classifier ({kind}): no templates")
    checked = {}
    for name, gens in templates.items():
        if not len(gens):
            raise ValueError(f"common classifier ({kind}): template '{name}' has no generators")
        checked[name] = []
        for g, (x_t, w_t) in enumerate(gens):
            what = f"common classifier ({kind}): template '{name}' generator {g}"
            x_t = _check_events(x_t, n_features, what)
            checked[name].append((x_t, _check_weights(w_t, len(x_t), what)))
    runs = list(range(int(settings["runs"])) if runs is None else runs)
    folds = int(settings["folds"])
    parts = []
    for name, gens in checked.items():
        members = member_tables(x_data, {name: gens}, runs, folds, seed)
        member_seeds = [derive_seed(seed, "member", *key) for key in members.keys]
        if kind == "nn":
            parts.append(_train_nn(members, x_test, settings, seed, member_seeds))
        else:
            parts.append(_train_hgb(members, x_test, settings, member_seeds, threads))
    fold_scores, val_loss, best_epoch = (np.concatenate(a) for a in zip(*parts))
    return _collect(checked, fold_scores, val_loss, best_epoch, len(runs), folds, kind)


def _train_nn(members: Members, x_test, settings, seed, member_seeds):
    """The members of one template (all its generators, runs and folds) in one vectorized
    ensemble: (M, N_test) scores, (M,) best validation losses and best epochs. A member
    trains as if alone, so the grouping changes none of its numbers; one ensemble per
    template saves the steps that members of short templates would spend idle (and
    computing, their cost grows with the members of a step) while the longest member (the
    sample-level combination) finishes its epochs."""
    arch = dataclasses.replace(models.get("complementarity"),
                               learning_rate=float(settings["learning_rate"]))
    m = len(members.keys)
    used = (members.train_weight != 0) | (members.val_weight != 0)
    width = int(np.flatnonzero(used.any(axis=0))[-1]) + 1    # the template's table length
    trained = ensemble.train_ensemble(
        members.x, members.y[:width], arch, m, derive_seed(seed, "nn"),
        members.train_weight[:, :width], members.val_weight[:, :width],
        epochs=int(settings["epochs"]), patience=int(settings["patience"]),
        batch_size=int(settings["batch_size"]), member_seeds=member_seeds,
        member_rows=members.rows[:, :width])
    val_loss = trained.val_loss[trained.best_epoch, np.arange(m)]
    # Test events per prediction step: at most ~16M hidden activations (M x batch x 64).
    batch = max(256, (1 << 24) // (m * max(layer.units for layer in arch.hidden)))
    return trained.predict(x_test, batch_size=batch), val_loss, trained.best_epoch


def weighted_bce(y, p, w) -> float:
    """Validation loss sum_i w_i l_i / n of n events: labels y (n,), probabilities p (n,)
    clipped to [1e-7, 1 - 1e-7] as the network's loss, weights w (n,)."""
    p = np.clip(np.asarray(p, float), 1e-7, 1 - 1e-7)
    return float(np.sum(w * -(y * np.log(p) + (1 - y) * np.log1p(-p))) / len(p))


def _train_hgb(members: Members, x_test, settings, member_seeds, threads: int):
    """One HistGradientBoostingClassifier per member in turn, on ``threads`` OpenMP
    threads: (M, N_test) scores, (M,) validation losses of the kept models and their
    numbers of trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(threads), user_api="openmp"):
        return _fit_hgb_members(HistGradientBoostingClassifier, members, x_test, settings,
                                member_seeds)


def hgb_bin_thresholds(x, w, max_bins: int = 255) -> list:
    """Per feature the bin thresholds that scikit-learn's HistGradientBoosting (its
    ``_BinMapper``, ``max_bins`` bins) derives from training events x (N, F) with sample
    weights w (N,): the events of weight 0 left out, the distinct values' midpoints where a
    feature has at most ``max_bins`` of them, else its weighted 'averaged inverted CDF'
    percentiles at k / max_bins (k = 1 .. max_bins - 1), repeated values once. The same
    arithmetic as scikit-learn's, whose weighted binning computes every percentile with its
    own sort of the column and its own pass of Python per percentile; here every percentile
    of a column is found in one pass (:func:`_averaged_inverted_cdf`, which repeats
    scikit-learn's sort of the sorted column so that tied values keep its order: the same
    thresholds bit for bit). Returns F
    increasing float64 arrays; event x goes to bin i of feature f iff
    thresholds[f][i - 1] < x <= thresholds[f][i] (:func:`hgb_bin_codes`). scikit-learn
    bins a random subsample above 2e5 training events; these thresholds use every event."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, axis=0)
    x_sorted = np.take_along_axis(x, order, axis=0)
    distinct = [np.unique(col) for col in x_sorted.T]
    out = [np.empty(0) if len(d) == 1 else (d[:-1] + d[1:]) / 2 for d in distinct]
    # The features with more than max_bins distinct values, all in one call (its columns
    # are treated one by one, as scikit-learn's single column).
    many = [f for f, d in enumerate(distinct) if len(d) > max_bins]
    if many:
        percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        thresholds = _averaged_inverted_cdf(x_sorted[:, many], w[order[:, many]], percentiles)
        for f, t in zip(many, thresholds):
            out[f] = np.unique(t)
    return out


def _averaged_inverted_cdf(x, w, percentiles) -> np.ndarray:
    """Weighted percentiles (F, P) of the columns of x (N, F) with weights w (N, F), all
    nonzero, at ``percentiles`` (P,) in percent: scikit-learn's
    ``sklearn.utils.stats._weighted_percentile(x, w, percentiles, average=True)`` step for
    step (its sort of each column, cumulative weights, ``searchsorted`` on them, the average
    of a value and the next one where a percentile falls within float64 epsilon of a
    cumulative weight), each column's P percentiles in one ``searchsorted`` instead of P
    passes of Python."""
    sorted_idx = np.argsort(x, axis=0)
    cdf = np.cumsum(np.take_along_axis(w, sorted_idx, axis=0).T, axis=1)        # (F, N)
    max_idx = len(x) - 1
    eps = np.finfo(np.float64).eps
    fractions = np.asarray(percentiles, np.float64) / 100
    out = np.empty((x.shape[1], len(fractions)))
    for f in range(x.shape[1]):
        rank = fractions * cdf[f, -1]
        rank = np.where(rank == 0, np.nextafter(rank, rank + 1), rank)
        at = np.clip(np.searchsorted(cdf[f], rank), 0, max_idx)
        value = x[sorted_idx[at, f], f]
        after = x[sorted_idx[np.clip(at + 1, 0, max_idx), f], f]
        out[f] = np.where(cdf[f, at] - rank > eps, value, (value + after) / 2)
    return out


def hgb_bin_codes(x, thresholds) -> np.ndarray:
    """x (N, F) as bin indices (N, F) float64 of :func:`hgb_bin_thresholds`'s
    ``thresholds``: a classifier fitted on the codes of its training events grows the trees
    it grows on x itself (scikit-learn bins at most ``max_bins`` distinct codes into one bin
    each) and, given the codes of any other events, predicts what it predicts on them."""
    x = np.asarray(x, np.float64)
    return np.column_stack([np.searchsorted(t, col, side="left")
                            for t, col in zip(thresholds, x.T)]).astype(np.float64)


def _fit_hgb_members(hgb, members: Members, x_test, settings, member_seeds):
    """The fits of :func:`_train_hgb`, each on the bin codes of its own training events
    (:func:`hgb_bin_codes`: the model scikit-learn fits on the features, without its
    per-percentile sorts, most of a fit's time)."""
    m = len(members.keys)
    scores = np.empty((m, len(x_test)), np.float32)
    val_loss, n_trees = np.empty(m), np.empty(m, int)
    for i in range(m):
        tr, va = members.train_weight[i] != 0, members.val_weight[i] != 0
        x_tr, x_va = members.x[members.rows[i, tr]], members.x[members.rows[i, va]]
        y_tr, y_va = members.y[tr], members.y[va]
        w_tr = members.train_weight[i, tr].astype(float)
        w_va = members.val_weight[i, va].astype(float)
        thresholds = hgb_bin_thresholds(x_tr, w_tr)
        c_va = hgb_bin_codes(x_va, thresholds)
        clf = hgb(
            max_iter=int(settings["max_iter"]), learning_rate=float(settings["learning_rate"]),
            max_leaf_nodes=int(settings["max_leaf_nodes"]), early_stopping=True,
            scoring="loss", n_iter_no_change=int(settings["patience"]),
            random_state=member_seeds[i])
        clf.fit(hgb_bin_codes(x_tr, thresholds), y_tr, sample_weight=w_tr,
                X_val=c_va, y_val=y_va, sample_weight_val=w_va)
        val_loss[i] = weighted_bce(y_va, clf.predict_proba(c_va)[:, 1], w_va)
        n_trees[i] = clf.n_iter_
        scores[i] = clf.predict_proba(hgb_bin_codes(x_test, thresholds))[:, 1]
    return scores, val_loss, n_trees


def _collect(templates, fold_scores, val_loss, best_epoch, runs, folds, kind):
    out = {k: {} for k in ("scores", "fold_scores", "val_loss", "best_epoch", "kept_fold")}
    start = 0
    for name, gens in templates.items():
        n = len(gens) * runs * folds
        shape = (len(gens), runs, folds)
        fs = fold_scores[start:start + n].reshape(shape + (-1,))
        vl = val_loss[start:start + n].reshape(shape)
        kept = np.argmin(vl, axis=2)
        out["fold_scores"][name] = fs
        out["val_loss"][name] = vl
        out["best_epoch"][name] = np.asarray(best_epoch[start:start + n]).reshape(shape)
        out["kept_fold"][name] = kept
        out["scores"][name] = np.take_along_axis(fs, kept[:, :, None, None], axis=2)[:, :, 0]
        start += n
    return CommonScores(**out, kind=kind)


@dataclass
class MulticlassModel:
    """R softmax classifiers over ``methods`` (:func:`train_multiclass`).

    trained: the vectorized ensemble (member r = run r). eval_samples: {method: (x (n, F),
    w (n,))} the held-out evaluation part of each method's sample. class_weight: {method:
    float} the factor equalizing the classes' total training weight."""
    trained: ensemble.TrainedEnsemble
    methods: list
    eval_samples: dict
    class_weight: dict


def train_multiclass(samples: dict, settings: dict, seed: int) -> MulticlassModel:
    """The paper's which-method classifier (Sec. 3.1) on samples {method: (x (N_i, F),
    w (N_i,))}: each method's events split at random (derive_seed(seed, 'multiclass',
    'split', method)) into :data:`MULTICLASS_SPLIT` training / validation / evaluation;
    hidden layers of the common classifier ('complementarity': 64, 32 ReLU) with a softmax
    over the methods, weighted categorical cross-entropy with weights w times the method's
    class weight (each class's total training weight equal), Adam with ``learning_rate``,
    minibatches of ``batch_size`` (paper: 1000), ``epochs`` with early stopping after
    ``patience`` on the validation part; ``runs`` initializations (members seeded by
    derive_seed(seed, 'multiclass', 'member', r)) in one vectorized ensemble, all on the
    same split. ValueError naming the method on non-finite or malformed input."""
    _check_settings(settings, MULTICLASS_SETTINGS, "multiclass classifier")
    methods = list(samples)
    if len(methods) < 2:
        raise ValueError(f"multiclass classifier: needs >= 2 methods, got {methods}")
    xs, ys, w_tr, w_val, eval_samples, totals = [], [], [], [], {}, {}
    n_features = None
    for c, method in enumerate(methods):
        x, w = samples[method]
        what = f"multiclass classifier: method '{method}'"
        x = _check_events(x, n_features, what)
        n_features = x.shape[1]
        w = _check_weights(w, len(x), what)
        n = len(x)
        split_rng = np.random.default_rng(derive_seed(seed, "multiclass", "split", method))
        perm = split_rng.permutation(n)
        n_tr, n_val = int(round(MULTICLASS_SPLIT[0] * n)), int(round(MULTICLASS_SPLIT[1] * n))
        part = np.empty(n, int)
        part[perm[:n_tr]], part[perm[n_tr:n_tr + n_val]], part[perm[n_tr + n_val:]] = 0, 1, 2
        if not all((part == p).any() for p in range(3)):
            raise ValueError(f"{what}: {n} events are too few for the 60/20/20 split")
        xs.append(x)
        ys.append(np.full(n, c))
        w_tr.append(np.where(part == 0, w, 0.0))
        w_val.append(np.where(part == 1, w, 0.0))
        eval_samples[method] = (x[part == 2], w[part == 2])
        totals[method] = w_tr[-1].sum()
    mean_total = np.mean(list(totals.values()))
    class_weight = {m: mean_total / totals[m] for m in methods}
    cw = np.concatenate([np.full(len(y), class_weight[m]) for m, y in zip(methods, ys)])
    arch = dataclasses.replace(models.get("complementarity"), output="softmax", loss="cce",
                               n_classes=len(methods),
                               learning_rate=float(settings["learning_rate"]))
    runs = int(settings["runs"])
    trained = ensemble.train_ensemble(
        np.concatenate(xs), np.concatenate(ys), arch, runs, derive_seed(seed, "multiclass"),
        cw * np.concatenate(w_tr), cw * np.concatenate(w_val), epochs=int(settings["epochs"]),
        patience=int(settings["patience"]), batch_size=int(settings["batch_size"]),
        member_seeds=[derive_seed(seed, "multiclass", "member", r) for r in range(runs)])
    return MulticlassModel(trained, methods, eval_samples, class_weight)


def log_posterior(model: MulticlassModel, x, w) -> np.ndarray:
    """Eq. (3.1) of the paper, (R, n_methods): for run r and model i,
    LP(model i | samples) = (1/N) sum_k w_k log p_r(model i | x_k) over the N events x
    (N, F) with weights w (N,); probabilities floored at :data:`PROBABILITY_FLOOR`."""
    what = "multiclass log posterior"
    x = _check_events(x, model.trained.network.mean.shape[1], what)
    w = np.asarray(w, float)
    if w.shape != (len(x),) or not np.isfinite(w).all():
        raise ValueError(f"{what}: weights must be finite and ({len(x)},), got {w.shape}")
    p = model.trained.predict(x)                                          # (R, N, C)
    return np.einsum("n,rnc->rc", w, np.log(np.maximum(p, PROBABILITY_FLOOR))) / len(x)


def log_posterior_table(model: MulticlassModel, truth) -> dict:
    """The multiclass file's content: {"methods": [...], "log_posterior": {model_i:
    {samples_j: [LP per run]}}} for samples_j in the methods (their held-out evaluation
    samples) and 'truth' (the true SR background truth = (x (N, F), w (N,)), never trained
    on)."""
    sets = dict(model.eval_samples, truth=truth)
    table = {i: {} for i in model.methods}
    for j, (x, w) in sets.items():
        lp = log_posterior(model, x, w)
        for c, i in enumerate(model.methods):
            table[i][j] = lp[:, c].tolist()
    return {"methods": list(model.methods), "log_posterior": table}
