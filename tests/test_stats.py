"""Bump-hunt statistics: fits recover injected parameters, Z matches the asymptotic formula,
background-only coverage, KS behaviour. No networks."""
import numpy as np
import pytest

from radflow.stats import fit as stats

EDGES = np.linspace(2600.0, 5000.0, 31)             # SA-CWoLa paper: 2.6-5 TeV, 30 bins
SR = (EDGES[:-1] >= 3300.0) & (EDGES[1:] <= 3700.0)
TRUE = np.array([1.0, 8.0, 6.0, 0.3])


def true_params(n_total):
    p = TRUE.copy()
    p[0] = n_total / stats.expected_counts(EDGES, TRUE).sum()
    return p


def test_fit_recovers_injected_parameters():
    rng = np.random.default_rng(1)
    truth = true_params(200_000)
    mu = stats.expected_counts(EDGES, truth)
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
    mu = stats.expected_counts(EDGES, truth)
    b_true = mu[SR].sum()
    pulls = []
    for _ in range(20):
        b, sigma = stats.fit_sidebands(rng.poisson(mu), EDGES, ~SR).prediction(SR)
        assert sigma > 0
        pulls.append((b - b_true) / sigma)
    assert np.all(np.abs(pulls) < 3.5) and abs(np.mean(pulls)) < 0.7, pulls


@pytest.mark.parametrize("s,b", [(50.0, 1000.0), (10.0, 20.0), (300.0, 5e4)])
def test_z_matches_asymptotic_formula_for_known_background(s, b):
    assert stats.significance(s + b, b, 0.0) == pytest.approx(stats.asimov_z(s, b), rel=1e-10)
    assert stats.significance(s + b, b, 1e-6 * b) == pytest.approx(stats.asimov_z(s, b), rel=1e-4)
    # An uncertainty on b can only reduce Z; a deficit gives Z = 0.
    assert stats.significance(s + b, b, 0.1 * np.sqrt(b)) < stats.asimov_z(s, b)
    assert stats.significance(b - s, b, 0.0) == 0.0


def test_background_only_coverage():
    """Fraction of background-only pseudo-experiments with Z > 1: 0.16 +- 0.05 (200 toys)."""
    rng = np.random.default_rng(3)
    mu = stats.expected_counts(EDGES, true_params(100_000))
    z = []
    for _ in range(200):
        counts = rng.poisson(mu)
        b, sigma = stats.fit_sidebands(counts, EDGES, ~SR).prediction(SR)
        z.append(stats.significance(counts[SR].sum(), b, sigma))
    frac = np.mean(np.array(z) > 1.0)
    assert abs(frac - 0.16) < 0.05, frac


def test_injected_signal_gives_significance():
    rng = np.random.default_rng(4)
    mu = stats.expected_counts(EDGES, true_params(100_000))
    counts = rng.poisson(mu)
    counts[SR] += np.array([150, 250, 250, 150])[: SR.sum()]
    b, sigma = stats.fit_sidebands(counts, EDGES, ~SR).prediction(SR)
    assert stats.significance(counts[SR].sum(), b, sigma) > 3.0


def test_ks_pvalue_good_and_bad_fit():
    rng = np.random.default_rng(5)
    mu = stats.expected_counts(EDGES, true_params(100_000))
    counts = rng.poisson(mu)
    fit = stats.fit_sidebands(counts, EDGES, ~SR)
    assert stats.ks_pvalue(counts, fit.expected(), ~SR) > 0.01
    wrong = stats.expected_counts(EDGES, (1.0, 4.0, 6.0, 0.3))
    assert stats.ks_pvalue(counts, wrong, ~SR) < 1e-6


@pytest.mark.parametrize("counts", [np.r_[np.zeros(29), 5.0], np.r_[1.0, np.zeros(29)],
                                    np.zeros(30)])
def test_failed_fit_is_an_error(counts):
    """No silent numbers: spectra the dijet function cannot describe raise FitError."""
    with pytest.raises(stats.FitError):
        stats.fit_sidebands(counts, EDGES, ~SR)


def test_bad_starting_values_are_recovered_by_the_alternative_starts():
    rng = np.random.default_rng(6)
    truth = true_params(100_000)
    counts = rng.poisson(stats.expected_counts(EDGES, truth))
    good = stats.fit_sidebands(counts, EDGES, ~SR)
    bad = stats.fit_sidebands(counts, EDGES, ~SR, start=(1e4, -50.0, 30.0))
    assert bad.nll == pytest.approx(good.nll, abs=1e-6)
    assert bad.prediction(SR)[0] == pytest.approx(good.prediction(SR)[0], rel=1e-6)
