"""CI-sized complementarity study (D2-D14): every method's synthetic sample fitted on one
shared sideband split and filling the SR, the classifiers' scores on one fixed test set that
no training saw, the summary's statements, the figures; and its bad input: a data-only config
skips SALAD and FETA naming the missing sample, a transport that yields NaN stops naming the
study, method and count and leaves nothing behind, config checks name their field."""
import copy
import json

import h5py
import numpy as np
import pytest

from radflow import config as cfgmod
from radflow import h5io, inject, studies
from radflow.ml import flows
from radflow.studies.complementarity import samples
from scripts import complementarity_synthetic
from tests.conftest import snakemake

STUDY = "complementarity"
METHODS = ("salad", "cathode", "curtains", "feta")


def injections(cfg):
    inj = cfg["studies"][STUDY]["injection"]
    return [f"nsig{n}_rep{r}" for n in [0] + inj["n_signal"] for r in range(inj["repetitions"])]


def test_figures_d2_to_d14(ci_run):
    catalog = studies.registry()["complementarity"].figures
    assert sorted(catalog) == sorted(["D2", "D3", "D5", "D6", "D7", "D8", "D9", "D10", "D11",
                                      "D12", "D13", "D14"])
    for fid, entry in catalog.items():
        for ext in ("pdf", "png"):
            assert (ci_run / "figures" / f"{fid}_{entry['name']}.{ext}").stat().st_size > 1000


def test_synthetic_samples_share_the_split_and_fill_the_sr(ci_run, ci_config):
    st = ci_config["studies"][STUDY]
    lo, hi = st["signal_region"]
    for inj in injections(ci_config):
        records = {m: json.loads((ci_run / STUDY / "synthetic" / f"{inj}_{m}.json").read_text())
                   for m in METHODS}
        # One sideband split for every method (the paper's equal footing).
        assert len({(r["n_sb_train"], r["n_sb_val"]) for r in records.values()}) == 1
        for m in METHODS:
            c = h5io.read_columns(ci_run / STUDY / "synthetic" / f"{inj}_{m}.h5")
            assert ((c["mjj"] >= lo) & (c["mjj"] <= hi)).all(), m
            assert set(np.unique(c["generator"])) == set(range(st["generators"]["seeds"]))
            assert (c["weight"] > 0).all()
            n_gen = st["generators"]["seeds"]
            if m == "curtains":   # every sideband event of the mapped range, 4 target masses
                assert len(c["mjj"]) % (n_gen * st["curtains"]["oversampling"]) == 0
            if m == "cathode":    # oversampling x the SR search data
                assert len(c["mjj"]) == n_gen * round(st["cathode"]["oversampling"]
                                                      * records[m]["n_sr_data"])
        salad = h5io.read_columns(ci_run / STUDY / "synthetic" / f"{inj}_salad.h5", ["weight"])
        assert salad["weight"].std() > 0      # DCTR weights, not ones


def test_scores_on_one_fixed_test_set_never_trained_on(ci_run, ci_config):
    st = ci_config["studies"][STUDY]
    res = ci_run
    cols = st["features"]
    for inj in injections(ci_config):
        path = res / STUDY / "scores" / f"{inj}_nn_part0.h5"     # one job of all runs
        with h5py.File(path) as f:
            n_test = len(f["is_signal"])
            is_signal = f["is_signal"][()]
            shapes = {m: f[f"score/{m}"].shape for m in f["score"]}
            test_mjj = f["mjj"][()]
        assert set(shapes) == set(METHODS) | {"combined", "truth"}
        g, r = st["generators"]["seeds"], st["classifier"]["runs"]
        for m, shape in shapes.items():
            assert shape == ((1 if m == "truth" else g), r, n_test)
        # The test set's signal events are the signal's test half: none was injected into
        # the training data, and its background comes from the independent extra sample.
        sig = inject.load_repetition(res / "features" / "sig_xy.h5", res / STUDY / "regions" / "sig_xy.h5",
                                     res / STUDY / "inject" / f"{inj}.h5", inject.SIGNAL_ROLE, cols)
        injected = set(np.round(sig["mjj"][sig["injected"]], 6))
        assert not injected & set(np.round(test_mjj[is_signal], 6))
        assert is_signal.sum() == (sig["test"] & sig["sr"]).sum()


def test_summary_statements(ci_run, ci_config):
    s = json.loads((ci_run / STUDY / "summary.json").read_text())
    st = ci_config["studies"][STUDY]
    assert s["variants"] == sorted(["nn", "hgb", "nn_noise", "hgb_noise"])
    assert {"similar_performance", "auc_inside_truth_spread", "top_p_agreement_beyond_random",
            "background_weak_signal_strong_correlation", "combined_samples_competitive_and_tighter",
            "combination_beats_every_method", "trees_robust_to_noise_features"} <= set(s["statements"])
    for claim in s["statements"].values():
        assert claim["paper"] and claim["criterion"]
        assert claim["verdict"] in ("holds", "fails", "undetermined")
    nn = s["per_variant"]["nn"]
    assert nn["n_sig"] == [0] + st["injection"]["n_signal"]
    for line in ("cathode", "combined_samples", "combined_scores", "truth"):
        per = nn["metrics"][line][str(max(nn["n_sig"]))]["max_sic"]["per_repetition"]
        assert len(per) == st["injection"]["repetitions"]


def synthetic_args(res, tmp_path, cfg, method):
    sim = ["--sim", str(res / "features" / "sim.h5"), str(res / STUDY / "regions" / "sim.h5")]
    return ["--config-json", json.dumps(cfg), "--study", STUDY, "--injection-name", "nsig0_rep0",
            "--method", method,
            "--data", str(res / "features" / "data.h5"), str(res / STUDY / "regions" / "data.h5"),
            "--signal", str(res / "features" / "sig_xy.h5"), str(res / STUDY / "regions" / "sig_xy.h5"),
            *(sim if method in ("salad", "feta") else []),
            "--injection", str(res / STUDY / "inject" / "nsig0_rep0.h5"),
            "--output", str(tmp_path / "out" / "s.h5"), "--record", str(tmp_path / "out" / "r.json")]


def small_study(ci_config):
    st = copy.deepcopy(ci_config["studies"][STUDY])
    tiny = {"n_blocks": 1, "hidden": 8, "epochs": 1, "batch_size": 256, "learning_rate": 1e-3,
            "keep_best": 1}
    st["feta"].update(sim_flow=tiny, transport=tiny)
    return {"seed": 1, "studies": {STUDY: st}}


def test_transport_producing_nan_stops_naming_study_method_and_count(ci_run, ci_config, tmp_path,
                                                                      monkeypatch):
    real = flows.TrainedFlows.generate

    def broken(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        out[:3] = np.nan
        return out

    monkeypatch.setattr(flows.TrainedFlows, "generate", broken)
    with pytest.raises(SystemExit, match=r"study complementarity, injection nsig0_rep0, "
                                         r"generator 0: FETA: 3 non-finite and 0 outside"):
        complementarity_synthetic.main(synthetic_args(ci_run, tmp_path, small_study(ci_config),
                                                      "feta"))
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_data_only_config_skips_salad_and_feta_naming_the_sample(ci_run, small_config):
    path, _ = small_config(lambda c: c["studies"][STUDY]["samples"].pop("sim"))
    proc = snakemake(ci_run.parent, "-n", f"results/{STUDY}/summary.json", configfile=path)
    out = proc.stdout + proc.stderr
    for m in ("salad", "feta"):
        assert (f"complementarity study {STUDY}: method {m} skipped: it needs the simulation "
                f"sample (studies.{STUDY}.samples.sim)") in out
    assert "_salad.h5" not in proc.stdout and "_feta.h5" not in proc.stdout


def test_method_without_sim_stops_the_script_naming_it(ci_run, ci_config, tmp_path):
    args = synthetic_args(ci_run, tmp_path, small_study(ci_config), "cathode")
    args[args.index("--method") + 1] = "salad"
    with pytest.raises(SystemExit, match=r"method salad needs the simulation sample "
                                         r"\(studies.complementarity.samples.sim\)"):
        complementarity_synthetic.main(args)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("change, field", [
    (lambda st: st["robustness"].update(n_signal=777), "studies.complementarity.robustness.n_signal"),
    (lambda st: st["classifier"].update(runs=3, ensemble=2), "studies.complementarity.classifier.ensemble"),
    (lambda st: st.pop("curtains"), "studies.complementarity.curtains"),
    (lambda st: st["injection"].update(background_only=False),
     "studies.complementarity.injection.background_only"),
    (lambda st: st["curtains"].update(sidebands=[2000.0, 4500.0]), "studies.complementarity.curtains.sidebands"),
])
def test_config_checks_name_the_field(ci_config, change, field):
    cfg = copy.deepcopy(ci_config)
    change(cfg["studies"][STUDY])
    with pytest.raises(cfgmod.ConfigError, match=field.replace(".", r"\.")):
        studies.validate(cfg)


def test_shared_event_sets_are_disjoint_where_they_must_be(ci_run, ci_config):
    res, cols = ci_run, ci_config["studies"][STUDY]["features"]
    load = lambda s, role: inject.load_repetition(res / "features" / f"{s}.h5", res / STUDY / "regions" / f"{s}.h5",
                                                  res / STUDY / "inject" / "nsig1500_rep0.h5", role, cols)
    d, sig = load("data", "data"), load("sig_xy", inject.SIGNAL_ROLE)
    search, truth = samples.sr_data(d, sig, cols), samples.true_background(d, cols)
    sb = samples.sideband_data(d, sig, cols, 1, STUDY, "nsig1500_rep0")
    # search data (train half) and truth (test half) share no event; the sideband split is
    # seeded and about 20% validation
    assert not set(map(tuple, np.round(search.x, 6))) & set(map(tuple, np.round(truth.x, 6)))
    assert abs(sb.val.mean() - samples.VALIDATION_FRACTION) < 0.05
    again = samples.sideband_data(d, sig, cols, 1, STUDY, "nsig1500_rep0")
    assert (again.val == sb.val).all()
