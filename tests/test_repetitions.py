"""Repetitions are independent experiments: each draws its own background events from the
pool, its own train/test split and its own signal; the draws are seeded from the config and
recorded; the inject file is the one place they are made. Synthetic samples, no workflow
run."""
import json

import numpy as np
import pytest

from radflow import config as cfgmod, h5io, inject, regions, studies
from radflow.seeds import derive_seed
from radflow.stats import claims
from scripts import inject as inject_script

SEED = 11
#: A fixed-count study as config/config.yaml's SA-CWoLa (GeV).
STUDY = {"fit_range": [2600.0, 5000.0], "signal_region": [3300.0, 3700.0],
         "sidebands": [[3100.0, 3300.0], [3700.0, 3900.0]], "alpha": 0.0, "test_fraction": 0.5,
         "injection": {"n_signal": 1500, "reference_events": 1.0e+6, "scaling": "sqrt",
                       "repetitions": 2, "background_fraction": 0.5}}
SAMPLES = {"data": ("data", 6000), "sim": ("sim", 5000), "signal": ("sig_xy", 2000)}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """{role: (features.h5, regions.h5)} of synthetic samples, mjj uniform in the fit range."""
    out, rng = {}, np.random.default_rng(0)
    d = tmp_path_factory.mktemp("samples")
    for role, (name, n) in SAMPLES.items():
        feats = {"mjj": rng.uniform(2600.0, 5000.0, n), "mj1": rng.uniform(100, 600, n),
                 "mj2": rng.uniform(20, 100, n), "label": np.full(n, int(role == "signal")),
                 "event": np.arange(n, dtype=float)}
        h5io.write_columns(d / f"{name}_features.h5", feats)
        h5io.write_columns(d / f"{name}_regions.h5", regions.region_columns(feats, STUDY))
        out[role] = (d / f"{name}_features.h5", d / f"{name}_regions.h5")
    return out


def run_inject(samples, injection, out, study=STUDY):
    args = ["--config-json", json.dumps({"seed": SEED, "studies": {"sacwola": study}}),
            "--study", "sacwola", "--injection", injection, "--output", str(out)]
    for role, (name, _) in SAMPLES.items():
        args += ["--regions", role, name, str(samples[role][1])]
    inject_script.main(args)
    return {role: inject.load_repetition(*samples[role], out, role, ["event"])
            for role in SAMPLES}


@pytest.fixture(scope="module")
def reps(samples, tmp_path_factory):
    d = tmp_path_factory.mktemp("inject")
    return {r: run_inject(samples, f"nsig1500_rep{r}", d / f"rep{r}.h5") for r in (0, 1)}, d


def test_two_repetitions_draw_different_background_splits_and_signal(reps):
    rep, _ = reps
    for role in ("data", "sim"):
        a, b = (set(rep[r][role]["event"].astype(int)) for r in (0, 1))
        assert a != b
        n_pool = SAMPLES[role][1]
        # Each keeps ~half of the pool; two share ~a quarter of the pool (overlap f = 0.5).
        assert abs(len(a) / n_pool - 0.5) < 0.05
        assert abs(len(a & b) / len(a) - 0.5) < 0.05
        # The split of the events both use differs.
        common = np.intersect1d(rep[0][role]["index"], rep[1][role]["index"])
        t0, t1 = (rep[r][role]["test"][np.isin(rep[r][role]["index"], common)] for r in (0, 1))
        assert (t0 != t1).mean() > 0.3
    s0, s1 = rep[0]["signal"], rep[1]["signal"]
    assert (s0["test"] != s1["test"]).any()
    assert (s0["injected"] != s1["injected"]).any() and s0["injected"].sum() > 0


def test_a_repetition_is_a_valid_subsample(reps):
    rep, _ = reps
    for r in (0, 1):
        for role, (_, n_pool) in SAMPLES.items():
            p = rep[r][role]
            idx = p["index"]
            assert len(np.unique(idx)) == len(idx) and idx.min() >= 0 and idx.max() < n_pool
            np.testing.assert_array_equal(p["event"], idx)       # rows are those pool events
            train, test = set(idx[~p["test"]]), set(idx[p["test"]])
            assert not train & test and len(train) + len(test) == len(idx)
        sig = rep[r]["signal"]
        assert len(sig["index"]) == SAMPLES["signal"][1]          # the signal is never thinned
        assert not (sig["injected"] & sig["test"]).any()
        assert not (sig["injected_test"] & ~sig["test"]).any()
        assert (rep[r]["data"]["quarter"] == np.where(rep[r]["data"]["test"], -1, 0)).all()


def test_same_config_gives_the_same_draws_and_records_the_seeds(samples, reps, tmp_path):
    rep, d = reps
    again = run_inject(samples, "nsig1500_rep1", tmp_path / "again.h5")
    for role in SAMPLES:
        for k in ("index", "test"):
            np.testing.assert_array_equal(again[role][k], rep[1][role][k])
    np.testing.assert_array_equal(again["signal"]["injected"], rep[1]["signal"]["injected"])
    seeds = inject.repetition_seeds(d / "rep1.h5")
    assert seeds["rep"] == 1 and seeds["background_fraction"] == 0.5
    s = seeds["seeds"]
    assert s["background"] == {"data": derive_seed(SEED, "background", "data", 1),
                               "sim": derive_seed(SEED, "background", "sim", 1)}
    assert s["split"]["signal"] == derive_seed(SEED, "split", "sacwola", "sig_xy", 1)
    n = inject.scaled_count(1500, len(rep[1]["data"]["index"]), 1e6,
                            "sqrt")
    assert s["injection"] == derive_seed(SEED, "inject", "sacwola", f"nsig{n}", 1)
    assert rep[1]["signal"]["injected"].sum() + rep[1]["signal"]["injected_test"].sum() == n
    # A different config seed draws differently.
    other = json.loads(json.dumps(STUDY))
    args = ["--config-json", json.dumps({"seed": SEED + 1, "studies": {"sacwola": other}}),
            "--study", "sacwola", "--injection", "nsig1500_rep1", "--output",
            str(tmp_path / "other.h5")]
    for role, (name, _) in SAMPLES.items():
        args += ["--regions", role, name, str(samples[role][1])]
    inject_script.main(args)
    assert not np.array_equal(h5io.read_columns(tmp_path / "other.h5")["data_index"],
                              rep[1]["data"]["index"])


def test_background_and_signal_only_runs_of_a_repetition_share_its_events(samples, reps, tmp_path):
    """nsig0_rep1 is repetition 1 without signal: the same background draw and split."""
    rep, _ = reps
    bkg = run_inject(samples, "nsig0_rep1", tmp_path / "nsig0_rep1.h5")
    for role in ("data", "sim"):
        np.testing.assert_array_equal(bkg[role]["index"], rep[1][role]["index"])
        np.testing.assert_array_equal(bkg[role]["test"], rep[1][role]["test"])
    assert not bkg["signal"]["injected"].any()


def test_injection_file_from_another_pool_is_refused(samples, reps, tmp_path):
    _, d = reps
    short = {"mjj": np.full(10, 3500.0), "mj1": np.ones(10), "mj2": np.ones(10),
             "label": np.zeros(10), "event": np.arange(10.0)}
    h5io.write_columns(tmp_path / "f.h5", short)
    h5io.write_columns(tmp_path / "r.h5", regions.region_columns(short, STUDY))
    with pytest.raises(h5io.InputError, match=r"rep0\.h5: made from a pool of 6000 'data' "
                                              r"events, but .*r\.h5 has 10"):
        inject.load_repetition(tmp_path / "f.h5", tmp_path / "r.h5", d / "rep0.h5", "data",
                               ["event"])
    with pytest.raises(h5io.InputError, match=r"no repetition of role 'extra'"):
        inject.load_repetition(*samples["data"], d / "rep0.h5", "extra", ["event"])


def test_a_failed_injection_leaves_no_file(samples, tmp_path):
    big = json.loads(json.dumps(STUDY))
    big["injection"]["n_signal"] = 10 ** 6
    out = tmp_path / "nsig.h5"
    with pytest.raises(SystemExit, match=r"studies\.sacwola\.injection, nsig1000000_rep0: "
                                         r"injecting \d+ signal events"):
        run_inject(samples, "nsig1000000_rep0", out, big)
    assert not out.exists()


def test_background_draw_is_poisson_thinning():
    """Each event is kept with probability f independently: the kept count of a pool of n is
    Binomial(n, f) over repetitions, and two repetitions share f of their events."""
    n, f = 4000, 0.3
    draws = [inject.background_draw(n, f, SEED, "data", r) for r in range(200)]
    counts = np.array([len(x) for x in draws])
    assert abs(counts.mean() - n * f) < 3 * np.sqrt(n * f * (1 - f) / 200)
    assert abs(counts.var(ddof=1) / (n * f * (1 - f)) - 1) < 0.3
    shared = np.mean([len(np.intersect1d(a, b)) / len(a) for a, b in zip(draws[:-1], draws[1:])])
    assert abs(shared - f) < 0.01
    np.testing.assert_array_equal(inject.background_draw(n, 1.0, SEED, "data", 3), np.arange(n))


def test_default_config_repetitions(ci_config):
    """Studies whose statements are decided on a spread have >= 5 repetitions by default (2
    in CI; the complementarity study 3: each of its repetitions trains four generators and
    ~200 classifiers per injection, docs/studies/complementarity.md), each keeping a fraction
    below 1 of the pool; the mass scan has one repetition on the whole pool, and more is a
    config error, as is sharing the whole pool."""
    cfg = studies.load_config()
    for name, st in cfg["studies"].items():
        inj = st["injection"]
        if st["kind"] == "mass_scan":
            assert inj["repetitions"] == 1 and inj["background_fraction"] == 1.0
        else:
            least = 3 if st["kind"] == "complementarity" else 5
            assert inj["repetitions"] >= least and 0 < inj["background_fraction"] < 1, name
            assert ci_config["studies"][name]["injection"]["repetitions"] == 2, name
    bad = json.loads(json.dumps(cfg))
    bad["studies"]["mass_scan"]["injection"].update(repetitions=2, background_fraction=0.5)
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.mass_scan\.injection\.repetitions"):
        studies.validate(bad)
    bad = json.loads(json.dumps(cfg))
    bad["studies"]["salad"]["injection"]["background_fraction"] = 1.0
    with pytest.raises(cfgmod.ConfigError,
                       match=r"studies\.salad\.injection\.background_fraction.*same background"):
        studies.validate(bad)


def test_shared_background_widens_the_error_of_the_mean():
    """Repetitions sharing a fraction f of their events: err = std / sqrt(n) times
    sqrt((1 + (n - 1) f) / (1 - f)); 1 for f = 0. Checked on Gaussian repetitions with
    pairwise correlation f: the corrected error covers the spread of the mean."""
    assert claims.overlap_factor(5, 0.0) == 1.0
    assert claims.overlap_factor(5, 0.5) == pytest.approx(np.sqrt(6.0))
    rng = np.random.default_rng(3)
    n, f = 5, 0.5
    shared = rng.normal(size=(20000, 1)) * np.sqrt(f)
    x = shared + rng.normal(size=(20000, n)) * np.sqrt(1 - f)      # unit variance, corr f
    errs = np.array([claims.spread(row, f)["err"] for row in x[:2000]])
    assert np.sqrt(np.mean(errs ** 2)) == pytest.approx(x.mean(axis=1).std(), rel=0.05)
    naive = np.array([claims.spread(row)["err"] for row in x[:2000]])
    assert np.sqrt(np.mean(naive ** 2)) < 0.5 * x.mean(axis=1).std()
    runs = [{"injection": f"nsig1_rep{r}", "repetition_seeds": {
        "rep": r, "background_fraction": f,
        "seeds": {"background": {"data": r}, "split": {"data": r}, "injection": r}}}
        for r in range(n)]
    assert inject.shared_fraction(runs) == f and inject.shared_fraction(runs[:1]) == 0.0
    assert set(inject.summary_seeds(runs)["seeds"]) == {str(r) for r in range(n)}
    runs[1]["repetition_seeds"]["background_fraction"] = 0.3
    with pytest.raises(ValueError, match="different background fractions"):
        inject.summary_seeds(runs)


def test_whole_pool_repetition_records_no_background_draw():
    cols, seeds = inject.repetition_samples({"data": ("data", 50), "signal": ("sig_xy", 20)},
                                            "mass_scan", 0, SEED, 1.0, 0.5)
    np.testing.assert_array_equal(cols["data_index"], np.arange(50))
    assert seeds["background"] == {} and set(seeds["split"]) == {"data", "signal"}
