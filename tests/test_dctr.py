"""DCTR: a classifier parametrized in m, trained in sidebands, closes a known density
ratio and interpolates it into the signal region."""
import numpy as np

from radflow.methods import dctr
from radflow.ml import metrics, train


def toy(n, seed, sim):
    """x ~ N(mu(m), 1) with m ~ U(0, 1); data: mu = 0.5 m, sim: mu = 0 (an m-dependent
    mismodelling, so the SR needs interpolation in m)."""
    rng = np.random.default_rng(seed)
    m = rng.random(n)
    x = rng.normal(size=(n, 1)) + (0.0 if sim else 0.5 * m[:, None])
    return x.astype(np.float32), m.astype(np.float32)


def sr(m):
    return (m > 0.45) & (m < 0.6)


def test_dctr_trained_in_sidebands_closes_in_the_signal_region():
    xd, md = toy(80_000, 1, sim=False)
    xs, ms = toy(60_000, 2, sim=True)
    sb_d, sb_s = ~sr(md), ~sr(ms)
    model = dctr.fit(xd[sb_d], md[sb_d], xs[sb_s], ms[sb_s], seed=3, arch="sacwola",
                     epochs=40, patience=8)
    # Independent events in the signal region.
    xd2, md2 = toy(200_000, 4, sim=False)
    xs2, ms2 = toy(200_000, 5, sim=True)
    xd2, md2, xs2, ms2 = xd2[sr(md2)], md2[sr(md2)], xs2[sr(ms2)], ms2[sr(ms2)]
    w = model.weights(xs2, ms2)
    true = np.exp(-0.5 * (xs2[:, 0] - 0.5 * ms2) ** 2 + 0.5 * xs2[:, 0] ** 2)
    core = np.abs(xs2[:, 0]) < 1.5
    assert np.median(np.abs(w[core] / true[core] - 1)) < 0.05
    assert abs(w.mean() - 1.0) < 0.03          # normalization: N_sim / N_data prior removed
    # A fresh classifier data vs weighted sim in the SR: no separation left.
    x = np.concatenate([xd2, xs2])
    y = np.r_[np.ones(len(xd2)), np.zeros(len(xs2))]
    wt = np.r_[np.ones(len(xd2)), w]
    test = np.random.default_rng(6).random(len(y)) < 0.5
    before = train.fit_classifier(x[~test], y[~test], seed=7, epochs=20, patience=5)
    after = train.fit_classifier(x[~test], y[~test], seed=7, weights=wt[~test], epochs=20, patience=5)
    auc_before = metrics.roc_auc(y[test], before.predict(x[test])[0])
    auc_after = metrics.roc_auc(y[test], after.predict(x[test])[0], wt[test])
    assert auc_before > 0.53
    assert abs(auc_after - 0.5) < 0.02, (auc_before, auc_after)
