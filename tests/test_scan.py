"""Mass-hypothesis scan: windows, the empty-sideband error, the global p-value, the
Gross-Vitells estimate against toys of a known random field, the fast refit, and the whole
chain (k-fold CWoLa per window, thresholds, dijet fits) on a toy: background-only bootstrap
scans give distinct statistics, they are conservative for fresh background samples, a
strong signal is found in its window, the calibration check fails for a wrong ensemble and
not for a right one, the observed scan's selections do not read the truth labels; the
summary's statements, each holding and failing. Then the CI run's scan outputs and figures."""
import json

import numpy as np
import pytest
from scipy import stats as sps

from radflow import regions, studies
from radflow.config import ConfigError
from radflow.methods import mass_scan as scan_methods
from radflow.stats import claims, fit as stats
from radflow.studies.mass_scan import summary as scan_summary
from tests import dijet_toys
from radflow.stats import mass_scan as scan_stats

FIT_RANGE = (2600.0, 5000.0)


def test_windows_by_step_and_by_centre():
    wins = regions.scan_windows(FIT_RANGE, 20, 4, 2, step=2)
    edges = regions.log_bins(FIT_RANGE, 20)
    assert [w["first_sr_bin"] for w in wins] == [2, 4, 6, 8, 10, 12, 14]
    for w in wins:
        f = w["first_sr_bin"]
        assert w["signal_region"] == pytest.approx([edges[f], edges[f + 4]])
        np.testing.assert_allclose(w["sidebands"], [[edges[f - 2], edges[f]], [edges[f + 4], edges[f + 6]]])
        assert w["centre"] == pytest.approx(np.sqrt(edges[f] * edges[f + 4]))
    by_centre = regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[3500.0])
    assert by_centre[0]["signal_region"][0] < 3500.0 < by_centre[0]["signal_region"][1]
    with pytest.raises(ValueError, match="same window twice"):
        regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[3500.0, 3501.0])
    with pytest.raises(ValueError, match="outside the 20 bins"):
        regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[2650.0])


def test_window_with_empty_sideband_is_an_error_naming_it():
    wins = regions.scan_windows(FIT_RANGE, 20, 4, 2, step=4)
    mjj = np.random.default_rng(0).uniform(*FIT_RANGE, 5000)
    scan_stats.check_sidebands(mjj, wins, "data.h5")                       # all populated
    lo, hi = wins[2]["sidebands"][1]
    hole = mjj[(mjj < lo) | (mjj >= hi)]
    with pytest.raises(ValueError, match=rf"data.h5: scan window w2 .*upper sideband \[{lo:.0f}, "
                                         rf"{hi:.0f}\] GeV has no events"):
        scan_stats.check_sidebands(hole, wins, "data.h5")


def test_config_check_names_the_field(ci_config):
    cfg = json.loads(json.dumps(ci_config))
    studies.validate(cfg)
    cfg["studies"]["mass_scan"]["scan"]["windows"]["centres"] = [2650.0, 3500.0]
    with pytest.raises(ConfigError, match=r"studies.mass_scan.scan.windows.*outside"):
        studies.validate(cfg)
    cfg = json.loads(json.dumps(ci_config))
    cfg["studies"]["mass_scan"]["samples"] = {"data": "data", "signal": "sig_xy"}
    with pytest.raises(ConfigError, match=r"studies.mass_scan.samples.*role 'sim'"):
        studies.validate(cfg)


def test_global_pvalue_counts_and_bounds():
    toys = np.r_[np.arange(100) / 10.0, np.nan]
    g = scan_stats.global_pvalue(8.95, toys)
    assert (g["n_exceeding"], g["n_pseudo"], g["n_failed"]) == (10, 100, 1)
    assert g["pvalue"] == pytest.approx(0.1)
    assert g["pvalue_error"] == pytest.approx(np.sqrt(0.1 * 0.9 / 100))
    assert g["z"] == pytest.approx(sps.norm.isf(0.1))
    b = scan_stats.global_pvalue(20.0, toys)
    assert b["bound"] and b["pvalue"] == pytest.approx(0.01) and b["relative_error"] is None


def test_max_local_ignores_failed_fits():
    z = np.array([[[1.0, np.nan], [2.5, 0.0]], [[np.nan, np.nan], [np.nan, np.nan]]])
    t = scan_stats.max_local(z)
    assert t[0] == 2.5 and np.isnan(t[1])


def test_reference_pvalues_and_coverage_by_hand():
    toys = np.r_[np.arange(10.0), np.nan]
    p = scan_stats.reference_pvalues([9.5, 4.0, -1.0, np.nan], toys)
    assert p.tolist() == [0.0, 0.6, 1.0]                      # 0, 6 and 10 of 10 toys reach it
    cov = scan_stats.coverage(p, (0.05, 0.6))
    assert [(c["n_below"], c["n"]) for c in cov] == [(1, 3), (2, 3)]
    assert cov[0]["error"] == pytest.approx(np.sqrt(1 / 3 * 2 / 3 / 3))


def max_of_field(rng, n, shift=0.0):
    """Largest of 15 one-sided correlated Gaussian 'local Z' (a stand-in for a scan's
    statistic), (n,)."""
    base = rng.normal(size=(n, 1))
    return np.clip(0.6 * base + 0.8 * rng.normal(size=(n, 15)), 0, None).max(axis=1) + shift


def calibration_verdict(t_ref, t_toys):
    cal = scan_summary.calibration((np.asarray(t_ref)[:, None, None, None], 1.0), t_toys)
    return scan_summary._calibration_statement(cal)["verdict"]


def test_calibration_check_fails_for_shifted_toys_and_holds_for_right_ones():
    """At the default counts (4400 toys, 400 references): references drawn like the toys pass,
    toys whose statistic is shifted down by 0.5 (global p-values too small) fail. False-alarm
    rate of the check for a calibrated ensemble: the union over ALPHAS of the exact
    binomial probability of 'fails' (< 1e-4); power against a p-value 3x too small at alpha = 0.1:
    > 0.99."""
    rng = np.random.default_rng(17)
    toys, ref = max_of_field(rng, 4400), max_of_field(rng, 400)
    assert calibration_verdict(ref, toys) == claims.HOLDS
    assert calibration_verdict(ref, toys - 0.5) == claims.FAILS
    false_alarm = sum(scan_summary.coverage_verdict_probabilities(400, a, a)["fails"]
                      for a in scan_summary.ALPHAS)
    assert false_alarm < 1e-4
    assert scan_summary.coverage_verdict_probabilities(400, 0.1, 0.3)["fails"] > 0.99
    assert scan_summary.coverage_verdict_probabilities(400, 0.1, 0.1)["holds"] > 0.99


def test_gross_vitells_matches_toys_of_a_smooth_gaussian_field():
    """On a chi2(1)-type field (one-sided Z of a smooth Gaussian process over 60 windows) the
    upcrossing estimate at a high level agrees with the fraction of independent toys."""
    rng = np.random.default_rng(2)
    grid = np.arange(60)
    cov = np.exp(-0.5 * ((grid[:, None] - grid[None]) / 3.0) ** 2) + 1e-9 * np.eye(60)
    chol = np.linalg.cholesky(cov)
    field = np.clip(rng.normal(size=(40000, 60)) @ chol.T, 0, None)
    z_obs = 3.0
    p_true = np.mean(field.max(axis=1) >= z_obs)
    gv = scan_stats.gross_vitells(z_obs, field[:2000], level=1.0)
    assert gv["pvalue"] == pytest.approx(p_true, rel=0.25)
    assert gv["pvalue"] > 5 * gv["local_pvalue"]                 # a real look-elsewhere factor


def test_upcrossings_by_hand():
    z = np.array([[0.0, 2.0, 0.5, 1.5, np.nan, 0.2, 3.0]])
    # q = z^2 through 1: 0 -> 4 (up), 4 -> 0.25, 0.25 -> 2.25 (up), skip NaN, 2.25 -> 0.04, 0.04 -> 9 (up)
    assert scan_stats.upcrossings(z, 1.0).tolist() == [3]


def test_refit_finds_the_full_fit_minimum_on_bootstrap_spectra():
    rng = np.random.default_rng(3)
    edges = regions.log_bins(FIT_RANGE, 20)
    sr = np.zeros(20, bool)
    sr[8:12] = True
    mu = dijet_toys.expected_counts(edges, (1.0, 10.0, 5.0, 0.0))
    mu *= 5e4 / mu.sum()                                                  # 50k events
    ref = stats.fit_sidebands(rng.poisson(mu), edges, ~sr)
    for _ in range(20):
        counts = rng.poisson(mu)
        fast, full = stats.refit(counts, ref), stats.fit_sidebands(counts, edges, ~sr)
        b_fast, s_fast = fast.prediction(sr)
        b_full, s_full = full.prediction(sr)
        assert b_fast == pytest.approx(b_full, abs=0.05 * s_full)
        assert fast.nll <= full.nll + 1e-6


def toy_events(rng, n, signal=0, centre=3500.0):
    """Falling mjj (GeV) with two features independent of it; ``signal`` events at
    ``centre`` (2% width) with both features shifted by 3 standard deviations."""
    mjj = FIT_RANGE[0] * np.exp(rng.exponential(0.18, 3 * n))
    mjj = mjj[mjj < FIT_RANGE[1]][:n]
    x = rng.normal(size=(len(mjj), 2))
    if signal:
        mjj = np.r_[mjj, rng.normal(centre, 0.02 * centre, signal)]
        x = np.r_[x, rng.normal(3.0, 0.5, size=(signal, 2))]
    return x.astype(np.float32), mjj


def chain(x, mjj, mult, wins, effs, edges):
    """Train CWoLa per window for every scan row of ``mult`` and fit: local Z (T, W, E)."""
    scores = scan_methods.train_scores(x, mjj, mult, wins, ["cwola"], k=3, seed=5, hidden=[8],
                                       epochs=3, patience=2, batch_size=256, fit_range=FIT_RANGE)
    z = np.full((len(mult), len(wins), len(effs)), np.nan)
    for t in range(len(mult)):
        for w, win in enumerate(wins):
            for e, entry in enumerate(scan_stats.local_significance(
                    mjj, scores["cwola"][t, w], mult[t], win, effs, edges)):
                if entry["z"] is not None:
                    z[t, w, e] = entry["z"]
    return z


@pytest.fixture(scope="module")
def toy_scan():
    wins = regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[2950.0, 3200.0, 3500.0, 3850.0, 4250.0])
    edges = regions.log_bins(FIT_RANGE, 20)
    return wins, edges, (0.2, 0.05)


@pytest.fixture(scope="module")
def null_scans(toy_scan):
    """The chain on 40 fresh background-only toy samples (stacked as the scans of one run)
    and on 40 Poisson bootstrap pseudo-experiments of the first of them: local Z (40, W, E)
    each."""
    wins, edges, effs = toy_scan
    rng = np.random.default_rng(11)
    xs, ms = zip(*[toy_events(rng, 8000) for _ in range(40)])
    mult = np.zeros((40, sum(map(len, ms))), np.int64)
    for i, start in enumerate(np.cumsum([0, *map(len, ms)])[:-1]):
        mult[i, start:start + len(ms[i])] = 1                        # scan i = fresh sample i
    fresh = chain(np.concatenate(xs), np.concatenate(ms), mult, wins, effs, edges)
    boot = chain(xs[0], ms[0], rng.poisson(1.0, (40, len(ms[0]))), wins, effs, edges)
    return fresh, boot


def test_background_only_bootstrap_scans_are_distinct(null_scans):
    """Every fit of the bootstrap pseudo-experiments converges and no two share their
    statistic (ties: scans sharing their draws or their trainings)."""
    boot = null_scans[1]
    assert np.isfinite(boot).all()
    t = scan_stats.max_local(boot)
    assert len(np.unique(np.round(t, 6))) == len(t)


def test_bootstrap_pseudo_experiments_are_conservative_for_fresh_samples(null_scans):
    """docs/studies/mass_scan.md's statement on the bootstrap: its pseudo-experiments carry the parent
    sample's fluctuation on top of their own, so their local Z is wider than that of fresh
    background samples, and fresh samples' global p-values against them are conservative
    (larger than uniform), never anti-conservative."""
    fresh, boot = null_scans
    assert (fresh > 2).mean() < 0.06                                  # N(0, 1): 0.023
    assert (boot > 2).mean() > (fresh > 2).mean() + 0.02
    t_boot = scan_stats.max_local(boot)
    p_fresh = np.array([scan_stats.global_pvalue(t, t_boot)["pvalue"]
                        for t in scan_stats.max_local(fresh)])
    assert p_fresh.mean() > 0.5 and (p_fresh < 0.1).mean() <= 0.1


def test_strong_signal_is_found_in_its_window(toy_scan):
    wins, edges, effs = toy_scan
    x, mjj = toy_events(np.random.default_rng(6), 8000, signal=200)
    z = chain(x, mjj, np.ones((1, len(mjj)), np.int64), wins, effs, edges)[0]
    w, e = np.unravel_index(np.nanargmax(z), z.shape)
    assert wins[w]["signal_region"][0] < 3500.0 < wins[w]["signal_region"][1]
    assert z[w, e] > 5.0
    others = np.delete(z, w, axis=0)
    assert np.nanmax(others) < z[w, e] - 2.0


def test_calibration_on_the_toy_chain(null_scans):
    """The whole chain: the bootstrap pseudo-experiments of one background sample against 39
    fresh background samples (independent references) do not fail the calibration check
    (they are conservative); the same toys with their statistic shifted down by 2 (an
    anti-conservative ensemble) fail it."""
    fresh, boot = null_scans
    t_boot = scan_stats.max_local(boot)
    ref = fresh[1:, None]                                                 # (39, 1, W, E)
    right = scan_summary._calibration_statement(scan_summary.calibration((ref, 1.0), t_boot))
    wrong = scan_summary._calibration_statement(scan_summary.calibration((ref, 1.0), t_boot - 2.0))
    assert right["verdict"] != claims.FAILS and wrong["verdict"] == claims.FAILS


def test_observed_selections_do_not_read_the_truth(toy_scan):
    """Shuffling which SR events are labelled injected signal changes only the per-window
    counts by origin: thresholds, selected counts, fits and Z of every seed are identical.
    Two training seeds give different scans (independent trainings)."""
    wins, edges, effs = toy_scan
    x, mjj = toy_events(np.random.default_rng(8), 6000, signal=150)
    truth = np.r_[np.zeros(len(mjj) - 150, bool), np.ones(150, bool)]
    kw = {"seed": 3, "classifier": {"hidden": [8], "k": 3, "epochs": 2, "patience": 1,
                                    "batch_size": 256}, "fit_range": FIT_RANGE}
    a = scan_methods.observed_scan(x, mjj, truth, wins, ["cwola"], effs, edges, n_seeds=2, **kw)
    sr = regions.window_masks(mjj, wins[2])["sr"]
    shuffled = truth.copy()
    shuffled[sr] = np.random.default_rng(9).permutation(truth[sr])
    b = scan_methods.observed_scan(x, mjj, shuffled, wins, ["cwola"], effs, edges, n_seeds=2, **kw)
    keys = ("threshold", "n_sr", "b", "sigma", "z", "counts", "expected")
    assert [[[[[e.get(k) for k in keys] for e in w] for w in m] for m in s] for s in a["fits"]] == \
        [[[[[e.get(k) for k in keys] for e in w] for w in m] for m in s] for s in b["fits"]]
    assert a["n_sr_injected"][2] == b["n_sr_injected"][2] and a["ids"] == ["observed", "observed seed 1"]
    z = [[e["z"] for e in a["fits"][s][0][2]] for s in range(2)]
    assert z[0] != z[1]


def seed_record(window_index, p_toys=0.02, p_gv=0.025, bound=False):
    return {"index": 0, "window_index": window_index, "window": f"w{window_index}",
            "cross_check": {"toys": {"pvalue": p_toys, "bound": bound},
                            "gross_vitells": {"pvalue": p_gv}}}


def fake_summary(found=(2, 2, 2), n_toys=4400, below=(20, 40, 80), gv=(0.025, 0.026, 0.024)):
    """A summary holding what statements() reads: per seed the most significant window (the
    signal window is 2), the toy count, the references' counts below ALPHAS (of 400) and per
    seed the Gross-Vitells p-value against the toys' 0.02."""
    seeds = [seed_record(w, p_gv=g) for w, g in zip(found, gv)]
    cov = [{"alpha": a, "n_below": k, "n": 400, "fraction": k / 400,
            "error": np.sqrt(k / 400 * (1 - k / 400) / 400)} for a, k in zip(scan_summary.ALPHAS, below)]
    return {"observed": {"seeds": seeds, "max_local_z_spread": claims.robust([3.0, 3.2, 2.9])},
            "signal": {"window_index": 2, "window": "w2"},
            "global": {"pvalue_error": 0.002, "relative_error": 0.1,
                       "seed_spread": claims.robust([0.02, 0.03, 0.025])},
            "pseudo_experiments": {"n": n_toys, "required_for_10pct_at_z2": 4296},
            "calibration": {"n": 400, "coverage": cov, "ks_pvalue": 0.5, "rate": 1.67},
            "cross_check": {"method": "cwola", "efficiency": 0.02,
                            "toys": {"pvalue": 0.02, "pvalue_error": 0.002, "relative_error": 0.1,
                                     "bound": False},
                            "gross_vitells": {"pvalue": 0.025, "mean_upcrossings": 0.7}}}


def test_statements_hold_and_fail():
    good = scan_summary.statements(fake_summary())
    assert {k: s["verdict"] for k, s in good.items()} == dict.fromkeys(good, claims.HOLDS)
    bad = {"signal_window_most_significant": fake_summary(found=(0, 1, 3)),
           "global_pvalue_precise": fake_summary(n_toys=400),
           "pseudo_experiments_calibrated": fake_summary(below=(20, 120, 80)),
           "gross_vitells_agrees": fake_summary(gv=(0.002, 0.0021, 0.0019))}
    for key, s in bad.items():
        assert scan_summary.statements(s)[key]["verdict"] == claims.FAILS, key
    mixed = scan_summary.statements(fake_summary(found=(2, 2, 0)))
    assert mixed["signal_window_most_significant"]["verdict"] == claims.UNDETERMINED
    none = fake_summary()
    none["calibration"] = None
    assert scan_summary.statements(none)["pseudo_experiments_calibrated"]["verdict"] == \
        claims.UNDETERMINED


# The CI run (config/ci.yaml: 5 windows, CWoLa and SA-CWoLa, 20 pseudo-experiments).


def test_ci_scan_outputs(ci_run, ci_config):
    sc = ci_config["studies"]["mass_scan"]["scan"]
    s = json.loads((ci_run / "mass_scan" / "scan" / "summary.json").read_text())
    assert s["pseudo_experiments"]["n"] + s["global"]["n_failed"] == sc["pseudo_experiments"]
    assert len(s["windows"]) == len(sc["windows"]["centres"])
    assert set(s["local"]) == set(sc["methods"])
    for m in sc["methods"]:
        assert [[e["efficiency"] for e in w] for w in s["local"][m]] == \
            [sc["efficiencies"]] * len(s["windows"])
    g = s["global"]
    assert g["n_exceeding"] == sum(v is not None and v >= s["observed"]["max_local_z"]
                                   for v in s["pseudo_experiments"]["max_local_z"])
    assert s["pseudo_experiments"]["required_for_10pct_at_z2"] == 4296
    assert s["pseudo_experiments"]["enough"] is False                # 20 toys in CI
    assert set(s["statements"]) == {"signal_window_most_significant", "global_pvalue_precise",
                                    "pseudo_experiments_calibrated", "gross_vitells_agrees"}
    assert len(s["observed"]["seeds"]) == sc["observed_seeds"]
    assert s["calibration"]["n"] + s["calibration"]["n_failed"] == sc["reference_experiments"]
    obs = json.loads((ci_run / "mass_scan" / "scan" / "observed.json").read_text())
    sig = s["signal"]["window_index"]
    assert obs["windows"][sig]["n_sr_injected"] == max(w["n_sr_injected"] for w in obs["windows"]) > 0
    assert obs["n_data"] > obs["windows"][sig]["n_sr_data"] > 0
    for fid, name in (("S1", "scan_local_z"), ("S2", "scan_global"), ("S3", "scan_best_window")):
        for ext in ("pdf", "png"):
            assert (ci_run / "figures" / f"{fid}_{name}.{ext}").stat().st_size > 1000


def test_ci_toys_do_not_depend_on_the_block_size(ci_run, ci_config, tmp_path):
    """A pseudo-experiment's local Z comes from its own seeds: rerunning toys 5..9 alone
    gives the numbers of the block 0..9 (to float rounding: batched matrix products of a
    5- and a 10-scan ensemble round differently, which moves a Z by ~1e-3; a seed tied to
    the position in the block would move it by O(1))."""
    import subprocess
    import sys
    from tests.conftest import REPO

    st = ci_config["studies"]["mass_scan"]
    blocks = json.loads((ci_run / "mass_scan" / "scan" / "toys0.json").read_text())
    cfg = {"seed": ci_config["seed"], "studies": {"mass_scan": {
        k: st[k] for k in ("features", "fit_range")} | {"scan": {**st["scan"], "lambda": 0.5}}}}
    cfg["studies"]["mass_scan"]["scan"]["windows"] = {**st["scan"]["windows"], "step": 1}
    out = tmp_path / "toys.json"
    subprocess.run([sys.executable, str(REPO / "scripts" / "mass_scan.py"), "--config-json",
                    json.dumps(cfg), "--study", "mass_scan", "--data",
                    str(ci_run / "features" / "data.h5"), str(ci_run / "mass_scan" / "regions" / "data.h5"),
                    "--sim", str(ci_run / "features" / "sim.h5"), str(ci_run / "mass_scan" / "regions" / "sim.h5"),
                    "--injection", str(next((ci_run / "mass_scan" / "inject").glob("nsig*_rep0.h5"))),
                    "--toys", "5:10", "--output", str(out)], check=True, capture_output=True)
    alone = json.loads(out.read_text())
    assert alone["toy_ids"] == list(range(5, 10))
    np.testing.assert_allclose(np.array(alone["z"], float), np.array(blocks["z"][5:10], float),
                               atol=0.02)


def test_region_weights_of_a_block_equal_those_of_each_scan():
    """The block's CWoLa weights (T, N) are, row by row, the single scan's: SR total = SB
    total, sidebands equal, total = the window's weighted count, times the multiplicity
    (by hand for the first row); a scan without SR events gets weight 0 there."""
    sr = np.array([1, 1, 0, 0, 0, 0, 0], bool)
    lo = np.array([0, 0, 1, 1, 0, 0, 0], bool)
    hi = np.array([0, 0, 0, 0, 1, 0, 0], bool)
    masks = {"sr": sr, "sb_low": lo, "sb_high": hi}
    mult = np.array([[1, 2, 1, 0, 1, 3, 0], [0, 0, 2, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]])
    block = scan_methods.region_weights(masks, mult)
    # Row 0: n = 5 window events; SR 3 of them get 2.5 in all, each sideband 1.25.
    np.testing.assert_allclose(block[0], [2.5 / 3, 5 / 3, 1.25, 0, 1.25, 0, 0])
    for row, w in zip(mult, block):
        ref = np.zeros(len(row))
        n = row[sr | lo | hi].sum()
        for m, share in ((sr, 0.5), (lo, 0.25), (hi, 0.25)):
            if row[m].sum() > 0:
                ref[m] = share * n / row[m].sum() * row[m]
        np.testing.assert_array_equal(w, ref)
        np.testing.assert_array_equal(scan_methods.region_weights(masks, row), ref)


def test_member_values_gather_each_members_own_row():
    """Per-epoch batch weights gathered member by member equal the direct (M, N) gather."""
    from radflow.ml import ensemble

    rng = np.random.default_rng(2)
    a = rng.normal(size=(4, 50)).astype(np.float32)
    idx = rng.integers(0, 50, (3, 4, 8))
    direct = np.stack([a[np.arange(4)[:, None], idx[s]] for s in range(3)])
    np.testing.assert_array_equal(ensemble.member_values(a, idx), direct)


def test_padded_rows_by_hand():
    """Each member's rows in ascending order, padded with index 0 and real 0."""
    from radflow.ml import ensemble

    idx, real = ensemble._padded_rows(np.array([[0, 1, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1]], bool))
    assert idx.tolist() == [[1, 2, 0, 0], [3, 0, 0, 0], [0, 1, 2, 3]]
    assert real.tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1]]


def test_shared_and_per_member_training_weights_train_alike():
    """Training weights (N,) shared by the members and the same weights as an (M, N) array
    (gathered per member for each epoch) give the same validation losses; weighting
    one member's signal-like events 3 times changes only that member's losses."""
    from radflow.ml import ensemble

    rng = np.random.default_rng(6)
    x = rng.normal(size=(600, 3)).astype(np.float32)
    y = (x[:, 0] + rng.normal(size=600) > 0).astype(np.float32)
    w = rng.uniform(0.5, 2.0, 600).astype(np.float32)
    w_val = np.where(np.arange(600) % 5 == 0, 1.0, 0.0).astype(np.float32)
    w_tr = np.where(w_val > 0, 0.0, w).astype(np.float32)
    kw = dict(epochs=3, patience=3, batch_size=64, member_seeds=[1, 2])
    arch = scan_methods.architecture([8])
    shared = ensemble.train_ensemble(x, y, arch, 2, 3, w_tr, w_val, **kw)
    per_member = ensemble.train_ensemble(x, y, arch, 2, 3, np.stack([w_tr, w_tr]), w_val, **kw)
    np.testing.assert_array_equal(shared.val_loss, per_member.val_loss)
    tilted = np.where(y > 0, 3 * w_tr, w_tr).astype(np.float32)
    other = ensemble.train_ensemble(x, y, arch, 2, 3, np.stack([w_tr, tilted]), w_val, **kw)
    np.testing.assert_array_equal(other.val_loss[:, 0], shared.val_loss[:, 0])
    assert np.abs(other.val_loss[:, 1] - shared.val_loss[:, 1]).max() > 3e-3


def test_scan_spectra_are_the_weighted_histograms():
    """The selected spectra of local_significance (keep_fits) are the multiplicity-weighted
    histograms of the selected events: an event on the last edge counts in the last bin, one
    outside the edges nowhere, an event of multiplicity 0 nowhere."""
    rng = np.random.default_rng(8)
    wins = regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[3500.0])
    edges = regions.log_bins(FIT_RANGE, 20)
    x, mjj = toy_events(rng, 20000)
    mjj = np.r_[mjj, FIT_RANGE[1], FIT_RANGE[0] - 10.0, FIT_RANGE[1] + 10.0]
    scores = np.r_[x[:, 0], 5.0, 5.0, 5.0]
    mult = rng.poisson(1.0, len(mjj))
    mult[-3:] = [2, 1, 1]
    entries = scan_stats.local_significance(mjj, scores, mult, wins[0], [1.0, 0.2], edges,
                                            keep_fits=True)
    for entry in entries:
        sel = scores >= entry["threshold"]
        ref = np.histogram(mjj[sel], bins=edges, weights=mult[sel])[0]
        assert ref[-1] >= 2                                       # the edge event, twice
        assert entry["counts"] == ref.tolist()


def test_block_scores_equal_each_scan_trained_alone(monkeypatch):
    """A block of bootstrap scans, trained as ensembles of 2 scans and 1, gives each scan the
    scores it gets alone (its members' seeds come from its id; float rounding of the batched
    products aside), NaN exactly where its multiplicity is 0, for every window."""
    monkeypatch.setattr(scan_methods, "SCANS_PER_ENSEMBLE", 2)
    rng = np.random.default_rng(4)
    x, mjj = toy_events(rng, 3000)
    wins = regions.scan_windows(FIT_RANGE, 20, 4, 2, centres=[3000.0, 3600.0])
    mult = rng.poisson(1.0, (3, len(mjj)))
    kw = dict(k=3, seed=5, hidden=[8], epochs=2, patience=2, batch_size=256,
              fit_range=FIT_RANGE)
    block = scan_methods.train_scores(x, mjj, mult, wins, ["cwola"], scan_ids=[7, 8, 9], **kw)
    for t, sid in enumerate([7, 8, 9]):
        alone = scan_methods.train_scores(x, mjj, mult[t:t + 1], wins, ["cwola"],
                                          scan_ids=[sid], **kw)
        for w in range(len(wins)):
            assert (np.isnan(block["cwola"][t, w]) == (mult[t] == 0)).all()
            np.testing.assert_allclose(block["cwola"][t, w], alone["cwola"][0, w], atol=1e-5)
        np.testing.assert_array_equal(block["best_epoch"][t], alone["best_epoch"][0])
