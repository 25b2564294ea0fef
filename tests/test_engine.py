"""The training engine: optimum on toys with a known likelihood ratio, reweighting closure,
vectorized vs one-by-one members, per-member early stopping (a member independent of its
companions), the k best epochs, nested k-fold hygiene and determinism."""
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from radflow.ml import determinism
from radflow.ml import ensemble, metrics, models, train

MU, COV = np.array([1.0, 0.5]), np.diag([2.0, 0.5])


def gaussian_toy(n, seed):
    """Background N(0, I) (label 0) vs signal N(MU, COV) (label 1), 50/50, in 2-D."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.5
    x = rng.normal(size=(n, 2))
    x[y] = MU + x[y] * np.sqrt(np.diag(COV))
    return x.astype(np.float32), y.astype(np.float32)


def log_likelihood_ratio(x):
    return multivariate_normal(MU, COV).logpdf(x) - multivariate_normal(np.zeros(2)).logpdf(x)


def test_classifier_reaches_neyman_pearson_optimum():
    x, y = gaussian_toy(40_000, 1)
    xt, yt = gaussian_toy(200_000, 2)
    optimum = metrics.roc_auc(yt, log_likelihood_ratio(xt))
    ens = train.fit_classifier(x, y, seed=5, arch="sacwola", n_members=3, epochs=30, patience=5)
    for scores in ens.predict(xt):
        assert metrics.roc_auc(yt, scores) == pytest.approx(optimum, abs=0.01)


def test_classifier_reweighting_closes():
    """w = f / (1 - f) from a sim-vs-data classifier maps sim onto data."""
    rng = np.random.default_rng(7)
    n, n_test = 150_000, 30_000
    sim = rng.normal(0.0, 1.0, size=(n, 1))
    data = rng.normal(0.4, 1.2, size=(n, 1))
    x = np.concatenate([sim, data]).astype(np.float32)
    y = np.r_[np.zeros(n), np.ones(n)].astype(np.float32)
    ens = train.fit_classifier(x, y, seed=3, arch="sacwola", epochs=60, patience=10)
    sim_test = rng.normal(0.0, 1.0, size=(n_test, 1))
    data_test = rng.normal(0.4, 1.2, size=(n_test, 1))
    f = ens.predict(sim_test)[0]
    w = f / (1 - f)
    bins = np.linspace(-2.5, 3.0, 23)
    h_data, _ = np.histogram(data_test[:, 0], bins)
    h_sim, _ = np.histogram(sim_test[:, 0], bins, weights=w)
    h_sim2, _ = np.histogram(sim_test[:, 0], bins, weights=w * w)
    h_raw, _ = np.histogram(sim_test[:, 0], bins)
    ok = h_data > 20
    chi2_w = np.sum((h_sim - h_data)[ok] ** 2 / (h_data + h_sim2)[ok]) / ok.sum()
    chi2_raw = np.sum((h_raw - h_data)[ok] ** 2 / (h_data + h_raw)[ok]) / ok.sum()
    assert chi2_w < 2.0, chi2_w
    assert chi2_raw > 20 * chi2_w      # the test could fail: unweighted sim does not close
    # The weights approach the true density ratio where both densities are sizable.
    true = multivariate_normal(0.4, 1.44).pdf(sim_test[:, 0]) / multivariate_normal(0, 1).pdf(sim_test[:, 0])
    core = np.abs(sim_test[:, 0]) < 1.5
    assert np.median(np.abs(w[core] / true[core] - 1)) < 0.05


def test_vectorized_members_match_one_fit_per_member():
    """Same architecture, data and settings: AUC distributions agree statistically."""
    import keras
    x, y = gaussian_toy(8_000, 11)
    xt, yt = gaussian_toy(50_000, 12)
    arch = models.get("sacwola")
    n_members, epochs = 6, 8
    val = np.random.default_rng(0).random(len(y)) < 0.2
    ens = ensemble.train_ensemble(x, y, arch, n_members, 21, (~val).astype(float),
                                  val.astype(float), epochs=epochs, patience=epochs + 1,
                                  batch_size=256)
    auc_vec = [metrics.roc_auc(yt, s) for s in ens.predict(xt)]
    auc_seq = []
    for m in range(n_members):
        determinism.set_determinism(100 + m)
        model = models.keras_model(arch, 2)
        model.compile(optimizer=models.keras_optimizer(arch), loss="binary_crossentropy")
        mean, std = x[~val].mean(0), x[~val].std(0)
        model.fit((x[~val] - mean) / std, y[~val], epochs=epochs, batch_size=256, verbose=0)
        auc_seq.append(metrics.roc_auc(yt, model.predict((xt - mean) / std, verbose=0, batch_size=8192)[:, 0]))
        keras.backend.clear_session()
    diff = abs(np.mean(auc_vec) - np.mean(auc_seq))
    spread = np.sqrt(np.var(auc_vec, ddof=1) / n_members + np.var(auc_seq, ddof=1) / n_members)
    assert diff < 3 * spread + 0.003, (auc_vec, auc_seq)


def mixed_members(n, seed):
    """Three members on different, differently sized subsets with different labels: (y,
    w_tr, w_val), each (3, n)."""
    rng = np.random.default_rng(seed)
    val = rng.random(n) < 0.2
    frac = np.array([0.15, 0.5, 1.0])[:, None]
    w_tr = ((rng.random((3, n)) < frac) & ~val[None]).astype(float)
    w_tr[2] *= rng.uniform(0.5, 1.5, n)            # event weights on one member
    return w_tr, np.broadcast_to(val, (3, n)).astype(float)


@pytest.mark.parametrize("arch", ["sacwola", "autoencoder", "cwola_hunting"])
def test_member_trains_as_if_alone(arch):
    """A member inside an ensemble with other members on other, differently sized subsets
    (and, for the classifiers, other labels) follows the loss curve it follows alone, with
    dropout (CWoLa Hunting's architecture) too: its masks follow its own seed and steps. Against
    a lone run the batched matmuls differ in shape (M = 3 vs 1), so rounding differs at
    1e-7 and grows over the steps; against the same member among other companions of the
    same count, the result is identical."""
    x, y = gaussian_toy(2_000, 31)
    n = len(y)
    w_tr, w_val = mixed_members(n, 32)
    labels = None if arch == "autoencoder" else np.stack([y, 1 - y, y])
    kw = dict(epochs=4, patience=10, batch_size=128)
    mixed = ensemble.train_ensemble(x, labels, models.get(arch), 3, 1, w_tr, w_val,
                                    member_seeds=[11, 12, 13], **kw)
    for i in range(3):
        alone = ensemble.train_ensemble(x, None if labels is None else labels[i],
                                        models.get(arch), 1, 2, w_tr[i], w_val[i],
                                        member_seeds=[11 + i], **kw)
        np.testing.assert_allclose(mixed.val_loss[:, i], alone.val_loss[:, 0], rtol=1e-4)
        np.testing.assert_allclose(mixed.predict(x[:300])[i], alone.predict(x[:300])[0],
                                   atol=5e-3)
    # Member 1 with other companions (order, subsets, labels and seeds changed).
    order = [2, 1, 0]
    other = ensemble.train_ensemble(x, None if labels is None else labels[order],
                                    models.get(arch), 3, 5, w_tr[order], w_val,
                                    member_seeds=[99, 12, 98], **kw)
    np.testing.assert_allclose(other.val_loss[:, 1], mixed.val_loss[:, 1], rtol=1e-6)
    np.testing.assert_allclose(other.predict(x[:300])[1], mixed.predict(x[:300])[1], atol=1e-6)


def test_dropout_masks_are_each_members_own_and_unbiased():
    """The dropout uniforms of a member depend only on its key and step: the same in an
    ensemble of 3 and alone; a rate-0.2 mask keeps 0.8 of the units within 5 binomial sigma;
    masks of different members, steps and layers are uncorrelated (|r| < 5/sqrt(n))."""
    import tensorflow as tf

    keys = tf.constant([7, 8, 9], tf.uint32)
    shape = (3, 512, 64)

    def uniform(keys, steps, layer, shape):
        return ensemble._dropout_uniform_xla()(keys, tf.constant(steps), tf.constant(
            layer, tf.uint32), tf.zeros(shape)).numpy()

    u = uniform(keys, [0.0, 5.0, 5.0], 1, shape)
    np.testing.assert_array_equal(u, ensemble._dropout_uniform(       # XLA: the same bits
        tf, keys, tf.constant([0.0, 5.0, 5.0]), tf.constant(1, tf.uint32), shape).numpy())
    alone = uniform(keys[1:2], [5.0], 1, (1, 512, 64))
    np.testing.assert_array_equal(u[1], alone[0])
    assert u.min() >= 0.0 and u.max() < 1.0
    n = u[0].size
    keep = (u >= 0.2).mean(axis=(1, 2))
    assert np.all(np.abs(keep - 0.8) < 5 * np.sqrt(0.16 / n)), keep
    later = uniform(keys, [1.0, 5.0, 5.0], 1, shape)
    other_layer = uniform(keys, [0.0, 5.0, 5.0], 2, shape)
    for a, b in ((u[1], u[2]), (u[0], later[0]), (u[0], other_layer[0]),
                 (u[0][:, :-1], u[0][:, 1:]), (u[0][:-1], u[0][1:])):
        r = np.corrcoef(a.ravel(), b.ravel())[0, 1]
        assert abs(r) < 5 / np.sqrt(a.size), r
    np.testing.assert_array_equal(later[1:], u[1:])    # members 1, 2: same steps, same masks


def test_member_batches_hold_only_own_rows_once_per_epoch():
    rng = np.random.default_rng(3)
    rows = [np.sort(rng.choice(1000, size=k, replace=False)) for k in (37, 400, 1000)]
    idx, real = ensemble.member_batches(rows, 64, [np.random.default_rng(s) for s in range(3)])
    assert idx.shape == real.shape == (16, 3, 64)          # ceil(1000 / 64) steps
    for m, r in enumerate(rows):
        used = idx[:, m][real[:, m] > 0]
        np.testing.assert_array_equal(np.sort(used), r)    # each own row exactly once
        steps = (real[:, m].sum(axis=1) > 0).sum()
        assert steps == -(-len(r) // 64)                   # its epoch is one pass over its rows


def test_excluded_rows_never_reach_batchnorm_statistics():
    """Rows a member must not see (weight 0: another member's rows, test folds) carry huge
    values. Member 0 (clean rows only) ends with the same batch-norm statistics and
    validation losses as in a run where those rows do not exist at all; member 1, which
    trains on them, does not (the check can fail)."""
    rng = np.random.default_rng(5)
    n = 3_000
    x = rng.normal(size=(n, 4)).astype(np.float32)
    poison = rng.random(n) < 0.3
    x[poison] = 1e4
    own = ~poison & (rng.random(n) < 0.8)
    val = ~poison & ~own

    def run(keep):
        w_tr = np.stack([own[keep], np.ones(keep.sum(), bool)]).astype(float)
        w_val = np.stack([val[keep], val[keep]]).astype(float)
        ens = ensemble.train_ensemble(x[keep], None, models.get("autoencoder"), 2, 7, w_tr,
                                      w_val, epochs=2, patience=5, batch_size=256,
                                      member_seeds=[1, 2])
        return ens, {k: ens.network.bn[0][k].numpy() for k in ("mean", "var")}

    poisoned, bn_p = run(np.ones(n, bool))
    clean, bn_c = run(~poison)
    for k in ("mean", "var"):
        np.testing.assert_allclose(bn_p[k][0], bn_c[k][0], rtol=1e-5, atol=1e-6)
        assert np.abs(bn_p[k][1] - bn_c[k][1]).max() > 1e-2
    np.testing.assert_allclose(poisoned.val_loss[:, 0], clean.val_loss[:, 0], rtol=1e-5)


def test_each_member_stops_on_its_own_patience_and_restores_its_best_epoch():
    x, y = gaussian_toy(6_000, 4)
    rng = np.random.default_rng(1)
    m, patience = 4, 4
    # Members see different training subsets (bootstrap-like masks) and share a val set.
    val = rng.random(len(y)) < 0.3
    w_tr = np.where(val[None], 0.0, (rng.random((m, len(y))) < 0.5).astype(float))
    ens = ensemble.train_ensemble(x, y, models.get("salad"), m, 3, w_tr, val.astype(float),
                                  epochs=40, patience=patience, batch_size=128)
    assert ens.val_loss.shape == (ens.epochs_run, m)
    assert ens.epochs_run == ens.epochs_trained.max()
    for i in range(m):
        # Its validation loss is recorded exactly while it trains ...
        trained = ~np.isnan(ens.val_loss[:, i])
        assert trained.sum() == ens.epochs_trained[i] and trained[:ens.epochs_trained[i]].all()
        # ... and it stops when its own patience runs out (or at the last epoch).
        stopped_early = ens.epochs_trained[i] < 40
        assert (ens.epochs_trained[i] - 1 - ens.best_epoch[i] == patience) == stopped_early
    assert len(set(ens.epochs_trained)) > 1          # the members did stop at different epochs
    np.testing.assert_array_equal(ens.best_epoch, np.nanargmin(ens.val_loss, axis=0))
    # The restored weights reproduce each member's best validation loss.
    p = np.clip(ens.predict(x[val]), 1e-7, 1 - 1e-7)
    yv = y[val]
    restored = -(yv * np.log(p) + (1 - yv) * np.log(1 - p)).mean(axis=1)
    np.testing.assert_allclose(restored, np.nanmin(ens.val_loss, axis=0), rtol=2e-4)


def test_early_stopped_member_is_the_same_alone_and_in_a_larger_ensemble():
    """A member that stops early (many rows: a smooth loss that soon stops improving,
    patience 1) trained alone and inside an ensemble whose other members (few rows) train
    for many more epochs: same epochs trained, best epoch, validation losses, weights and
    scores, to float tolerance (the lone run's matmuls have another member count, so
    rounding differs). With stopping coupled across members (training until every member
    stopped) it would go on training in the ensemble and move its best epoch (here from
    epoch 2 to 4)."""
    x, y = gaussian_toy(12_000, 21)
    rng = np.random.default_rng(22)
    val = rng.random(len(y)) < 0.2
    few = (~val & (rng.random(len(y)) < 0.03)).astype(float), val.astype(float)
    big = ensemble.validation_split(np.ones(len(y)), 23)
    arch, kw = models.get("sacwola"), dict(epochs=30, patience=1, batch_size=64)
    alone = ensemble.train_methods(x, {"big": (y, *big)}, arch, 1, 5, member_seeds=[102], **kw)
    mixed = ensemble.train_methods(x, {"few": (y, *few), "big": (y, *big)}, arch, 2, 6,
                                   member_seeds=[101, 101, 102, 102], **kw)
    n = alone.trained.epochs_trained[0]
    assert mixed.trained.epochs_trained[:2].min() > n + 2     # the others train longer
    xt = x[:2000]
    for i in (2, 3):                                          # both copies of the member
        assert mixed.trained.epochs_trained[i] == n
        assert mixed.trained.best_epoch[i] == alone.trained.best_epoch[0]
        np.testing.assert_allclose(mixed.trained.val_loss[:n, i], alone.trained.val_loss[:, 0],
                                   rtol=1e-5)
        assert np.isnan(mixed.trained.val_loss[n:, i]).all()
        for a, b in zip(mixed.trained.network.state, alone.trained.network.state):
            np.testing.assert_allclose(a.numpy()[i], b.numpy()[0], atol=1e-5)
        np.testing.assert_allclose(mixed.member_scores(xt)[1, i - 2],
                                   alone.member_scores(xt)[0, 0], atol=1e-5)


def test_keep_best_averages_the_k_lowest_validation_loss_epochs():
    """keep_best = K: each member's kept epochs are its K lowest validation losses (by hand
    from its loss history), each kept slot holds that epoch's weights (its scores on the
    validation rows reproduce that epoch's validation loss) and predict() is their mean.
    Training does not depend on K: keep_best = 1 gives the same losses, and its scores are
    bit for bit those of the best of the K kept epochs."""
    x, y = gaussian_toy(4_000, 41)
    n_members, k = 2, 3
    rng = np.random.default_rng(42)
    val = rng.random(len(y)) < 0.25
    w_tr = np.where(val[None], 0.0, (rng.random((n_members, len(y))) < 0.6).astype(float))
    kw = dict(epochs=8, patience=8, batch_size=128, member_seeds=[7, 8])
    ens = ensemble.train_ensemble(x, y, models.get("sacwola"), n_members, 1, w_tr,
                                  val.astype(float), keep_best=k, **kw)
    one = ensemble.train_ensemble(x, y, models.get("sacwola"), n_members, 1, w_tr,
                                  val.astype(float), **kw)
    np.testing.assert_array_equal(ens.val_loss, one.val_loss)
    assert ens.kept_epoch.shape == (k, n_members)
    lowest = np.sort(np.argsort(ens.val_loss, axis=0)[:k], axis=0)
    np.testing.assert_array_equal(np.sort(ens.kept_epoch, axis=0), lowest)
    kept = ens.kept_scores(x[val])                                    # (K, M, N_val)
    p = np.clip(kept, 1e-7, 1 - 1e-7)
    yv = y[val]
    loss = -(yv * np.log(p) + (1 - yv) * np.log(1 - p)).mean(axis=2)  # (K, M)
    np.testing.assert_allclose(loss, np.take_along_axis(ens.val_loss, ens.kept_epoch, 0),
                               rtol=2e-4)
    xt = x[:500]
    scores = ens.kept_scores(xt)
    np.testing.assert_allclose(ens.predict(xt), scores.mean(axis=0), rtol=1e-6)
    assert np.abs(ens.predict(xt) - one.predict(xt)).max() > 1e-4   # K = 3 is not the best epoch
    best = np.argmin(np.take_along_axis(ens.val_loss, ens.kept_epoch, 0), axis=0)
    np.testing.assert_array_equal(one.predict(xt), scores[best, np.arange(n_members)])
    np.testing.assert_array_equal(one.kept_epoch, one.best_epoch[None])
    assert one.snapshots == []                               # nothing kept for K = 1


def test_keep_best_with_early_stopping_averages_the_epochs_a_member_trained():
    """K larger than the epochs a member trained before its patience ran out: every epoch
    it trained is kept, the other slots are empty (-1) and left out of the mean."""
    x, y = gaussian_toy(3_000, 43)
    rng = np.random.default_rng(44)
    val = rng.random(len(y)) < 0.3
    w_tr = np.where(val[None], 0.0, (rng.random((4, len(y))) < 0.1).astype(float))
    ens = ensemble.train_ensemble(x, y, models.get("sacwola"), 4, 2, w_tr, val.astype(float),
                                  epochs=12, patience=1, batch_size=64, keep_best=12)
    assert ens.epochs_trained.min() < 12                     # some member stopped early
    for i, n in enumerate(ens.epochs_trained):
        np.testing.assert_array_equal(np.sort(ens.kept_epoch[:, i])[-n:], np.arange(n))
        assert (ens.kept_epoch[:, i] == -1).sum() == 12 - n
    scores = ens.kept_scores(x[:300])
    assert np.isnan(scores).any()
    np.testing.assert_allclose(ens.predict(x[:300]), np.nanmean(scores, axis=0), rtol=1e-6)


def test_nested_kfold_never_scores_an_event_with_a_model_that_saw_it():
    """By index: the members kept for outer fold t never had a training or validation weight
    on an event of fold t (the weights the ensemble actually got), for two training sets
    (injections) in one ensemble; and the kept members are one per inner round."""
    x, y = gaussian_toy(3_000, 5)
    w = np.ones((2, len(y)))
    w[1, :500] = 0.0                                     # set 1 lacks the first 500 events
    res = train.nested_kfold(x, y, seed=9, arch="cwola_hunting", weights=w, k=5, n_init=2,
                             epochs=3, patience=2, batch_size=512)
    assert len(res.members) == 2 * 5 * 4 * 2 and res.scores.shape == (2, len(y))
    assert not res.used[[m for m, (j, *_) in enumerate(res.members) if j == 1]][:, :500].any()
    for j in range(2):
        for t in range(5):
            kept = res.selected[j, t]
            assert len({res.members[s][2] for s in kept}) == 4        # one per inner round
            assert all(res.members[s][:2] == (j, t) for s in kept)
            assert not res.used[kept][:, res.fold == t].any()
    assert np.all(np.isfinite(res.scores))


def test_nested_kfold_split_into_jobs_gives_the_scores_of_one_job():
    """Three training sets in one nested k-fold vs in two jobs (sets 0-1, set 2, labelled by
    benchmark_ids): the same members are selected and the scores agree to rounding (the
    batched shapes differ). With the members seeded by position, as before benchmark_ids,
    set 2 would get set 0's seeds in its own job and scores that differ by up to 0.16 here."""
    x, y = gaussian_toy(3_000, 6)
    rng = np.random.default_rng(7)
    w = (rng.random((3, len(y))) < np.array([[1.0], [0.8], [0.6]])).astype(float)
    kw = dict(seed=9, arch="cwola_hunting", k=4, n_init=2, epochs=3, patience=2, batch_size=256)
    whole = train.nested_kfold(x, y, weights=w, **kw)
    parts = [train.nested_kfold(x, y, weights=w[ids], benchmark_ids=ids, **kw)
             for ids in ([0, 1], [2])]
    np.testing.assert_allclose(np.concatenate([p.scores for p in parts]), whole.scores,
                               atol=1e-4)
    n_per_set = len(whole.members) // 3
    local = [whole.selected[j] - n_per_set * j for j in range(3)]
    np.testing.assert_array_equal(np.concatenate([parts[0].selected - [[[0]], [[n_per_set]]],
                                                  parts[1].selected]), local)
    with pytest.raises(ValueError, match="benchmark_ids"):
        train.nested_kfold(x, y, weights=w, benchmark_ids=[0, 1], **kw)


def test_nested_kfold_scores_do_not_remember_training_labels():
    """Random labels that a network can only memorize: out-of-fold scores carry no
    information about them (AUC ~ 0.5), while the same networks separate their own
    training events. A model that scored events it trained on would show AUC >> 0.5."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1_500, 4))
    y = (rng.random(1_500) < 0.5).astype(float)
    res = train.nested_kfold(x, y, seed=3, arch="sacwola", k=5, n_init=1, epochs=150,
                             patience=150, batch_size=256)
    auc = metrics.roc_auc(y > 0.5, res.scores)
    assert abs(auc - 0.5) < 0.06, auc
    refit = train.fit_classifier(x, y, seed=3, epochs=150, patience=150, batch_size=256,
                                 val_fraction=0.2).predict(x)[0]
    assert metrics.roc_auc(y > 0.5, refit) > 0.6      # memorization is visible in-sample


def test_same_seed_same_scores_bitwise():
    x, y = gaussian_toy(4_000, 8)
    a = train.fit_classifier(x, y, seed=13, n_members=3, epochs=4).predict(x[:500])
    b = train.fit_classifier(x, y, seed=13, n_members=3, epochs=4).predict(x[:500])
    c = train.fit_classifier(x, y, seed=14, n_members=3, epochs=4).predict(x[:500])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_autoencoder_ensemble_learns_to_reconstruct():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3_000, 2))
    x = np.column_stack([z[:, 0], z[:, 1], z[:, 0] + z[:, 1], z[:, 0] - z[:, 1]]).astype(np.float32)
    val = rng.random(len(x)) < 0.2
    # Best validation loss 0.35 and 0.42 of the first epoch's (one TensorFlow thread).
    ens = ensemble.train_ensemble(x, None, models.get("autoencoder"), 2, 4, (~val).astype(float),
                                  val.astype(float), epochs=20, patience=5, batch_size=128)
    assert np.all(np.nanmin(ens.val_loss, axis=0) < 0.5 * ens.val_loss[0])
    outlier = np.array([[3.0, -3.0, 3.0, 3.0]], np.float32)   # violates x3 = x1 + x2
    assert np.all(ens.predict(outlier)[:, 0] > np.median(ens.predict(x[val]), axis=1))


def test_train_methods_orders_members_by_method_and_combines_initializations():
    """train_methods is train_ensemble with members ordered (method, initialization): its
    member scores equal a direct train_ensemble of the same (M, N) labels and weights, one
    method learns its own labels (a method with flipped labels scores anti-correlated), and
    scores() combines the initializations by the truncated mean (here 3: the median) or, for
    combine='mean', the plain mean."""
    x, y = gaussian_toy(4000, 3)
    rng = np.random.default_rng(1)
    w = np.ones(len(x))
    split = [ensemble.validation_split(w, rng) for _ in range(3)]
    tasks = {"plain": (y, *split[0]), "flipped": (1 - y, *split[1]),
             "per_init": (y, np.array([split[2][0]] * 3), np.array([split[2][1]] * 3))}
    arch = models.get("sacwola")
    ens = ensemble.train_methods(x, tasks, arch, 3, seed=4, epochs=3, patience=2, batch_size=256)
    direct = ensemble.train_ensemble(
        x, np.repeat([y, 1 - y, y], 3, axis=0), arch, 9, 4,
        np.repeat([split[0][0], split[1][0], split[2][0]], 3, axis=0),
        np.repeat([split[0][1], split[1][1], split[2][1]], 3, axis=0),
        epochs=3, patience=2, batch_size=256)
    xt, yt = gaussian_toy(2000, 4)
    member = ens.member_scores(xt)
    np.testing.assert_array_equal(member.reshape(9, -1), direct.predict(xt))
    assert ens.best_epoch.shape == (3, 3)
    scores = ens.scores(xt)
    np.testing.assert_allclose(scores["plain"], np.median(member[0], axis=0), rtol=1e-6)
    averaged = ensemble.MethodEnsemble(ens.trained, ens.methods, 3, "mean").scores(xt)
    np.testing.assert_array_equal(averaged["plain"], member[0].mean(axis=0))
    assert not np.array_equal(averaged["plain"], scores["plain"])
    assert metrics.roc_auc(yt, scores["plain"]) > 0.7 > 0.3 > metrics.roc_auc(yt, scores["flipped"])
    # Methods sharing one label array (passed once, without an (M, N) copy) train alike.
    shared = ensemble.train_methods(x, {"a": (y, *split[0]), "b": (y, *split[1])}, arch, 1,
                                    seed=4, epochs=2, patience=2, batch_size=256)
    alone = ensemble.train_ensemble(x, y, arch, 2, 4, np.array([split[0][0], split[1][0]]),
                                    np.array([split[0][1], split[1][1]]), epochs=2, patience=2,
                                    batch_size=256)
    np.testing.assert_array_equal(shared.member_scores(xt).reshape(2, -1), alone.predict(xt))
    with pytest.raises(ValueError, match="unknown combination 'median'"):
        ensemble.train_methods(x, tasks, arch, 3, seed=4, combine="median")
    with pytest.raises(ValueError, match="per_init train_weight"):
        ensemble.train_methods(x, {"per_init": (y, np.ones((2, len(x))), split[0][1])}, arch, 3,
                               seed=4, epochs=1)
