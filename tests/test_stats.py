"""Bump-hunt statistics: fits recover injected parameters, Z matches the asymptotic formula,
background-only coverage, a goodness of fit that is uniform for good fits and fails bad ones,
toy-based Z at small b, the threshold scan at fixed background efficiency. No networks."""
import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from radflow.stats import bump_hunt, fit as stats
from tests import dijet_toys

EDGES = np.linspace(2600.0, 5000.0, 31)             # SA-CWoLa paper: 2.6-5 TeV, 30 bins
SR = (EDGES[:-1] >= 3300.0) & (EDGES[1:] <= 3700.0)
TRUE = np.array([1.0, 8.0, 6.0, 0.3])


def true_params(n_total):
    p = TRUE.copy()
    p[0] = n_total / dijet_toys.expected_counts(EDGES, TRUE).sum()
    return p


def test_fit_recovers_injected_parameters():
    rng = np.random.default_rng(1)
    truth = true_params(200_000)
    mu = dijet_toys.expected_counts(EDGES, truth)
    pulls = []
    for _ in range(20):
        fit = stats.fit_sidebands(rng.poisson(mu), EDGES, ~SR)
        err = np.sqrt(np.diag(fit.cov))
        pulls.append((fit.params[1:] - truth[1:]) / err[1:])
    pulls = np.array(pulls)
    assert np.all(np.abs(pulls) < 3.0), pulls
    assert np.all(np.abs(pulls.mean(axis=0)) < 0.7), pulls.mean(axis=0)


def test_sr_prediction_and_uncertainty_cover_truth():
    rng = np.random.default_rng(2)
    truth = true_params(200_000)
    mu = dijet_toys.expected_counts(EDGES, truth)
    b_true = mu[SR].sum()
    pulls = []
    for _ in range(20):
        b, sigma = stats.fit_sidebands(rng.poisson(mu), EDGES, ~SR).prediction(SR)
        assert sigma > 0
        pulls.append((b - b_true) / sigma)
    assert np.all(np.abs(pulls) < 3.5) and abs(np.mean(pulls)) < 0.7, pulls


@pytest.mark.parametrize("s,b", [(50.0, 1000.0), (10.0, 20.0), (300.0, 5e4)])
def test_z_matches_asymptotic_formula_for_known_background(s, b):
    assert stats.significance(s + b, b, 0.0) == pytest.approx(dijet_toys.asimov_z(s, b), rel=1e-10)
    assert stats.significance(s + b, b, 1e-6 * b) == pytest.approx(dijet_toys.asimov_z(s, b), rel=1e-4)
    # An uncertainty on b can only reduce Z; a deficit gives Z = 0.
    assert stats.significance(s + b, b, 0.1 * np.sqrt(b)) < dijet_toys.asimov_z(s, b)
    assert stats.significance(b - s, b, 0.0) == 0.0


def test_background_only_coverage():
    """Fraction of background-only pseudo-experiments with Z > 1: 0.16 +- 0.05 (200 toys)."""
    rng = np.random.default_rng(3)
    mu = dijet_toys.expected_counts(EDGES, true_params(100_000))
    z = []
    for _ in range(200):
        counts = rng.poisson(mu)
        b, sigma = stats.fit_sidebands(counts, EDGES, ~SR).prediction(SR)
        z.append(stats.significance(counts[SR].sum(), b, sigma))
    frac = np.mean(np.array(z) > 1.0)
    assert abs(frac - 0.16) < 0.05, frac


def test_injected_signal_gives_significance():
    rng = np.random.default_rng(4)
    mu = dijet_toys.expected_counts(EDGES, true_params(100_000))
    counts = rng.poisson(mu)
    counts[SR] += np.array([150, 250, 250, 150])[: SR.sum()]
    b, sigma = stats.fit_sidebands(counts, EDGES, ~SR).prediction(SR)
    assert stats.significance(counts[SR].sum(), b, sigma) > 3.0


STUDY_SR = bump_hunt.sr_bins(EDGES, (3300.0, 3700.0))   # the study's mask: 6 bins, ndf = 20


def study_toy_mean(n_total=30_000):
    """Expected events per bin of a background-only spectrum of the study's size."""
    return dijet_toys.expected_counts(EDGES, true_params(n_total))


def test_gof_pvalue_is_uniform_for_background_only_toys():
    """200 background-only toys (3e4 events, SR bins masked as in the study): the deviance
    p-value is U(0, 1). (The old KS p-value of a fit against its own data had median 0.999.)"""
    rng = np.random.default_rng(7)
    mu = study_toy_mean()
    p = []
    for _ in range(200):
        gof = stats.fit_sidebands(rng.poisson(mu), EDGES, ~STUDY_SR).goodness_of_fit()
        assert gof.ndf == 20
        p.append(gof.pvalue)
    p = np.array(p)
    frac = np.mean(p < 0.05)
    assert 0.02 <= frac <= 0.08, frac
    assert sps.kstest(p, "uniform").pvalue > 0.01, np.quantile(p, [0.05, 0.5, 0.95])


def _bump_in_sideband(rng, mu):
    """A localized excess of 240 events in 3 bins of the high sideband (4040-4280 GeV)."""
    return rng.poisson(mu) + np.r_[np.zeros(18), 60, 120, 60, np.zeros(9)].astype(int)


def _turn_on(rng, mu):
    """A sculpted low-mass turn-on (the first three bins at 60, 80, 90%)."""
    return rng.poisson(mu * np.r_[0.6, 0.8, 0.9, np.ones(27)])


@pytest.mark.parametrize("make", [_bump_in_sideband, _turn_on])
def test_gof_pvalue_rejects_spectra_the_dijet_function_cannot_describe(make):
    counts = make(np.random.default_rng(8), study_toy_mean())
    fit = stats.fit_sidebands(counts, EDGES, ~STUDY_SR)
    gof = fit.goodness_of_fit()
    n, mu = counts[~STUDY_SR], fit.expected()[~STUDY_SR]
    by_hand = 2 * np.sum(mu - n + np.where(n > 0, n * np.log(np.where(n > 0, n, 1) / mu), 0.0))
    assert gof.deviance == pytest.approx(by_hand, rel=1e-9)
    assert gof.ndf == (~STUDY_SR).sum() - 4 and gof.pvalue == sps.chi2.sf(gof.deviance, gof.ndf)
    assert gof.pvalue < 0.01, gof


def test_fit_needs_a_degree_of_freedom():
    fit_bins = np.zeros(30, bool)
    fit_bins[:4] = True
    with pytest.raises(stats.FitError, match="4 fit bins for 4 parameters"):
        stats.fit_sidebands(np.full(30, 100.0), EDGES, fit_bins)


def test_toy_z_matches_asymptotic_z_at_large_b():
    z_toys = stats.significance_from_toys(480, 400.0, 10.0, n_toys=1_000_000, seed=1)
    z_asym = stats.significance(480, 400.0, 10.0)
    assert abs(z_toys - z_asym) < 0.1, (z_toys, z_asym)


def exact_pvalue(n, b, sigma):
    """P(q0(k) >= q0(n)) for k ~ Poisson(b + theta), theta ~ N(0, sigma) truncated to
    b + theta > 0: the Poisson sum over k integrated over theta by quadrature."""
    k = np.arange(0, 200)
    tail = k[[stats.q0_profile(kk, b, sigma) >= stats.q0_profile(n, b, sigma) * (1 - 1e-9)
              for kk in k]]
    norm = sps.norm.sf(-b / sigma, scale=sigma)
    return integrate.quad(lambda th: sps.norm.pdf(th, scale=sigma) * sps.poisson.pmf(tail, b + th).sum(),
                          -b, np.inf, epsabs=1e-12)[0] / norm


def test_toy_pvalue_matches_exact_computation_at_small_b():
    n_toys = 100_000
    p_toys = stats.pvalue_from_toys(9, 3.0, 0.5, n_toys=n_toys, seed=2)
    p_exact = exact_pvalue(9, 3.0, 0.5)
    err = np.sqrt(p_exact * (1 - p_exact) / n_toys)
    assert abs(p_toys - p_exact) < 3 * err, (p_toys, p_exact, err)
    assert stats.significance_from_toys(9, 3.0, 0.5, n_toys, seed=2) == pytest.approx(sps.norm.isf(p_toys))
    # Deterministic; no excess gives p = 1, Z = 0; the smallest p is 1 / (n_toys + 1).
    assert stats.pvalue_from_toys(9, 3.0, 0.5, 1000, seed=3) == stats.pvalue_from_toys(9, 3.0, 0.5, 1000, seed=3)
    assert stats.pvalue_from_toys(2, 3.0, 0.5, 1000, seed=3) == 1.0
    assert stats.significance_from_toys(2, 3.0, 0.5, 1000, seed=3) == 0.0
    assert stats.pvalue_from_toys(60, 3.0, 0.5, 1000, seed=3) == pytest.approx(1 / 1001)


def test_toy_z_under_the_null_is_calibrated_or_conservative():
    """n from the background-only model at b = 5: P(Z > 1) <= 0.16 (+ 3 standard errors):
    the Poisson discreteness makes the test conservative (Z > 1 needs n >= 8, P ~ 0.14)."""
    b, sigma, n_draws = 5.0, 1.0, 300
    rng = np.random.default_rng(9)
    theta = sps.truncnorm.rvs(-b / sigma, np.inf, scale=sigma, size=n_draws, random_state=rng)
    n = rng.poisson(b + theta)
    z = np.array([stats.significance_from_toys(k, b, sigma, 10_000, seed=i) for i, k in enumerate(n)])
    frac = np.mean(z > 1.0)
    assert 0.05 <= frac <= 0.16 + 3 * np.sqrt(0.16 * 0.84 / n_draws), frac


def test_signed_toy_z_is_negative_for_a_deficit():
    z = stats.signed_significance_from_toys(2, 10.0, 1.0, 10_000, seed=4)
    assert -3.0 < z < -2.0 and stats.signed_significance(2, 10.0, 1.0) < 0
    assert stats.signed_significance_from_toys(12, 10.0, 1.0, 10_000, seed=4) == \
        stats.significance_from_toys(12, 10.0, 1.0, 10_000, seed=4)


def injected_toy(seed, n_bkg=30_000, n_sig=400):
    """Background mjj (GeV) from the dijet function with uniform scores, plus a narrow signal
    at 3.5 TeV with scores in [0.9, 1): mjj, scores, in_sr, injected."""
    rng = np.random.default_rng(seed)
    mu = study_toy_mean()
    counts = rng.multinomial(n_bkg, mu / mu.sum())
    mjj = np.concatenate([rng.uniform(lo, hi, c) for lo, hi, c in zip(EDGES[:-1], EDGES[1:], counts)]
                         + [rng.normal(3500.0, 80.0, n_sig)])
    scores = np.r_[rng.random(n_bkg), rng.uniform(0.9, 1.0, n_sig)]
    injected = np.r_[np.zeros(n_bkg, bool), np.ones(n_sig, bool)]
    return mjj, scores, (mjj >= 3300.0) & (mjj < 3700.0), injected


EFFS = [1.0, 0.5, 0.1, 0.02]
#: Toys below b = 100 here (the default, 20, needs spectra of ~100 events whose fits often
#: fail), so that the 2% entry (b ~ 70) takes the toy branch.
TOYS = dict(z_toys_below=100.0, n_toys=2000)


def test_scan_thresholds_keep_a_fraction_of_all_sr_events():
    """A search does not know which events are background: each cut keeps the fraction eps
    of ALL SR events (injected signal included); the truth only reports what it kept."""
    import inspect
    defaults = inspect.signature(bump_hunt.scan).parameters
    assert defaults["z_toys_below"].default == 20.0 and defaults["n_toys"].default == 10_000
    mjj, scores, in_sr, injected = injected_toy(10)
    n_sr, n_bkg_sr = int(in_sr.sum()), int((in_sr & ~injected).sum())
    fits = bump_hunt.scan(mjj, scores, in_sr, EFFS, EDGES, STUDY_SR, injected=injected, **TOYS)
    for f, eff in zip(fits, EFFS):
        assert f["efficiency"] == eff and f["n_sr_events"] == n_sr
        assert f["n_sr_background"] == n_bkg_sr
        assert abs(f["efficiency_sr_total"] - eff) <= 1.0 / n_sr, f["efficiency_sr_total"]
        if eff < 1:     # the signal is signal-like: the cut keeps less of the background
            assert f["efficiency_sr_background"] < f["efficiency_sr_total"]
        assert f["converged"]
    assert fits[0]["efficiency_sr_total"] == 1.0
    assert [f["z_method"] for f in fits] == ["asymptotic"] * 3 + ["toys"], [f["b"] for f in fits]
    assert fits[-1]["b"] < 100 and fits[-1]["n_toys"] == 2000 and "n_toys" not in fits[-2]
    assert fits[2]["threshold"] == np.quantile(scores[in_sr], 0.9)


def test_selections_and_fits_do_not_depend_on_the_truth():
    """Shuffling the truth labels of SR events changes nothing a search would see: the
    thresholds, the selected spectra and every fit number are unchanged; only the
    truth-based report (background efficiency) moves."""
    mjj, scores, in_sr, injected = injected_toy(13)
    shuffled = injected.copy()
    sr_idx = np.nonzero(in_sr)[0]
    shuffled[sr_idx] = np.random.default_rng(1).permutation(injected[sr_idx])
    a = bump_hunt.scan(mjj, scores, in_sr, EFFS, EDGES, STUDY_SR, injected=injected, **TOYS)
    b = bump_hunt.scan(mjj, scores, in_sr, EFFS, EDGES, STUDY_SR, injected=shuffled, **TOYS)
    report = {"efficiency_sr_background", "n_sr_background"}
    for fa, fb in zip(a, b):
        assert {k: v for k, v in fa.items() if k not in report} == \
            {k: v for k, v in fb.items() if k not in report}
    assert any(fa["efficiency_sr_background"] != fb["efficiency_sr_background"]
               for fa, fb in zip(a[1:], b[1:]))


def test_residual_correction_pairs_equal_sr_fractions():
    mjj, scores, in_sr, injected = injected_toy(11)
    sig = bump_hunt.scan(mjj, scores, in_sr, EFFS, EDGES, STUDY_SR, injected=injected, **TOYS)
    bkg = bump_hunt.scan(mjj[~injected], scores[~injected], in_sr[~injected], EFFS, EDGES,
                         STUDY_SR, **TOYS)
    for s, b in zip(sig, bkg):
        assert abs(s["efficiency_sr_total"] - b["efficiency_sr_total"]) <= \
            1 / s["n_sr_events"] + 1 / b["n_sr_events"]
        assert s["converged"] and b["converged"]
        n = s["n_sr"] - (b["n_sr"] - b["b"])
        expect = (stats.significance_from_toys(n, s["b"], s["sigma"], 2000, s["toy_seed"])
                  if s["z_method"] == "toys" else stats.significance(n, s["b"], s["sigma"]))
        assert bump_hunt.residual_corrected(s, b) == expect
    assert bump_hunt.residual_corrected(sig[2], bkg[2]) > 3.0
    assert bump_hunt.residual_corrected(sig[2], {**bkg[2], "converged": False}) is None
    with pytest.raises(ValueError, match="different SR fractions"):
        bump_hunt.residual_corrected(sig[1], bkg[2])
    with pytest.raises(ValueError, match="SR events passing 0.1.* vs 0.2"):
        bump_hunt.residual_corrected(sig[2], {**bkg[2], "efficiency_sr_total": 0.2})


@pytest.mark.parametrize("counts", [np.r_[np.zeros(29), 5.0], np.r_[1.0, np.zeros(29)],
                                    np.zeros(30)])
def test_failed_fit_is_an_error(counts):
    """No silent numbers: spectra the dijet function cannot describe raise FitError."""
    with pytest.raises(stats.FitError):
        stats.fit_sidebands(counts, EDGES, ~SR)


def test_bad_starting_values_are_recovered_by_the_alternative_starts():
    rng = np.random.default_rng(6)
    truth = true_params(100_000)
    counts = rng.poisson(dijet_toys.expected_counts(EDGES, truth))
    good = stats.fit_sidebands(counts, EDGES, ~SR)
    bad = stats.fit_sidebands(counts, EDGES, ~SR, start=(1e4, -50.0, 30.0))
    assert bad.nll == pytest.approx(good.nll, abs=1e-6)
    assert bad.prediction(SR)[0] == pytest.approx(good.prediction(SR)[0], rel=1e-6)


def test_likelihood_derivatives_match_finite_differences_in_any_call_order():
    """The exact gradient and Hessian of the sideband likelihood, each asked for right after
    the likelihood was evaluated at another point (MIGRAD's order varies), against central
    differences of its value and against a fresh likelihood's: a quadrature cached for the
    wrong point would give that point's derivatives. The value equals the np.tensordot
    form it replaced, bit for bit."""
    rng = np.random.default_rng(3)
    counts = rng.poisson(dijet_toys.expected_counts(EDGES, true_params(50_000)))
    n = counts[~SR].astype(float)
    lik = stats._Likelihood(n, EDGES, ~SR, stats.SQRT_S)
    best = stats.fit_sidebands(counts, EDGES, ~SR).theta
    h = 1e-5
    for theta in (best, best + [0.05, -0.3, 0.2, 0.02], best - [0.1, 0.5, -0.4, 0.05]):
        numeric = np.array([(lik.nll(theta + h * e) - lik.nll(theta - h * e)) / (2 * h)
                            for e in np.eye(4)])
        numeric_h = np.array([(lik.grad(theta + h * e) - lik.grad(theta - h * e)) / (2 * h)
                              for e in np.eye(4)])
        fresh = stats._Likelihood(n, EDGES, ~SR, stats.SQRT_S)
        lik.nll(theta + 0.7)
        grad = lik.grad(theta)
        lik.nll(theta - 0.7)
        hessian = lik.hessian(theta)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(hessian, numeric_h, rtol=1e-4,
                                   atol=1e-4 * np.abs(numeric_h).max())
        assert np.array_equal(grad, fresh.grad(theta))
        assert np.array_equal(hessian, fresh.hessian(theta))
        mu = (np.exp(np.tensordot(theta, lik.g, axes=1)) * lik.w).sum(axis=1)
        lik.nll(theta + 0.3)
        assert lik.nll(theta) == float(np.sum(mu - n - n * np.log(mu) + lik.nlogn))


def test_a_fit_without_a_finite_minimum_gives_up_within_migrad_s_call_budget(monkeypatch):
    """One event in the sidebands: the deviance falls towards an infimum it never reaches
    along a flat direction, and no start converges. Each start stops after MIGRAD's own
    budget (680 calls a pass; iminuit repeats an invalid minimum with SIMPLEX and MIGRAD,
    each within that budget, up to 5 times, and the fit calls it once more): the five starts
    take 14,849 likelihood evaluations, bounded near 61,000 by those budgets; a budget of
    20,000 calls a pass took 227,369 (10 s)."""
    calls = []
    nll = stats._Likelihood.nll
    monkeypatch.setattr(stats._Likelihood, "nll", lambda self, t: calls.append(1) or nll(self, t))
    counts = np.zeros(30)
    counts[3] = 1.0
    with pytest.raises(stats.FitError, match="did not converge"):
        stats.fit_sidebands(counts, EDGES, ~SR)
    assert 0 < len(calls) < 75_000, len(calls)
