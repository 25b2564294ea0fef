"""Conditional flows (radflow.ml.flows), ANODE's likelihood ratio and CATHODE's mass KDE on
toys with known densities: the numbers a broken flow (missing Jacobian, leaking mask, wrong
inverse, members that see each other's batches) would get wrong."""
import numpy as np
import pytest
from scipy import stats

from radflow.methods import anode, cathode
from radflow.ml import flows, metrics
from radflow.ml.train import fit_classifier

SR = (3300.0, 3700.0)
SPEC = flows.FlowSpec(n_blocks=5, hidden=64, epochs=12, batch_size=256, learning_rate=1e-3,
                      keep_best=4)


def toy(n, rng, windows=((2600.0, 5000.0),)):
    """2-d correlated Gaussian whose means move linearly with mjj (GeV): events (n, 2),
    masses (n,) uniform in ``windows``, true log p(x|m) (n,)."""
    w = np.asarray(windows)
    pick = rng.choice(len(w), n, p=(w[:, 1] - w[:, 0]) / (w[:, 1] - w[:, 0]).sum())
    m = rng.uniform(w[pick, 0], w[pick, 1])
    t = (m - 3500.0) / 1000.0
    mean = np.stack([60 + 40 * t, 0.5 + 0.15 * t], axis=1)
    chol = np.array([[10.0, 0.0], [0.03, 0.04]])
    x = mean + rng.standard_normal((n, 2)) @ chol.T
    cov = chol @ chol.T
    d = x - mean
    lp = -0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d) - 0.5 * np.log(
        np.linalg.det(2 * np.pi * cov))
    return x, m, lp


def sideband(m):
    return (m < SR[0]) | (m >= SR[1])


@pytest.fixture(scope="module")
def trained():
    """Two members in one model: member 0 on all masses, member 1 on sideband masses only."""
    rng = np.random.default_rng(1)
    x, m, _ = toy(24000, rng)
    test = toy(20000, rng)
    prep = flows.Preprocessing.fit(np.r_[x, test[0]], np.r_[m, test[1]])
    rows = [np.arange(len(x)), np.nonzero(sideband(m))[0]]
    return flows.train_flows(x, m, rows, SPEC, seed=5, names=["all masses", "sidebands"],
                             prep=prep, log=lambda s: None), test


def test_heldout_likelihood_matches_truth(trained):
    fl, (x, m, lp) = trained
    est = fl.log_prob(x, m)
    assert abs(est[0].mean() - lp.mean()) < 0.05           # nats per event
    sr = ~sideband(m)
    # Trained on sideband masses only, evaluated at signal-region masses.
    assert abs(est[1][sr].mean() - lp[sr].mean()) < 0.1
    # Densities are in the physical space: the estimate tracks the truth event by event.
    assert np.corrcoef(est[0], lp)[0, 1] > 0.95


def test_samples_match_truth(trained):
    fl, (x, m, _) = trained
    samples = fl.sample(m, member=0, seed=3)
    assert samples.shape == x.shape
    for i in range(x.shape[1]):
        assert stats.ks_2samp(samples[:, i], x[:, i]).statistic < 0.02
    # Samples vs truth at the same masses: a classifier cannot tell them apart.
    feats = np.r_[np.c_[samples, m], np.c_[x, m]]
    label = np.r_[np.ones(len(m)), np.zeros(len(m))]
    half = np.random.default_rng(0).random(len(label)) < 0.5
    ens = fit_classifier(feats[half], label[half], seed=2, epochs=8, batch_size=256)
    auc = metrics.roc_auc(label[~half], ens.predict(feats[~half])[0])
    assert abs(auc - 0.5) < 0.02


def test_density_integrates_to_one_in_physical_units():
    """1-d toy in GeV-like units: the logit/min-max Jacobian makes exp(log p) integrate to 1
    over the support, at any mass."""
    rng = np.random.default_rng(2)
    m = rng.uniform(2600, 5000, 4000)
    x = rng.gamma(3.0, 20.0 + 0.01 * (m - 2600))[:, None]
    spec = flows.FlowSpec(n_blocks=3, hidden=32, epochs=2, batch_size=256, learning_rate=1e-2,
                          keep_best=2)
    fl = flows.train_flows(x, m, [np.arange(len(x))], spec, seed=1, names=["1d"], log=lambda s: None)
    lo, hi = fl.prep.lo[0], fl.prep.hi[0]
    grid = np.linspace(lo, hi, 200001)[1:-1]
    for mass in (2800.0, 4500.0):
        p = np.exp(fl.log_prob(grid[:, None], np.full(len(grid), mass))[0])
        assert abs(np.trapezoid(p, grid) - 1.0) < 2e-3
    assert np.isneginf(fl.log_prob(np.array([[hi + 1.0]]), np.array([3000.0]))[0, 0])


def toy4(n, rng, mass):
    """4 features like the studies' (m_j,min, m_j,max - m_j,min in GeV, two tau21) at one mass
    (GeV), correlated, means moving with it: events (n, 4)."""
    t = (mass - 3500.0) / 1000.0
    mean = np.array([80 + 40 * t, 150 + 60 * t, 0.55 + 0.1 * t, 0.6])
    chol = np.array([[20.0, 0, 0, 0], [15.0, 40.0, 0, 0], [0.02, 0.0, 0.12, 0],
                     [0.0, 0.03, 0.04, 0.1]])
    return mean + rng.standard_normal((n, 4)) @ chol.T


def wrong_jacobian(monkeypatch, how):
    """Break one log-Jacobian term of the density, the transform itself left intact:
    "blocks" drops the MADE blocks' -sum(alpha) (log p too high by sum(alpha)), "prep"
    doubles the logit/min-max preprocessing's log|dz/dx|."""
    import tensorflow as tf

    if how == "blocks":
        made, log_prob = flows.VectorizedMAF._made, flows.VectorizedMAF.log_prob
        alphas = []

        def recording_made(self, blk, x):
            mu, alpha = made(self, blk, x)
            alphas.append(tf.reduce_sum(alpha, axis=-1))
            return mu, alpha

        def without_block_logdet(self, z, c, training=False, rows=None):
            alphas.clear()
            return log_prob(self, z, c, training, rows) + tf.add_n(alphas)

        monkeypatch.setattr(flows.VectorizedMAF, "_made", recording_made)
        monkeypatch.setattr(flows.VectorizedMAF, "log_prob", without_block_logdet)
    elif how == "prep":
        forward = flows.Preprocessing.forward
        monkeypatch.setattr(flows.Preprocessing, "forward",
                            lambda self, x: (lambda z, ld: (z, 2 * ld))(*forward(self, x)))


@pytest.fixture(scope="module")
def short_flows():
    """Conditional MAFs on 2 and on 4 features (the studies' count) after 3 epochs: far from
    the identity (dropping the blocks' log-det changes the integrals below by a factor 2-5),
    so every Jacobian term matters."""
    rng = np.random.default_rng(12)
    spec = flows.FlowSpec(n_blocks=4, hidden=32, epochs=3, batch_size=128, learning_rate=5e-3,
                          keep_best=2)
    x2, m2, _ = toy(4000, rng)
    m4 = rng.uniform(2600.0, 5000.0, 4000)
    x4 = np.concatenate([toy4(1, rng, m) for m in m4])
    return {d: flows.train_flows(x, m, [np.arange(len(x))], spec, seed=3, names=[f"{d}d"],
                                 log=lambda s: None)
            for d, x, m in ((2, x2, m2), (4, x4, m4))}


@pytest.mark.parametrize("jacobian", ["correct", "blocks", "prep"])
def test_2d_density_integrates_to_one_on_a_grid(short_flows, monkeypatch, jacobian):
    """p(x | m) of a 2-feature conditional MAF, integrated with the trapezoid rule on a
    1201 x 1201 grid over its support box (lo, hi) (the density is exactly 0 outside), at
    two masses. The grid step is ~1/100 of the toy's widths and the density smooth, so the
    rule's error is far below float32 rounding of log p (~1e-6 relative); measured |integral
    - 1| ~ 1e-7, asserted < 1e-4. A wrong Jacobian moves the integral by far more (measured:
    the blocks' log-det dropped 2.3 and 5.0, the preprocessing's doubled 0.25 and 0.5), so
    those cases must miss 1 by more than 0.05."""
    fl = short_flows[2]
    wrong_jacobian(monkeypatch, jacobian)
    g0, g1 = (np.linspace(fl.prep.lo[i], fl.prep.hi[i], 1201)[1:-1] for i in range(2))
    a, b = np.meshgrid(g0, g1, indexing="ij")
    pts = np.c_[a.ravel(), b.ravel()]
    for mass in (2900.0, 4200.0):
        p = np.exp(fl.log_prob(pts, np.full(len(pts), mass))[0]).reshape(a.shape)
        integral = np.trapezoid(np.trapezoid(p, g1, axis=1), g0)
        if jacobian == "correct":
            assert abs(integral - 1.0) < 1e-4, (mass, integral)
        else:
            assert abs(integral - 1.0) > 0.05, (mass, integral)


@pytest.mark.parametrize("jacobian", ["correct", "blocks", "prep"])
def test_4d_density_integrates_to_one_by_importance_sampling(short_flows, monkeypatch, jacobian):
    """p(x | m) of a 4-feature conditional MAF (the studies' feature count) at two masses:
    I = E_q[p / q] with q a product of normals truncated to the flow's support box (so q > 0
    wherever p > 0 and the estimator is unbiased), centred on the toy's mean at that mass
    with twice its standard deviation. With N = 200k draws the standard error
    s = std(p / q) / sqrt(N) is ~4e-3 (measured I = 0.9989, 1.0012); assert s < 0.01 and
    |I - 1| < 4 s + 2e-3 (the bias budget covers float32 rounding of log p, ~1e-5). The
    wrong-Jacobian cases miss by far more than 10 s + 0.05 (measured: blocks' log-det dropped
    2.2-2.8, preprocessing's doubled 0.03)."""
    fl = short_flows[4]
    wrong_jacobian(monkeypatch, jacobian)
    rng = np.random.default_rng(21)
    for mass in (2900.0, 4200.0):
        ref = toy4(20000, rng, mass)
        loc, scale = ref.mean(axis=0), 2 * ref.std(axis=0)
        q = stats.truncnorm((fl.prep.lo - loc) / scale, (fl.prep.hi - loc) / scale, loc, scale)
        x = q.rvs(size=(200_000, 4), random_state=rng)
        w = np.exp(fl.log_prob(x, np.full(len(x), mass))[0] - q.logpdf(x).sum(axis=1))
        integral, se = w.mean(), w.std() / np.sqrt(len(w))
        if jacobian == "correct":
            assert se < 0.01 and abs(integral - 1.0) < 4 * se + 2e-3, (mass, integral, se)
        else:
            assert abs(integral - 1.0) > 10 * se + 0.05, (mass, integral, se)


def test_members_train_as_if_alone():
    """A flow trained beside another on different rows equals its lone run."""
    rng = np.random.default_rng(4)
    x, m, _ = toy(3000, rng)
    prep = flows.Preprocessing.fit(x, m)
    spec = flows.FlowSpec(n_blocks=2, hidden=16, epochs=2, batch_size=128, learning_rate=1e-3,
                          keep_best=1)
    alone = flows.train_flows(x, m, [np.arange(1000)], spec, seed=1, names=["a"], prep=prep,
                              member_seeds=[11], log=lambda s: None)
    mixed = flows.train_flows(x, m, [np.arange(1000), np.arange(500, 3000)], spec, seed=1,
                              names=["a", "b"], prep=prep, member_seeds=[11, 12], log=lambda s: None)
    np.testing.assert_allclose(mixed.val_loss[:, 0], alone.val_loss[:, 0], rtol=1e-4)
    np.testing.assert_allclose(mixed.log_prob(x[:50], m[:50])[0], alone.log_prob(x[:50], m[:50])[0],
                               rtol=1e-3, atol=1e-3)


def test_divergence_names_the_flow_and_epoch():
    rng = np.random.default_rng(5)
    x, m, _ = toy(600, rng)
    spec = flows.FlowSpec(n_blocks=2, hidden=16, epochs=3, batch_size=64, learning_rate=1e4,
                          keep_best=1)
    with pytest.raises(flows.FlowDivergenceError, match=r"study toy, flow p_bkg: .*epoch [0-9]+ of 3"):
        flows.train_flows(x, m, [np.arange(600)], spec, seed=1, names=["study toy, flow p_bkg"],
                          log=lambda s: None)


def test_anode_ranks_a_localized_excess():
    """ANODE on a toy: SR data with a narrow excess vs a flow on sideband data. The excess
    ranks above background; without it log R averages to 0."""
    rng = np.random.default_rng(6)
    x, m, _ = toy(30000, rng)
    sr = ~sideband(m)
    n_sig = int(0.05 * sr.sum())
    xs = np.c_[rng.normal(100.0, 3.0, n_sig), rng.normal(0.35, 0.01, n_sig)]
    ms = rng.uniform(*SR, n_sig)
    xt, mt, _ = toy(20000, rng, windows=(SR,))
    xst = np.c_[rng.normal(100.0, 3.0, 2000), rng.normal(0.35, 0.01, 2000)]
    mst = rng.uniform(*SR, 2000)
    all_x, all_m = np.r_[x, xs], np.r_[m, ms]
    prep = flows.Preprocessing.fit(np.r_[all_x, xt, xst], np.r_[all_m, mt, mst])
    n = len(x)
    rows = [np.r_[np.nonzero(sr)[0], n + np.arange(n_sig)],   # SR data with the excess
            np.nonzero(sr)[0],                              # SR data without it
            np.nonzero(~sr)[0]]                             # sidebands: p_bkg
    fl = flows.train_flows(all_x, all_m, rows, SPEC, seed=7, names=["sr+sig", "sr", "sb"],
                           prep=prep, log=lambda s: None)
    lp = fl.log_prob(np.r_[xt, xst], np.r_[mt, mst])
    is_sig = np.r_[np.zeros(len(xt)), np.ones(len(xst))]
    log_r = anode.log_likelihood_ratio(lp[0], lp[2])
    assert metrics.roc_auc(is_sig, log_r) > 0.9
    assert abs(anode.log_likelihood_ratio(lp[1], lp[2])[: len(xt)].mean()) < 0.05
    with pytest.raises(ValueError, match="outside a flow's support"):
        anode.log_likelihood_ratio(np.array([0.0, -np.inf]), np.array([0.0, 0.0]))


def test_mass_kde_follows_the_signal_region_spectrum():
    rng = np.random.default_rng(8)
    mjj = 3300.0 + 400.0 * rng.beta(1.0, 2.5, 5000)       # falling, like a dijet spectrum
    drawn = cathode.sample_sr_masses(mjj, 20000, SR, bandwidth=0.01, seed=1)
    assert ((drawn > SR[0]) & (drawn < SR[1])).all()
    assert stats.ks_2samp(drawn, mjj).pvalue > 0.01
    assert cathode.sample_sr_masses(mjj, 10, SR, 0.01, seed=1).tolist() == \
        cathode.sample_sr_masses(mjj, 10, SR, 0.01, seed=1).tolist()
    with pytest.raises(ValueError, match=r"no data events in the signal region \[3300, 3700\]"):
        cathode.sample_sr_masses(np.array([]), 10, SR, 0.01, seed=1)
