"""Regions, the alpha*mjj correlation, deterministic splits and seeds."""
import numpy as np
import pytest

from radflow import h5io
from radflow import config as cfgmod, inject, regions, studies
from radflow.seeds import derive_seed
from scripts import features as features_script, generate as generate_script


def test_region_masks_and_alpha_shift():
    mjj = np.array([2700.0, 3150.0, 3300.0, 3699.0, 3700.0, 3950.0, 4500.0])
    feats = {"mjj": mjj, "mj1": np.full(7, 300.0), "mj2": np.full(7, 100.0)}
    study = {"fit_range": [2600, 5000], "signal_region": [3300, 3700],
             "sidebands": [[3100, 3300], [3700, 3900]],
             "long_sidebands": [[2800, 3300], [3700, 4200]], "alpha": 0.1}
    c = regions.region_columns(feats, study)
    np.testing.assert_array_equal(c["sr"], [0, 0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(c["sb"], [0, 1, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(c["sb_low"], [0, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(c["long_sb"], [0, 1, 0, 0, 1, 1, 0])
    assert c["fit"].all()
    np.testing.assert_allclose(c["mj1"], 300.0 + 0.1 * mjj)
    np.testing.assert_allclose(c["mj1"] - c["mj2"], 200.0)


def test_split_is_deterministic_and_balanced():
    a = inject.split(20000, 0.5, 7, "salad", "data", 0)
    np.testing.assert_array_equal(a, inject.split(20000, 0.5, 7, "salad", "data", 0))
    assert (a != inject.split(20000, 0.5, 7, "salad", "sim", 0)).any()
    assert (a != inject.split(20000, 0.5, 7, "salad", "data", 1)).any()
    assert abs(a.mean() - 0.5) < 0.02


def test_derived_seeds_stable_and_distinct():
    assert derive_seed(1, "generate", "data", 0) == derive_seed(1, "generate", "data", 0)
    seeds = {derive_seed(1, "generate", s, i) for s in ("data", "sim") for i in range(50)}
    assert len(seeds) == 100 and all(1 <= s <= 900_000_000 for s in seeds)


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory, ci_config):
    import yaml
    cfg = yaml.safe_load(yaml.safe_dump(ci_config))
    cfg["samples"]["data"].update(n_events=200, n_chunks=2)
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _features_of_chunk(config, chunk, out_dir, tag):
    root = out_dir / f"{tag}_chunk{chunk}.root"
    generate_script.main(["--config", str(config), "--sample", "data", "--chunk", str(chunk),
                          "--output", str(root)])
    h5 = out_dir / f"{tag}_chunk{chunk}.h5"
    features_script.main(["--config", str(config), "--sample", "data", "--inputs", str(root),
                          "--output", str(h5)])
    return h5io.read_columns(h5)


def test_same_seed_identical_features_different_chunks_differ(tmp_path, tiny_config):
    first = _features_of_chunk(tiny_config, 0, tmp_path, "a")
    again = _features_of_chunk(tiny_config, 0, tmp_path, "b")
    other = _features_of_chunk(tiny_config, 1, tmp_path, "c")
    assert cfgmod.chunk_size(studies.load_config(tiny_config), "data", 0) == len(first["mjj"]) == 100
    for col in first:
        np.testing.assert_array_equal(first[col], again[col], err_msg=col)
    assert not np.allclose(first["mjj"], other["mjj"])


def test_injection_draws_reproducible_disjoint_and_bounded():
    from radflow import inject
    rng = np.random.default_rng(0)
    sig_sr = rng.random(5000) < 0.8
    a = inject.draw(sig_sr, 10_000, 0.05, seed=1, study="salad", rep=0)
    b = inject.draw(sig_sr, 10_000, 0.05, seed=1, study="salad", rep=0)
    c = inject.draw(sig_sr, 10_000, 0.05, seed=1, study="salad", rep=1)
    np.testing.assert_array_equal(a, b)               # shared by every method
    assert (a != c).any()                             # repetitions differ
    assert (a & sig_sr).sum() == 500                  # S/B x background in the SR
    evaluation = sig_sr & ~a
    assert not (evaluation & a).any() and evaluation.sum() == sig_sr.sum() - 500
    assert not inject.draw(sig_sr, 10_000, 0.0, seed=1, study="salad", rep=0).any()
    # Nested within a repetition: the smaller S/B injects a subset of the larger one's.
    small = inject.draw(sig_sr, 10_000, 0.02, seed=1, study="salad", rep=0)
    assert (small & sig_sr).sum() == 200 and not (small & ~a).any()
    # Half of the SR signal stays for evaluation: 0.2 x 10k = 2000 of ~4000 is the limit.
    inject.draw(sig_sr, 10_000, 0.19, seed=1, study="salad", rep=0)
    with pytest.raises(inject.InjectionError, match=r"S/B = 0.25 needs 2500.*'sig_xy' has only"):
        inject.draw(sig_sr, 10_000, 0.25, seed=1, study="salad", rep=0)
    test = np.r_[np.ones(1000, bool), np.zeros(3000, bool)]
    q = inject.data_quarter(test, 1, "salad", 0)
    assert np.all(q[:1000] == -1) and abs((q[1000:] == 0).mean() - 0.5) < 0.05
    assert (inject.data_quarter(test, 1, "salad", 1) != q).any()    # new split per repetition


def test_log_binning_reproduces_the_cwola_vs_autoencoder_regions():
    """30 bins uniform in log(mjj) over 2.8-5.2 TeV, SR = 4 bins centred on 3.5 TeV, 3
    sideband bins each side: the paper's SR (3371, 3661) GeV and sidebands to 3169 / 3895."""
    from radflow.regions import binned_regions, log_bins

    edges = log_bins((2800.0, 5200.0), 30)
    assert np.allclose(np.diff(np.log(edges)), np.log(5200.0 / 2800.0) / 30)
    r = binned_regions((2800.0, 5200.0), 30, 4, 3, 3500.0)
    assert np.round(r["signal_region"]).tolist() == [3371.0, 3661.0]
    assert np.round(r["sidebands"]).tolist() == [[3169.0, 3371.0], [3661.0, 3895.0]]
    # A hypothesis one bin higher moves every edge up by one bin.
    up = binned_regions((2800.0, 5200.0), 30, 4, 3, 3500.0 * np.exp(np.log(5200 / 2800) / 30))
    assert up["first_sr_bin"] == r["first_sr_bin"] + 1
    with pytest.raises(ValueError, match="outside the 30 bins"):
        binned_regions((2800.0, 5200.0), 30, 4, 3, 2900.0)


def test_extra_background_draw_is_a_seeded_sr_subset_with_a_named_shortfall():
    """The extra background of optimal CWoLa / the idealized detector: n SR events, the
    same for the same seed and repetition, new in another repetition; too few SR events
    name the method and both counts."""
    from radflow import inject

    sr = np.random.default_rng(0).random(1000) < 0.3
    a = inject.extra_background(sr, 100, 7, "cathode", 0, "the idealized detector")
    assert len(np.unique(a)) == 100 and sr[a].all()
    np.testing.assert_array_equal(a, inject.extra_background(sr, 100, 7, "cathode", 0, "x"))
    assert set(a) != set(inject.extra_background(sr, 100, 7, "cathode", 1, "x"))
    with pytest.raises(inject.InjectionError, match=rf"has {sr.sum()} SR events, optimal CWoLa needs 999"):
        inject.extra_background(sr, 999, 7, "sacwola", 0, "optimal CWoLa")
