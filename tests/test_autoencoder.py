"""The autoencoder ensemble (CWoLa-vs-autoencoder paper): anomaly ranking on a toy whose
background lies on a low-dimensional manifold, and the FVU model selection on linear toys
whose optimum (PCA) is known."""
import numpy as np
import pytest

from radflow.methods import autoencoder
from radflow.ml.metrics import roc_auc


def manifold_toy(n, rng, d=10, rank=2, noise=0.05):
    """Background on a rank-``rank`` linear subspace of R^d plus small isotropic noise, and
    the embedding matrix (d, rank)."""
    a = rng.normal(size=(d, rank))
    return rng.normal(size=(n, rank)) @ a.T + noise * rng.normal(size=(n, d)), a


def test_mse_ranks_off_manifold_signal_above_background():
    rng = np.random.default_rng(3)
    bkg, a = manifold_toy(12000, rng)
    test_bkg = rng.normal(size=(4000, 2)) @ a.T + 0.05 * rng.normal(size=(4000, 10))
    # Signal: background-like points pushed off the subspace by a unit-size step.
    sig = rng.normal(size=(4000, 2)) @ a.T + rng.normal(size=(4000, 10))
    ens = autoencoder.train(bkg, n_members=4, subsample=8000, seed=1, epochs=8, hidden=64,
                            latent=2, learning_rate=1e-3)
    score = ens.score(np.vstack([test_bkg, sig]))
    auc = roc_auc(np.r_[np.zeros(4000), np.ones(4000)], score)
    assert auc > 0.95
    # Members are different networks on different subsamples, all of them useful.
    per_member = ens.member_mse(sig).mean(axis=1) / ens.member_mse(test_bkg).mean(axis=1)
    assert len(np.unique(np.round(per_member, 6))) == 4 and (per_member > 3).all()


@pytest.mark.parametrize("latent", [1, 2, 3])
def test_fvu_of_isotropic_data_drops_by_one_over_n_per_dimension(latent):
    """Isotropic 10-d Gaussian: the best linear rank-k reconstruction (PCA) leaves FVU =
    1 - k/10, each latent dimension removing 1/n of the variance (the paper's reference line
    in E15). A linear autoencoder reaches it within 0.03; the paper's ReLU one may go below
    (a curved bottleneck), never above by more than that."""
    rng = np.random.default_rng(5)
    x, held_out = rng.normal(size=(12000, 10)), rng.normal(size=(5000, 10))
    kw = dict(n_members=2, subsample=10000, seed=2, epochs=10, hidden=64, latent=latent,
              learning_rate=1e-3)
    linear = autoencoder.train(x, activation="linear", **kw).fvu(held_out)
    assert np.all(np.abs(linear - (1 - latent / 10)) < 0.03), linear
    relu = autoencoder.train(x, **kw).fvu(held_out)
    assert np.all(relu < 1 - latent / 10 + 0.03), relu


def test_fvu_flattens_past_the_rank():
    """Rank-3 data plus 1% noise: FVU falls steeply up to latent 3 and barely after it."""
    rng = np.random.default_rng(7)
    x, a = manifold_toy(12000, rng, rank=3, noise=0.1)
    held_out = rng.normal(size=(5000, 3)) @ a.T + 0.1 * rng.normal(size=(5000, 10))
    fvu = {k: autoencoder.train(x, n_members=2, subsample=10000, seed=3, epochs=10, hidden=64,
                                latent=k, learning_rate=1e-3).fvu(held_out).mean()
           for k in (2, 3, 4)}
    assert fvu[2] - fvu[3] > 0.1, fvu
    assert fvu[3] < 0.05 and abs(fvu[3] - fvu[4]) < 0.02, fvu


def test_architecture_sets_widths_and_hidden_activation_by_position():
    """Widths hidden-hidden-latent-hidden-hidden; the activation choice applies to every
    layer but the (linear) bottleneck, also when the hidden width equals the latent one."""
    arch = autoencoder.architecture(hidden=2, latent=2, activation="linear")
    assert [layer.units for layer in arch.hidden] == [2, 2, 2, 2, 2]
    assert {layer.activation for layer in arch.hidden} == {"linear"}
    relu = autoencoder.architecture(hidden=64, latent=3)
    assert [layer.activation for layer in relu.hidden] == ["relu", "relu", "linear", "relu", "relu"]
    assert relu.hidden[0].batchnorm and relu.learning_rate == 1e-4


def test_nan_background_is_rejected():
    x = np.zeros((3000, 10))
    x[5, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        autoencoder.train(x, n_members=1, subsample=1000, seed=1)


def test_heldout_fvu_and_scores_come_from_members_that_did_not_train_on_the_event():
    """An autoencoder that memorizes: 400 events of 10-d white noise (nothing to learn but
    the events themselves), 4 members in 2 folds, 256-wide with an 8-d bottleneck, 150
    epochs. On the fold it held out a member's FVU is that of fresh noise (~0.28, above the
    PCA bound 1 - 8/10), on its training pool ~0.09 (memorized). The reported FVU and every
    training event's score must be the held-out ones: code that evaluates members on the
    events they trained on (the FVU of all events, 0.17-0.20, or all members' mean MSE as the
    score, 0.19 vs 0.29 for fresh events) fails the comparisons with fresh events below."""
    rng = np.random.default_rng(11)
    x, fresh = rng.normal(size=(400, 10)), rng.normal(size=(4000, 10))
    ens = autoencoder.train(x, n_members=4, subsample=150, seed=4, epochs=150, batch_size=32,
                            hidden=256, latent=8, learning_rate=3e-3, val_events=40, folds=2)
    assert ens.subsample == 150 and sorted(np.bincount(ens.fold)) == [200, 200]
    mse = ens.member_mse(x)                                           # (4, 400)
    held = ens.member_fold[:, None] == ens.fold[None, :]             # (4, 400)
    for i in range(4):
        pool = ~held[i]
        fvu_own_pool = ens.fvu(x[pool], mse[:, pool])[i]
        assert ens.heldout_fvu[i] == pytest.approx(ens.fvu(x[held[i]], mse[:, held[i]])[i])
        # Memorization is visible: the pool (mostly its training events) reconstructs far
        # better than the held-out fold, which is reconstructed like fresh noise.
        assert fvu_own_pool < 0.6 * ens.heldout_fvu[i], (fvu_own_pool, ens.heldout_fvu)
        assert ens.heldout_fvu[i] == pytest.approx(ens.fvu(fresh)[i], rel=0.15)
    # Each event's score: the mean MSE of the 2 members holding out its fold, never of one
    # that trained on it.
    np.testing.assert_allclose(ens.heldout_score, (mse * held).sum(axis=0) / 2, rtol=1e-6)
    trained_on = (mse * ~held).sum(axis=0) / 2
    assert np.mean(trained_on) < 0.6 * np.mean(ens.heldout_score)
    # Held-out scores of training events look like scores of events nobody trained on.
    fresh_score = ens.fold_score(fresh, autoencoder.assign_folds(len(fresh), 2, seed=1))
    assert np.mean(ens.heldout_score) == pytest.approx(np.mean(fresh_score), rel=0.1)


def test_choose_folds_keeps_the_subsample_and_the_most_members_per_event():
    # Default config: 10 members of 25k on 36k events: 2 folds leave 18k, 5 folds 28.8k.
    assert autoencoder.choose_folds(36_000, 10, 25_000) == 5
    assert autoencoder.choose_folds(36_000, 10, 10_000) == 2
    # Nothing fits: the largest pool (one member per fold), the subsample clipped to it.
    assert autoencoder.choose_folds(36_000, 50, 50_000) == 50
    with pytest.raises(ValueError, match="at least 2"):
        autoencoder.choose_folds(36_000, 1, 1000)
    with pytest.raises(ValueError, match="must divide"):
        autoencoder.train(np.zeros((100, 3)), n_members=3, subsample=10, seed=1, folds=2)
