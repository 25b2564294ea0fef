"""Statistics of the complementarity study (radflow.stats.complementarity) against hand
values and independent samples, and each statement of its summary on inputs where the
answer is known (holds, fails, undetermined); the summary end to end on fake files."""
import numpy as np
import pytest

from radflow.ml import metrics
from radflow.stats import complementarity as comp


def test_ensembled_shapes_and_means_by_hand():
    scores = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3)
    ens = comp.ensembled(scores, 2)
    assert ens.shape == (2, 2, 3) and ens.dtype == np.float64
    # generator 1, second group: runs 2 and 3 of generator 1 -> (18 + 21) / 2 for event 0
    assert ens[1, 1, 0] == (scores[1, 2, 0] + scores[1, 3, 0]) / 2 == 19.5
    assert np.array_equal(comp.ensembled(scores, 4)[:, 0], scores.mean(axis=1))
    assert np.array_equal(comp.ensembled(scores, 1), scores)
    with pytest.raises(ValueError, match="not a multiple"):
        comp.ensembled(scores, 3)
    with pytest.raises(ValueError, match=r"\(G, R, N\)"):
        comp.ensembled(scores[0], 2)


def test_score_mean_of_identical_scores_reproduces_the_single_roc():
    rng = np.random.default_rng(3)
    labels = np.r_[np.zeros(5000, bool), np.ones(500, bool)]
    s = np.r_[rng.normal(0, 1, 5000), rng.normal(1, 1, 500)].astype(np.float32)
    mean = comp.score_combination([s, s, s, s])
    for a, b in zip(metrics.roc_curve(labels, s), metrics.roc_curve(labels, mean)):
        assert np.array_equal(a, b)
    assert comp.auc(labels, mean) == comp.auc(labels, s)
    assert comp.max_sic(labels, mean) == comp.max_sic(labels, s)
    # a different method's scores change it: the mean is not just the first array
    other = rng.permutation(s)
    assert comp.auc(labels, comp.score_combination([s, other])) != comp.auc(labels, s)
    with pytest.raises(ValueError, match="different shapes"):
        comp.score_combination([s, s[:10]])


def test_sample_weights_give_each_method_a_quarter():
    rng = np.random.default_rng(4)
    salad = rng.lognormal(0.0, 0.5, 1000)                  # non-uniform DCTR weights
    w = comp.sample_combination_weights([salad, 4000, 2500, 6000])
    total = sum(x.sum() for x in w)
    assert total == pytest.approx(1000 + 4000 + 2500 + 6000)
    for x in w:
        assert x.sum() == pytest.approx(total / 4, rel=1e-12)
    # SALAD's own weights are multiplied in: ratios between its events are kept
    assert w[0] / salad == pytest.approx(np.full(1000, w[0][0] / salad[0]))
    assert np.ptp(w[1]) == 0 and w[1][0] == pytest.approx(total / 4 / 4000)
    with pytest.raises(ValueError, match="method 1"):
        comp.sample_combination_weights([salad, np.array([1.0, -1.0])])


def test_max_sic_floor_by_hand():
    """20 background, 10 signal events: 4 signal on top, one background, 6 signal, the rest.
    Unfloored, the max is 1 / sqrt(1/20) = 4.47 at one background event; the floor (6.25
    events: at least 7 of 20) leaves eS = 1, eB = 7/20."""
    scores = np.r_[[10, 9, 8, 7], 6.5, [6, 5.9, 5.8, 5.7, 5.6, 5.5], np.linspace(5, 0, 19)]
    labels = np.r_[np.ones(4), 0, np.ones(6), np.zeros(19)].astype(bool)
    unfloored = metrics.max_sic_reliable(labels, scores, min_background=0.0)[0]
    assert unfloored == pytest.approx(1 / np.sqrt(1 / 20))
    assert comp.max_sic(labels, scores) == pytest.approx(1 / np.sqrt(7 / 20))
    # The curves carry the floor too: eS = 0.4 and 1 are reached at one background event.
    vs_eff, vs_rej = comp.sic_curves(labels, scores, [0.4, 1.0], [20 / 7, 20.0])
    assert np.isnan(vs_eff).all()
    assert vs_rej[0] == pytest.approx(1 / np.sqrt(7 / 20)) and np.isnan(vs_rej[1])


def test_sic_curves_match_the_metrics_module():
    rng = np.random.default_rng(5)
    labels = np.r_[np.zeros(3000, bool), np.ones(600, bool)]
    s = np.round(np.r_[rng.normal(0, 1, 3000), rng.normal(1, 1, 600)], 1)   # ties
    vs_eff, vs_rej = comp.sic_curves(labels, s)
    ok = ~np.isnan(vs_eff)
    assert ok.sum() > 40
    assert np.allclose(vs_eff[ok], [metrics.sic_at_tpr(labels, s, t) for t in comp.EFFICIENCY_GRID[ok]])
    ok = ~np.isnan(vs_rej)
    assert np.allclose(vs_rej[ok], [metrics.sic_at_rejection(labels, s, r) for r in comp.REJECTION_GRID[ok]])
    # the floor: 6.25 of 3000 background events is rejection 480
    assert np.array_equal(ok, comp.REJECTION_GRID <= 3000 / 6.25)
    assert comp.sic_at_rejection(labels, s) == metrics.sic_at_rejection(labels, s, 1e3)


def test_top_p_overlap_of_independent_scores_is_random():
    rng = np.random.default_rng(6)
    n = 200_000
    a, b, c, d = rng.random((4, n))
    p = np.array([0.01, 0.05, 0.2, 0.5])
    n_top = np.round(p * n)
    pair = comp.top_p_overlap([a, b], p)
    # |A and B| / n_top is hypergeometric: mean p, sd <= sqrt(p (1 - p) / n_top)
    assert np.all(np.abs(pair - p) < 4 * np.sqrt(p * (1 - p) / n_top)), pair - p
    four = comp.top_p_overlap([a, b, c, d], p)
    base = comp.random_overlap(p, 4)
    assert np.allclose(base, p ** 3)
    assert np.all(np.abs(four - base) < 4 * np.sqrt(base * (1 - base) / n_top) + 1 / n_top), four - base
    # identical scores agree on every event; correlated ones beyond random
    assert np.array_equal(comp.top_p_overlap([a, a, a], p), np.ones(4))
    corr = comp.top_p_overlap([a + 0.3 * b, a + 0.3 * c], p)
    assert np.all(corr - p > 10 * np.sqrt(p * (1 - p) / n_top))
    table = comp.overlap_table({"x": a, "y": a, "z": b}, p)
    assert set(table) == {"x|y", "x|z", "y|z", "all"}
    assert np.allclose(table["x|y"]["excess"], 1 - p)
    assert np.allclose(table["all"]["excess"], table["x|z"]["overlap"] - p ** 2)


def test_top_p_overlap_by_hand():
    a = np.array([5.0, 4, 3, 2, 1, 0, -1, -2, -3, -4])
    b = np.array([5.0, -4, 3, 2, -1, 0, 1, -2, -3, 4])
    # top 3 of a: events 0, 1, 2; of b: 0, 9, 2 -> 2 of 3 shared
    assert comp.top_p_overlap([a, b], 0.3) == pytest.approx(2 / 3)
    assert comp.top_p_overlap([a, b], 0.01) == 1.0          # at least one event: event 0
    with pytest.raises(ValueError, match="k >= 2"):
        comp.top_p_overlap([a], 0.1)


def test_pearson_and_standardized():
    rng = np.random.default_rng(7)
    a, b = rng.normal(3, 2, (2, 50_000))
    z = comp.standardized(a)
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1)
    assert comp.pearson(a, 2 * a + 1) == pytest.approx(1.0)
    assert abs(comp.pearson(a, b)) < 4 / np.sqrt(50_000)
    assert comp.pearson(a, a + b) == pytest.approx(1 / np.sqrt(2), abs=0.01)
    with pytest.raises(ValueError, match="constant"):
        comp.pearson(a, np.ones_like(a))


def test_ks_table_by_hand_and_on_samples():
    # ECDFs of [1, 2, 3, 4] and [3, 4, 5, 6] differ most at t in [2, 3): 0.5 - 0
    t = comp.ks_table({"x": np.array([1.0, 2, 3, 4])}, None, {"x": np.array([3.0, 4, 5, 6])})
    assert t["x"]["statistic"] == 0.5
    # weights 3:1 on [1, 2] vs unweighted [1, 2]: F(1) = 3/4, G(1) = 1/2
    assert comp.weighted_ks([1.0, 2.0], [3.0, 1.0], [1.0, 2.0]) == pytest.approx(0.25)
    rng = np.random.default_rng(8)
    x = rng.normal(size=20_000)
    same = comp.ks_table({"x": x, "m": x + 3}, np.ones(20_000), {"x": x, "m": x + 3})
    assert same["x"]["statistic"] == 0.0 and same["x"]["pvalue"] == 1.0
    y = rng.normal(0.5, 1, 20_000)
    shifted = comp.ks_table({"x": x}, None, {"x": y})["x"]
    # a half-sigma shift: sup |Phi(t) - Phi(t - 0.5)| = 2 Phi(0.25) - 1 = 0.197
    assert shifted["statistic"] == pytest.approx(0.197, abs=0.015)
    assert shifted["statistic"] > 10 * shifted["critical_value"] and shifted["pvalue"] < 1e-10
    assert shifted["critical_value"] == pytest.approx(1.358 * np.sqrt(2 / 20_000), rel=1e-3)
    # weights that undo a reweightable difference: x reweighted to y's density
    w = np.exp(0.5 * x - 0.125)
    assert comp.ks_table({"x": x}, w, {"x": y})["x"]["statistic"] < 3 * shifted["critical_value"]
    assert comp.effective_size(w) < 20_000
    with pytest.raises(ValueError, match="'m' missing from the truth"):
        comp.ks_table({"x": x, "m": x}, None, {"x": y})


def test_band_by_hand():
    b = comp.band(np.arange(1.0, 102.0))
    assert (b["median"], b["p16"], b["p84"]) == (51.0, 17.0, 85.0)
    b = comp.band([[1.0, np.nan], [3.0, np.nan]], axis=0)
    assert b["median"][0] == 2.0 and np.isnan(b["median"][1])
