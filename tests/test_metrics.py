"""Metrics against hand computations, and the CWoLa / SA-CWoLa targets."""
import numpy as np
import pytest

from radflow.methods import cwola
from radflow.ml import metrics

# Hand example. Descending scores: .9 S, .7 B, .6 S, .5 B, .4 S, .3 S, .2 B, .1 B.
# ROC points (fpr, tpr): (0,0) (0,.25) (.25,.25) (.25,.5) (.5,.5) (.5,.75) (.5,1) (.75,1) (1,1).
LABELS = np.array([1, 1, 1, 1, 0, 0, 0, 0])
SCORES = np.array([0.9, 0.6, 0.4, 0.3, 0.7, 0.5, 0.2, 0.1])



def weighted_bce(labels, pred, weights) -> float:
    """sum_i w_i * BCE(y_i, p_i) / N: the weighted loss the ensembles minimize, Keras's
    convention, written out by hand."""
    p = np.clip(np.asarray(pred, float), 1e-7, 1 - 1e-7)
    y = np.asarray(labels, float)
    return float(np.sum(np.asarray(weights) * -(y * np.log(p) + (1 - y) * np.log(1 - p))) / len(y))

def test_roc_and_auc_by_hand():
    fpr, tpr, _ = metrics.roc_curve(LABELS, SCORES)
    np.testing.assert_allclose(fpr, [0, 0, .25, .25, .5, .5, .5, .75, 1])
    np.testing.assert_allclose(tpr, [0, .25, .25, .5, .5, .75, 1, 1, 1])
    # Pairs (s, b) with s > b: .9 -> 4, .6 -> 3, .4 -> 2, .3 -> 2: 11 of 16.
    assert metrics.roc_auc(LABELS, SCORES) == pytest.approx(11 / 16)
    assert metrics.roc_auc(LABELS, SCORES, np.ones(8)) == pytest.approx(11 / 16)


def test_tied_scores_share_their_mean_rank_and_count_half_in_the_auc():
    # Sorted: 1.0 (rank 1), three 2.0 (ranks 2-4, mean 3), 5.0 (rank 5), two 7.0 (6-7: 6.5).
    np.testing.assert_array_equal(metrics.midranks([7.0, 2.0, 5.0, 2.0, 1.0, 7.0, 2.0]),
                                  [6.5, 3, 5, 3, 1, 6.5, 3])
    assert np.isnan(metrics.midranks([1.0, np.nan, 0.5])).all()     # as scipy's rankdata
    assert np.isnan(metrics.roc_auc([1, 0, 1], [0.2, np.nan, 0.9]))
    # One signal and one background at every score: each pair is a tie, AUC 1/2.
    assert metrics.roc_auc([1, 0, 1, 0], [0.3, 0.3, 0.8, 0.8]) == pytest.approx(0.5)
    # S at .8 and .3, B at .8 and .1: pairs (.8,.8) 1/2, (.8,.1) 1, (.3,.8) 0, (.3,.1) 1.
    assert metrics.roc_auc([1, 0, 1, 0], [0.8, 0.8, 0.3, 0.1]) == pytest.approx(2.5 / 4)


def test_sic_fpr_at_50_and_rejection_by_hand():
    assert metrics.sic(0.5, 0.01) == pytest.approx(5.0)                 # eS / sqrt(eB)
    assert metrics.sic(0.5, 0.01, metrics.SIC_OFFSET) == pytest.approx(0.5 / np.sqrt(0.0101))
    # eS = 50% is first reached at eB = 25%.
    assert metrics.fpr_at_tpr(LABELS, SCORES, 0.5) == pytest.approx(0.25)
    assert metrics.sic_at_tpr(LABELS, SCORES, 0.5) == pytest.approx(1.0)
    assert metrics.sic_at_tpr(LABELS, SCORES, 0.5, offset=1e-4) == pytest.approx(0.5 / np.sqrt(0.25 + 1e-4))
    # eS = 62.5% lies halfway between (.5, .5) and (.5, .75): eB = 0.5.
    assert metrics.fpr_at_tpr(LABELS, SCORES, 0.625) == pytest.approx(0.5)
    # SALAD: max over every threshold, at (eB, eS) = (0, .25): .25 / sqrt(1e-4) = 25.
    assert metrics.max_sic_reliable(LABELS, SCORES, **metrics.SIC_DEFINITIONS["salad"])[0] \
        == pytest.approx(25.0)
    # Without an offset eB = 0 is excluded: (eB, eS) = (.25, .5) gives 1, (.5, .75) 1.06,
    # (.5, 1) 1.414, the largest.
    assert metrics.max_sic_reliable(LABELS, SCORES, min_background=0.0)[0] == pytest.approx(1 / np.sqrt(0.5))
    # Rejection 8 (eB = .125): between (0, .25) and (.25, .25) -> eS = .25.
    assert metrics.sic_at_rejection(LABELS, SCORES, 8) == pytest.approx(0.25 / np.sqrt(0.125))
    # Rejection 2 (eB = .5): the largest eS at eB = .5 is 1.
    assert metrics.sic_at_rejection(LABELS, SCORES, 2, offset=1e-4) == pytest.approx(1 / np.sqrt(0.5 + 1e-4))


def test_each_paper_has_its_sic():
    """SALAD's offset and no floor; CATHODE's floor and no offset (and SA-CWoLa and
    CWoLa-vs-AE with CATHODE's floor); classifier_summary applies the kind's definition."""
    d = metrics.SIC_DEFINITIONS
    assert d["salad"] == {"offset": 1e-4, "min_background": 0.0}
    for kind in ("cathode", "sacwola", "cwola_ae"):
        assert d[kind] == {"offset": 0.0, "min_background": pytest.approx(6.25)}
    labels = np.r_[np.ones(10, bool), np.zeros(100, bool)]
    scores = np.r_[np.arange(200, 210), np.arange(100)].astype(float)
    assert metrics.classifier_summary(labels, scores, "salad")["max_sic"] == pytest.approx(100.0)
    assert metrics.classifier_summary(labels, scores, "cathode")["max_sic"] == pytest.approx(1 / np.sqrt(0.07))


def test_truncated_mean_by_hand():
    assert metrics.truncated_mean([1.0, 2.0, 3.0, 100.0, -50.0]) == pytest.approx(2.0)
    v = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, -40.0]])
    np.testing.assert_allclose(metrics.truncated_mean(v, axis=0), [2.5, 15.0])
    with pytest.raises(ValueError):
        metrics.truncated_mean([1.0, 2.0])


def test_max_sic_reliable_skips_thresholds_with_too_few_background_events():
    """Hand computation: 10 signal above 100 background events. The tightest thresholds keep
    signal only (SIC = eS / 1e-2 would be huge); the first counted threshold keeps 7 background
    events (>= 6.25): all 10 signal pass there, SIC = 1 / sqrt(0.07)."""
    labels = np.r_[np.ones(10, bool), np.zeros(100, bool)]
    scores = np.r_[np.arange(200, 210), np.arange(100)].astype(float)
    value, eff_s, eff_b = metrics.max_sic_reliable(labels, scores)
    assert eff_b == pytest.approx(0.07) and eff_s == 1.0
    assert value == pytest.approx(1.0 / np.sqrt(0.07))
    # No floor, SALAD's offset: eB = 0 counts.
    assert metrics.max_sic_reliable(labels, scores, 0.0, 1e-4)[0] == pytest.approx(1.0 / np.sqrt(1e-4))


def test_max_sic_reliable_floor_picks_the_best_counted_threshold():
    """Hand computation with the maximum inside the curve. 20 background events (scores
    0..19) and 4 signal: two at 100, 101 (above every background) and two at 15.5, 10.5.
    Descending thresholds give (n_B, n_S): (0, 1), (0, 2), (1, 2), ..., (4, 2), (4, 3),
    (5, 3), ..., (9, 3), (9, 4), (10, 4), ... The floor 6.25 counts n_B >= 7 only: at n_B = 7
    and 8, eS = 3/4; at n_B = 9, eS = 1 -> SIC = 1 / sqrt(9/20 + 1e-4), the largest (n_B = 10
    has the same eS and more background). A floor of 2 events lets n_B = 4 at eS = 3/4 win:
    0.75 / sqrt(0.2) = 1.677 > 1 / sqrt(0.45) = 1.491. The offset is the one given."""
    labels = np.r_[np.ones(4, bool), np.zeros(20, bool)]
    scores = np.r_[[100.0, 101.0, 15.5, 10.5], np.arange(20.0)]
    value, eff_s, eff_b = metrics.max_sic_reliable(labels, scores)
    assert (eff_s, eff_b) == (1.0, pytest.approx(9 / 20))
    assert value == pytest.approx(1.0 / np.sqrt(0.45))
    value, eff_s, eff_b = metrics.max_sic_reliable(labels, scores, min_background=2)
    assert (eff_s, eff_b) == (0.75, pytest.approx(4 / 20))
    assert value == pytest.approx(0.75 / np.sqrt(0.2))
    assert metrics.max_sic_reliable(labels, scores, offset=1e-4)[0] == pytest.approx(1 / np.sqrt(0.45 + 1e-4))
    assert metrics.MIN_BACKGROUND == pytest.approx(6.25)
    with pytest.raises(ValueError):          # no threshold keeps 21 of 20 background events
        metrics.max_sic_reliable(labels, scores, min_background=21)

def test_cwola_region_weights():
    sr = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], bool)
    lo = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0], bool)
    hi = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bool)
    w = cwola.region_weights(sr, lo, hi)
    assert w.sum() == pytest.approx(10)
    assert w[sr].sum() == pytest.approx(w[lo].sum() + w[hi].sum())
    assert w[lo].sum() == pytest.approx(w[hi].sum())


def test_sa_cwola_lambda_zero_is_cwola():
    rng = np.random.default_rng(3)
    n = 1000
    is_sim = rng.random(n) < 0.5
    mjj = rng.uniform(3100, 3900, n)
    sr, lo, hi = (mjj >= 3300) & (mjj < 3700), mjj < 3300, mjj >= 3700
    pred = rng.random(n)
    y0, w0 = cwola.sa_cwola_targets(is_sim, sr, lo, hi, lam=0.0)
    wc = cwola.region_weights(sr[~is_sim], lo[~is_sim], hi[~is_sim])
    loss_cwola = weighted_bce(sr[~is_sim], pred[~is_sim], wc) * (~is_sim).sum() / n
    assert weighted_bce(y0, pred, w0) == pytest.approx(loss_cwola, rel=1e-12)
    # lambda = 0.5: the eq23 targets reproduce eq. 2.3 of the SA-CWoLa paper term by term
    # (region weights included), the flipped targets its label-flipped variant.
    ws = cwola.region_weights(sr[is_sim], lo[is_sim], hi[is_sim])
    log_f, log_1mf = np.log(pred), np.log(1 - pred)
    d_sr, s_sr = sr[~is_sim], sr[is_sim]
    data_term = -(wc * np.where(d_sr, log_f[~is_sim], log_1mf[~is_sim])).sum()
    sim_term = (ws * np.where(s_sr, log_f[is_sim], log_1mf[is_sim])).sum()
    flip_term = -(ws * np.where(s_sr, log_1mf[is_sim], log_f[is_sim])).sum()
    y1, w1 = cwola.sa_cwola_targets(is_sim, sr, lo, hi, lam=0.5)
    assert weighted_bce(y1, pred, w1) * n == pytest.approx(data_term + 0.5 * sim_term, rel=1e-12)
    y2, w2 = cwola.sa_cwola_targets(is_sim, sr, lo, hi, lam=0.5, form="flipped")
    assert weighted_bce(y2, pred, w2) * n == pytest.approx(data_term + 0.5 * flip_term, rel=1e-12)
    with pytest.raises(ValueError, match="unknown SA-CWoLa form"):
        cwola.sa_cwola_targets(is_sim, sr, lo, hi, lam=0.5, form="literal")
    np.testing.assert_array_equal(y2[is_sim], ~sr[is_sim])
