"""Statistics of the complementarity study (radflow.stats.complementarity) against hand
values and independent samples, and each statement of its summary on inputs where the
answer is known (holds, fails, undetermined); the summary end to end on fake files."""
import json

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
    # the one-ROC summary agrees with the metrics module's functions
    c = comp.classifier_summary(labels, s)
    assert c["max_sic"] == pytest.approx(comp.max_sic(labels, s), rel=1e-12)
    assert c["sic_at_rejection"] == pytest.approx(comp.sic_at_rejection(labels, s), rel=1e-12)
    assert c["auc"] == pytest.approx(comp.auc(labels, s), rel=1e-12)


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


# ------------------------------------------------------------------ summary statements

from radflow.stats import claims  # noqa: E402
from radflow.studies.complementarity import summary  # noqa: E402

PAIRS = [f"{a}|{b}" for i, a in enumerate(summary.METHODS) for b in summary.METHODS[i + 1:]]
GOOD = dict(max_sic={"salad": 14.6, "cathode": 14.0, "curtains": 15.3, "feta": 15.7,
                     "combined_samples": 14.7}, width={"combined_samples": 0.05},
            curve_offset=0.5, auc0={}, excess=0.03, r_bkg=0.2, r_sig=0.9, noise_ratio=0.95)


def variant_table(n_reps=5, noise=0.02, max_sic=None, width=None, curve_offset=0.5, auc0=None,
                  excess=0.03, r_bkg=0.2, r_sig=0.9, seed=0):
    """A hand-made :func:`summary.variant_table` at n_sig 0, 750 and 1500: max SIC per line
    (multiplicative noise ``noise`` per repetition; the same at every n_sig), relative widths
    (methods 0.15), the combined samples' SIC curve ``curve_offset`` above the methods' at
    750, single-run AUCs at n_sig = 0 (truth: 0.5 with sd 0.01), the top-5% excess overlap on
    background at n_sig = 0 and mean Pearson r at the largest n_sig (absolute noise
    ``noise``)."""
    rng = np.random.default_rng(seed)
    reps = list(range(n_reps))
    max_sic, auc0 = max_sic or GOOD["max_sic"], auc0 or {}
    width = GOOD["width"] if width is None else width
    ns = [0, 750, 1500]

    def per(value, rel=False):
        return {r: value * (1 + noise * rng.standard_normal()) if rel
                else value + noise * rng.standard_normal() for r in reps}

    def entry(p):
        return {"per_repetition": p, "spread": claims.spread(p.values())}

    t = {"n_sig": ns, "metrics": {}, "relative_width": {}, "auc_single_runs": {},
         "curves": {"signal_efficiency": comp.EFFICIENCY_GRID},
         "pearson": {"background": {1500: {}}, "signal": {1500: {}}},
         "top_p_overlap": {"p": comp.P_GRID, "background": {0: {}}}}
    base = 2.0 + comp.EFFICIENCY_GRID
    for line, v in max_sic.items():
        t["metrics"][line] = {n: {"max_sic": entry(per(v, rel=True))} for n in ns}
        t["relative_width"][line] = {n: per(width.get(line, 0.15)) for n in ns}
        off = curve_offset if line == "combined_samples" else 0.0
        t["curves"][line] = {750: {"sic_vs_efficiency": {"per_repetition": {
            r: base + off + noise * rng.standard_normal(len(base)) for r in reps}}}}
    for line in (*summary.METHODS, "truth"):
        a = auc0.get(line, 0.5)
        t["auc_single_runs"][line] = {r: a + 0.01 * rng.standard_normal(50) for r in reps}
    i = int(np.argmin(np.abs(comp.P_GRID - summary.P_AGREEMENT)))
    for k in PAIRS:
        t["top_p_overlap"]["background"][0][k] = {"excess_per_repetition": {
            r: np.where(np.arange(len(comp.P_GRID)) == i, x, 0.0) for r, x in per(excess).items()}}
        t["pearson"]["background"][1500][k] = entry(per(r_bkg))
        t["pearson"]["signal"][1500][k] = entry(per(r_sig))
    return t


def verdicts(st):
    return {k: v["verdict"] for k, v in st.items()}


def test_statements_hold_on_the_papers_picture():
    tables = {"nn": variant_table(), "hgb": variant_table(seed=1),
              "hgb_noise": variant_table(max_sic={m: 0.95 * v for m, v in GOOD["max_sic"].items()},
                                         seed=2),
              "nn_noise": variant_table(max_sic={m: 0.2 * v for m, v in GOOD["max_sic"].items()},
                                        seed=3)}
    st = summary.statements(tables)
    assert set(verdicts(st).values()) == {"holds"}, verdicts(st)
    assert set(st) == {*summary.PER_VARIANT, *(f"{k}_hgb" for k in summary.PER_VARIANT),
                       "trees_robust_to_noise_features"}
    assert "[common classifier: hgb]" in st["similar_performance_hgb"]["paper"]
    ratios = st["trees_robust_to_noise_features"]["measured"]["max_sic_ratio_noise_over_nominal"]
    assert ratios["nn"]["mean"] == pytest.approx(0.2, abs=0.02)
    # the paper's numbers stand beside ours
    assert st["similar_performance"]["measured"]["paper_max_sic"]["feta"] == 15.7
    # without the noise variants, no robustness statement
    assert "trees_robust_to_noise_features" not in summary.statements({"nn": variant_table()})


def test_statements_fail_against_the_paper():
    bad_sic = dict(GOOD["max_sic"], curtains=3.0, combined_samples=8.0)
    t = variant_table(max_sic=bad_sic, width={"combined_samples": 0.4}, curve_offset=-0.5,
                      auc0={"feta": 0.6}, excess=-0.05, r_bkg=0.8, r_sig=0.3)
    noisy = variant_table(max_sic={m: 0.3 * v for m, v in bad_sic.items()}, seed=2)
    st = summary.statements({"nn": t, "hgb": variant_table(max_sic=bad_sic, seed=1),
                             "hgb_noise": noisy})
    for key in summary.PER_VARIANT:
        assert st[key]["verdict"] == "fails", (key, st[key]["verdict"])
    assert st["trees_robust_to_noise_features"]["verdict"] == "fails"
    # each part alone makes its statement fail: the combination only below the best method
    st = summary.statements({"nn": variant_table(max_sic=dict(GOOD["max_sic"], combined_samples=8.0))})
    assert st["combined_samples_competitive_and_tighter"]["verdict"] == "fails"
    assert st["combination_beats_every_method"]["verdict"] == "holds"
    # ... or only with a wider spread than the methods
    st = summary.statements({"nn": variant_table(width={"combined_samples": 0.4})})
    assert st["combined_samples_competitive_and_tighter"]["verdict"] == "fails"
    # strong background correlation alone
    st = summary.statements({"nn": variant_table(r_bkg=0.8)})
    assert st["background_weak_signal_strong_correlation"]["verdict"] == "fails"


def test_statements_undetermined_within_their_errors():
    # Two noisy repetitions: t with one degree of freedom decides nothing near the bounds.
    t = variant_table(n_reps=2, noise=0.3, max_sic=dict(GOOD["max_sic"], curtains=7.5),
                      width={"combined_samples": 0.15}, curve_offset=0.0, auc0={"feta": 0.515},
                      excess=0.0, r_bkg=0.5, r_sig=0.5)
    st = summary.statements({"nn": t})
    assert set(verdicts(st).values()) == {"undetermined"}, verdicts(st)
    # One repetition: no error at all; the central value still leans.
    one = summary.statements({"nn": variant_table(n_reps=1)})
    assert set(verdicts(one).values()) == {"undetermined"}, verdicts(one)
    assert one["similar_performance"]["leans"] == "holds"
    # No truth-vs-truth runs: the spread is unknown.
    t = variant_table()
    del t["auc_single_runs"]["truth"]
    assert summary.statements({"nn": t})["auc_inside_truth_spread"]["verdict"] == "undetermined"


def test_statement_thresholds_by_hand():
    """The bounds as stated: a method at 0.45 of the median fails 'within 0.5-2x', at 0.6 holds;
    the truth band is the central 68% of the truth runs (the paper's spread)."""
    st = summary.statements({"nn": variant_table(max_sic=dict(GOOD["max_sic"], curtains=0.6 * 14.8),
                                                 noise=0.005)})
    assert st["similar_performance"]["verdict"] == "holds"
    st = summary.statements({"nn": variant_table(max_sic=dict(GOOD["max_sic"], curtains=0.45 * 14.8),
                                                 noise=0.005)})
    assert st["similar_performance"]["verdict"] == "fails"
    band = st["auc_inside_truth_spread"]["measured"]["truth_spread"]
    assert band["lo"] == pytest.approx(-0.01, abs=0.003) and band["hi"] == pytest.approx(0.01, abs=0.003)
    # a method 0.03 off in AUC (3 truth-band half-widths) lies outside it
    st = summary.statements({"nn": variant_table(auc0={"salad": 0.53}, noise=0.005)})
    assert st["auc_inside_truth_spread"]["verdict"] == "fails"


def test_summary_end_to_end_on_fake_files(tmp_path):

    import complementarity_summary
    from tests import complementarity_fakes as fakes

    paths = fakes.write(tmp_path / "results" / "complementarity", repetitions=3)
    out = tmp_path / "summary.json"
    complementarity_summary.main(["--scores", *paths["scores"], "--synthetic", *paths["synthetic"],
                                  "--multiclass", *paths["multiclass"], "--study", "complementarity",
                                  "--config-json",
                                  json.dumps({"studies": {"complementarity": {"features": list(fakes.FEATURES)}}}),
                                  "--output", str(out)])
    s = json.loads(out.read_text())
    assert s["variants"] == ["hgb", "hgb_noise", "nn", "nn_noise"] and s["primary_variant"] == "nn"
    nn = s["per_variant"]["nn"]
    assert nn["n_sig"] == [0, 750, 1500] and set(nn["metrics"]) == set(summary.LINES)
    # the fakes' signal term grows with n_sig: max SIC rises, AUC at n_sig = 0 is ~0.5
    m = nn["metrics"]["combined_scores"]
    assert m["0"]["max_sic"]["spread"]["mean"] < m["1500"]["max_sic"]["spread"]["mean"]
    assert abs(nn["metrics"]["truth"]["0"]["auc"]["spread"]["mean"] - 0.5) < 0.05
    # every single run at n_sig = 0: G x R = 2 x 4 per method and repetition, 1 x 4 for truth
    assert len(nn["auc_single_runs"]["cathode"]["0"]) == 8 and len(nn["auc_single_runs"]["truth"]["0"]) == 4
    assert len(nn["curves"]["feta"]["750"]["sic_vs_efficiency"]["band"]["median"]) == len(comp.EFFICIENCY_GRID)
    over = nn["top_p_overlap"]["signal"]["1500"]["all"]["excess_band"]["median"]
    assert len(over) == len(comp.P_GRID) and over[4] > 0.1          # signal: agreement at p = 5%
    # the KS table: SALAD's 2% mismodelled tau21_j1 stands out; mjj and the combination included
    ks = s["ks"]
    salad = ks["salad"]["tau21_j1"]
    assert salad["statistic"]["mean"] > 2 * ks["cathode"]["tau21_j1"]["statistic"]["mean"]
    assert all(salad["per_repetition"][r] > salad["critical_value_per_repetition"][r] for r in "012")
    assert set(ks) == {*summary.METHODS, "combined_samples"} and "mjj" in ks["feta"]
    assert ks["salad"]["tau21_j1"]["paper"] == 0.02229
    # multiclass: each model favours its own samples
    lp = s["multiclass"]["log_posterior"]
    assert all(lp[m][m]["mean"] > lp[m][o]["mean"] for m in summary.METHODS for o in summary.METHODS if o != m)
    assert set(s["repetition_seeds"]["seeds"]) == {"0", "1", "2"} and s["repetition_overlap"] == 0.5
    assert "trees_robust_to_noise_features" in s["statements"]
    for st in s["statements"].values():
        assert st["verdict"] in claims.VERDICTS and st["paper"] and st["criterion"]
    # noise collapses the fake NN, not the trees
    r = s["statements"]["trees_robust_to_noise_features"]["measured"]["max_sic_ratio_noise_over_nominal"]
    assert r["hgb"]["mean"] > 0.8 > 0.5 > r["nn"]["mean"]


def test_summary_names_bad_input(tmp_path):
    import h5py

    from radflow import h5io
    from tests import complementarity_fakes as fakes

    paths = fakes.write(tmp_path, n_sig=(0,), repetitions=1, variants=("nn",), noise_variants=False,
                        n_background=500, n_signal=100)
    p = paths["scores"][0]
    with h5py.File(p, "a") as f:
        f["score/feta"][0, 0, 3] = np.nan
    with pytest.raises(h5io.InputError, match=r"nsig0_rep0_nn_part0.h5.*score/feta.*1 non-finite"):
        summary.build([p])
    with h5py.File(p, "a") as f:
        del f["score/feta"]
    with pytest.raises(h5io.InputError, match=r"nsig0_rep0_nn_part0.h5: no dataset 'score/feta'"):
        summary.build([p])
    with h5py.File(p, "a") as f:
        f.attrs["ensemble"] = 3
        f.attrs["methods"] = ["salad", "cathode"]
    with pytest.raises(h5io.InputError, match="not a multiple of the ensemble size 3"):
        summary.build([p])


def test_scores_split_into_run_parts_summarize_as_one_job(tmp_path):
    """The same scores written by one classifier job and by jobs of one run each
    (classifier.runs_per_job) give the same summary; a missing part, runs that do not
    continue the previous part's and a part of another test set are errors naming the
    file."""
    import h5py

    from radflow import h5io
    from tests import complementarity_fakes as fakes

    kw = dict(n_sig=(0, 1500), repetitions=2, variants=("nn",), noise_variants=False,
              n_background=500, n_signal=100)
    whole = fakes.write(tmp_path / "whole", **kw)
    split = fakes.write(tmp_path / "split", runs_per_part=1, **kw)
    assert len(split["scores"]) == 4 * len(whole["scores"])
    a, b = summary.build(whole["scores"]), summary.build(split["scores"])
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    parts = sorted(p for p in split["scores"] if "/nsig0_rep0_nn_part" in p)
    with pytest.raises(h5io.InputError,
                       match="nsig0_rep0, classifier nn: no part 1 beside .*part3"):
        summary.build([p for p in split["scores"] if not p.endswith("nsig0_rep0_nn_part1.h5")])
    with h5py.File(parts[2], "a") as f:
        f.attrs["runs"] = [1, 3]
    with pytest.raises(h5io.InputError, match=r"part2.h5: attribute runs=\[1, 3\) does not "
                                              r"continue the previous parts' runs \[0, 2\)"):
        summary.build(parts)
    with h5py.File(parts[2], "a") as f:
        f.attrs["runs"] = [2, 3]
        f["is_signal"][0] = ~f["is_signal"][0]
    with pytest.raises(h5io.InputError, match="part2.h5: test set differs from .*part0.h5"):
        summary.build(parts)


def test_top_p_overlap_of_tied_independent_scores_is_random():
    """Scores that tie heavily (ten values, as boosted trees' leaf sums do) but are independent
    between two classifiers overlap like random scores: ties broken by event order would put
    the same tied events on top for both (overlap 1 at p = 0.05 here)."""
    rng = np.random.default_rng(5)
    n, p = 20000, 0.05
    a, b = rng.integers(0, 10, n), rng.integers(0, 10, n)
    a[:2000], b[:2000] = 9, 9        # one shared tie block on top of both score lists
    got = comp.top_p_overlap(np.stack([a, b]), p)
    # the top 1000 of each are drawn at random from its ~3800 events at 9, ~2180 of which are
    # at 9 in both: expected overlap (2180 / 3800) x (1000 / 3809) = 0.15 (binomial error
    # 0.011), not 1
    assert 0.12 < got < 0.18
