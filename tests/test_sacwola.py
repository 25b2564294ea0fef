"""SA-CWoLa study pieces: signal-count scaling, method targets, the decorrelation that
SA-CWoLa buys on a toy with a feature-mass correlation, and the bump-hunt threshold scan."""
import numpy as np
import pytest

from radflow.stats import bump_hunt, fit as stats
from radflow.methods import cwola, sacwola
from radflow import inject
from radflow.ml import metrics
from tests import dijet_toys

SR, SB = (3300.0, 3700.0), ((3100.0, 3300.0), (3700.0, 3900.0))


def test_signal_count_scaling_by_hand():
    # 1500 signal events in 1e6 LHCO background events, for 60k events:
    assert inject.scaled_count(1500, 60_000, 1e6, "linear") == 90          # S/B fixed
    assert inject.scaled_count(1500, 60_000, 1e6, "sqrt") == 367           # 1500 * 0.2449
    assert inject.scaled_count(1500, 1_000_000, 1e6, "sqrt") == 1500
    assert inject.parse("nsig1500_rep2") == ("nsig", 1500.0, 2)
    assert inject.parse("sb0.01_rep0") == ("sb", 0.01, 0)


def test_draw_count_is_seeded_and_refuses_too_much_signal():
    a = inject.draw_count(1000, 300, seed=3, study="sacwola", rep=0)
    assert a.sum() == 300 and np.array_equal(a, inject.draw_count(1000, 300, 3, "sacwola", 0))
    assert not np.array_equal(a, inject.draw_count(1000, 300, 3, "sacwola", 1))
    with pytest.raises(inject.InjectionError, match=r"600 signal events.*'sig_xy' .*1000"):
        inject.draw_count(1000, 600, 3, "sacwola", 0)


def toy_rows(seed, n=40_000, n_sig=2000, n_extra=0):
    """Rows with feature x0 correlated with mjj (|m - 3500| / 200 + noise), identically in
    data, sim and the extra background sample, and x1 pure noise for background; signal in
    the data SR at x1 ~ 2.5."""
    rng = np.random.default_rng(seed)
    parts = []
    for kind, count in ((sacwola.DATA, n), (sacwola.SIM, n), (sacwola.EXTRA, n_extra)):
        m = rng.uniform(3100, 3900, count)
        x = np.column_stack([np.abs(m - 3500) / 200 + rng.normal(0, 0.5, count), rng.normal(0, 1, count)])
        parts.append((kind, m, x, np.zeros(count, bool)))
    m = rng.uniform(*SR, n_sig)
    x = np.column_stack([rng.normal(1.0, 0.5, n_sig), rng.normal(2.5, 0.3, n_sig)])
    parts.append((sacwola.DATA, m, x, np.ones(n_sig, bool)))
    kind = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    m = np.concatenate([p[1] for p in parts])
    sr = (m >= SR[0]) & (m < SR[1])
    return sacwola.Rows(x=np.concatenate([p[2] for p in parts]), kind=kind,
                        signal=np.concatenate([p[3] for p in parts]), sr=sr,
                        sb_low=m < SR[0], sb_high=m >= SR[1], w_dctr=np.ones(len(m)))


def test_method_targets():
    rows = toy_rows(0, n=2000, n_sig=100, n_extra=2000)
    y, w = sacwola.targets(rows, "optimal_cwola")
    data_sr = (rows.kind == sacwola.DATA) & rows.sr
    extra_sr = (rows.kind == sacwola.EXTRA) & rows.sr
    assert np.all(w[~(data_sr | extra_sr)] == 0)
    # All of CWoLa's SR data, injected signal included (label 1), vs the extra background SR.
    assert np.all(w[data_sr] == 1) and np.all(y[data_sr] == 1)
    assert np.all(w[extra_sr] == 1) and np.all(y[extra_sr] == 0)
    y, w = sacwola.targets(rows, "supervised")
    assert np.all(w[rows.signal & (rows.kind == sacwola.DATA)] == 0)   # injected signal unused
    y, w = sacwola.targets(rows, "sa_cwola_l0")
    assert np.all(w[rows.kind == sacwola.SIM] == 0)                     # lambda = 0: CWoLa
    assert np.all(y[rows.kind == sacwola.DATA] == rows.sr[rows.kind == sacwola.DATA])
    sim = rows.kind == sacwola.SIM
    sim_used = sim & (rows.sr | rows.sb_low | rows.sb_high)
    y, w = sacwola.targets(rows, "sa_cwola_l0.5")                       # eq. 2.3 as written
    assert np.all(y[sim] == rows.sr[sim])
    assert w[sim].sum() == pytest.approx(-0.5 * sim_used.sum())
    y, w = sacwola.targets(rows, "sa_cwola_flip_l0.5")                  # flipped variant
    assert np.all(y[sim] == ~rows.sr[sim])
    assert w[sim].sum() == pytest.approx(0.5 * sim_used.sum())
    assert cwola.resolve("sa_cwola_flipped", 0.5) == "sa_cwola_flip_l0.5"
    assert cwola.parse_method("sa_cwola_flip_l0.5") == ("flipped", 0.5)
    assert sacwola.method_names([0.0, 0.5]) == ["sa_cwola_l0", "sa_cwola_l0.5", "sa_cwola_flip_l0.5",
                                                *sacwola.FIXED_METHODS]
    assert cwola.resolve("cwola", 0.5) == "sa_cwola_l0" and cwola.resolve("sa_cwola", 0.5) == "sa_cwola_l0.5"
    assert cwola.parse_method(cwola.lambda_method(0.25)) == ("eq23", 0.25) and cwola.parse_method("salad") is None
    with pytest.raises(KeyError, match="unknown"):
        sacwola.targets(rows, "anode")


def population_optimum(x0, lam, form="flipped"):
    """Background-only minimum of the SA-CWoLa loss for identical data and sim, with
    r = p_SR(x) / p_SB(x) and SR and SB of equal total weight: flipped sim labels,
    f* = (r + lam) / ((1 + lam)(1 + r)); eq. 2.3, -(1 - lam)(a log f + b log(1 - f)),
    f* = r / (1 + r) for every lam < 1 (CWoLa's: the sim term cancels a fraction lam of the
    background without moving its minimum). For the toy, u = |m - 3500| / 200 is uniform on [0, 2) (SR: u < 1)
    and x0 = u + N(0, 0.5)."""
    from scipy.stats import norm

    def p(lo, hi):
        return norm.cdf((x0 - lo) / 0.5) - norm.cdf((x0 - hi) / 0.5)

    r = p(0.0, 1.0) / p(1.0, 2.0)
    if form == "eq23":
        return r / (1 + r)
    return (r + lam) / ((1 + lam) * (1 + r))


def test_sa_cwola_reaches_its_population_optimum_on_background():
    """With no signal, the trained CWoLa (lambda = 0) and SA-CWoLa scores (flipped and
    eq. 2.3 at lambda = 0.5) match the analytic optimum of their losses on held-out
    background."""
    methods = ["sa_cwola_l0", "sa_cwola_flip_l0.5", "sa_cwola_l0.5"]
    ens = sacwola.train(toy_rows(1, n_sig=0), methods, n_init=2, seed=5, bootstrap_seed=6,
                        epochs=20, patience=5)
    test = toy_rows(2, n_sig=0)
    scores = ens.scores(test.x)
    for (lam, form), m in zip(((0.0, "flipped"), (0.5, "flipped"), (0.5, "eq23")), methods):
        assert np.mean(np.abs(scores[m] - population_optimum(test.x[:, 0], lam, form))) < 0.03


def test_sa_cwola_finds_the_signal_that_cwola_misses():
    """With signal in the data SR: CWoLa ranks by the mass correlation and misses the signal;
    SA-CWoLa ranks the signal above the background it cannot push beyond 1/(1 + lambda);
    at lambda = 1 (sim = data background) it no longer separates SR from SB at all."""
    rows = toy_rows(1)
    methods = ["sa_cwola_l0", "sa_cwola_flip_l0.5", "sa_cwola_flip_l1"]
    ens = sacwola.train(rows, methods, n_init=2, seed=5, bootstrap_seed=6, epochs=20, patience=5)
    test = toy_rows(2)
    scores = ens.scores(test.x)
    bkg = (test.kind == sacwola.DATA) & ~test.signal
    sig_eval = test.sr & (test.kind == sacwola.DATA)
    sig = {m: metrics.roc_auc(test.signal[sig_eval], s[sig_eval]) for m, s in scores.items()}
    gap = {m: s[bkg & test.sr].mean() - s[bkg & ~test.sr].mean() for m, s in scores.items()}
    assert sig["sa_cwola_l0"] < 0.75 and sig["sa_cwola_flip_l0.5"] > sig["sa_cwola_l0"] + 0.15
    assert sig["sa_cwola_flip_l1"] > 0.95
    assert gap["sa_cwola_l0"] > 0.3 and abs(gap["sa_cwola_flip_l1"]) < 0.02


EDGES = bump_hunt.binning((2600.0, 5000.0), 30)
SR_BINS = bump_hunt.sr_bins(EDGES, SR)


def test_binning_masks_every_bin_touching_the_sr():
    assert np.diff(EDGES) == pytest.approx(80.0)
    assert EDGES[:-1][SR_BINS].min() == 3240.0 and EDGES[1:][SR_BINS].max() == 3720.0


def dijet_toy(seed, n=30_000):
    """mjj (GeV) drawn from the dijet function over the fit range."""
    rng = np.random.default_rng(seed)
    mu = dijet_toys.expected_counts(EDGES, (1.0, 8.0, 6.0, 0.3))
    counts = rng.multinomial(n, mu / mu.sum())
    return np.concatenate([rng.uniform(lo, hi, c) for lo, hi, c in zip(EDGES[:-1], EDGES[1:], counts)])


def test_threshold_scan_hits_target_efficiencies_and_fits_background():
    rng = np.random.default_rng(4)
    mjj = dijet_toy(4)
    scores = rng.random(len(mjj))                 # uncorrelated with mjj: no sculpting
    in_sr = (mjj >= SR[0]) & (mjj < SR[1])
    effs = [1.0, 0.5, 0.1, 0.01]
    fits = bump_hunt.scan(mjj, scores, in_sr, effs, EDGES, SR_BINS)
    for f, eff in zip(fits, effs):
        assert f["efficiency_sr_total"] == pytest.approx(eff, rel=0.02, abs=1e-3)
        assert f["converged"] and f["gof_pvalue"] > 0.01
        assert abs(f["n_sr"] - f["b"]) < 4 * np.sqrt(f["b"] + f["sigma"] ** 2)
    assert fits[0]["n_sr"] == int(np.histogram(mjj, EDGES)[0][SR_BINS].sum())


def test_empty_selection_is_a_reported_failed_fit_not_a_number():
    f = bump_hunt.fit_spectrum(np.array([]), EDGES, SR_BINS)
    assert not f["converged"] and "no events" in f["error"] and "z" not in f


def test_residual_correction_and_signed_significance_by_hand():
    eff = {"efficiency": 0.1, "efficiency_sr_total": 0.1, "n_sr_events": 10_000}
    sig = {**eff, "converged": True, "n_sr": 1150, "b": 1000.0, "sigma": 20.0, "z_method": "asymptotic"}
    bkg = {**eff, "converged": True, "n_sr": 950, "b": 1000.0, "sigma": 20.0}   # a 50-event deficit
    assert bump_hunt.residual_corrected(sig, bkg) == pytest.approx(stats.significance(1200, 1000.0, 20.0))
    assert bump_hunt.residual_corrected(sig, {**eff, "converged": False}) is None
    assert stats.signed_significance(950, 1000.0, 20.0) < 0 == stats.significance(950, 1000.0, 20.0)
    assert -stats.signed_significance(950, 1000.0, 0.0) == pytest.approx(
        np.sqrt(2 * (950 * np.log(950 / 1000) + 50)))
    assert stats.signed_significance(1150, 1000.0, 20.0) == stats.significance(1150, 1000.0, 20.0)
