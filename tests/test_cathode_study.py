"""CI-sized ANODE/CATHODE study: flows that learn, a template in the SR, every method scored
on one test set, the summary's statements, figures C1-C5, and the study's bad-input errors;
the classifiers' own schedule (config ``studies.<s>.classifier``)."""
import copy
import json

import numpy as np
import pytest

from radflow import config as cfgmod
from radflow import h5io, studies
from radflow.methods import cathode
from radflow.studies.cathode import summary
from scripts import cathode_flows

FIGURES = (("C1", "anode_r_vs_log_pbkg"), ("C2", "anode_r_thresholds"), ("C3", "sic_curves"),
           ("C4", "metrics_vs_nsig"), ("C5", "mass_shift"))


def injections(cfg, study):
    inj = cfg["studies"][study]["injection"]
    zero = [0] if inj.get("background_only", True) else []
    return [f"nsig{n}_rep{r}" for n in zero + inj["n_signal"] for r in range(inj["repetitions"])]


def test_figures_c1_to_c5(ci_run):
    for fid, name in FIGURES:
        for ext in ("pdf", "png"):
            assert (ci_run / "figures" / f"{fid}_{name}.{ext}").stat().st_size > 1000


@pytest.mark.parametrize("study", ["cathode", "cathode_shift"])
def test_flows_learn_and_template_fills_the_sr(ci_run, ci_config, study):
    st = ci_config["studies"][study]
    lo, hi = st["signal_region"]
    for inj in injections(ci_config, study):
        rec = json.loads((ci_run / study / "flows" / f"{inj}.json").read_text())
        for region in ("sr", "sb"):
            # Training lowers the validation loss: a flow that learns nothing would not.
            assert min(rec["val_loss"][region]) < rec["val_loss"][region][0]
            assert len(rec["kept_val_loss"][region]) == st["flow"]["keep_best"]
        assert rec["n_template"] == int(st["cathode"]["oversampling"] * rec["n_train"]["sr"])
        t = h5io.read_columns(ci_run / study / "flows" / f"{inj}_template.h5")
        assert ((t["mjj"] >= lo) & (t["mjj"] < hi)).all()
        assert (~t["holdout"]).sum() == rec["n_template"]
        dens = h5io.read_columns(ci_run / study / "flows" / f"{inj}_test.h5")
        assert np.isfinite(dens["log_p_data"]).all() and np.isfinite(dens["log_p_bkg"]).all()
        # The sideband flow interpolated into the SR describes SR background about as well as
        # the SR flow itself (per-event log-likelihood, nats).
        bkg = ~dens["is_signal"]
        assert abs(dens["log_p_data"][bkg].mean() - dens["log_p_bkg"][bkg].mean()) < 0.5


def test_methods_share_one_test_set(ci_run, ci_config):
    for inj in injections(ci_config, "cathode"):
        res = json.loads((ci_run / "cathode" / "classifiers" / f"{inj}.json").read_text())
        assert set(res["methods"]) == {"cathode", "idealized", "cwola", "supervised", "anode"}
        sc = h5io.read_columns(ci_run / "cathode" / "classifiers" / f"{inj}_scores.h5")
        for m in res["methods"]:
            assert len(sc[f"score_{m}"]) == len(sc["is_signal"])
        # Balanced idealized detector: as many independent-background SR events as data.
        assert res["n_train"]["background_sr"] == res["n_train"]["data_sr"]
        # The supervised classifier separates the W' signal at CI statistics.
        assert res["signal_vs_background"]["supervised"]["auc"] > 0.85


def test_summary_statements(ci_run, ci_config):
    s = json.loads((ci_run / "cathode" / "summary.json").read_text())
    st = ci_config["studies"]["cathode"]
    assert s["n_sig_nominal"] == max(st["injection"]["n_signal"])
    assert s["repetitions"] == st["injection"]["repetitions"] >= 2
    assert set(s["statements"]) == {"cathode_approaches_idealized", "anode_below_cathode",
                                    "template_matches_background",
                                    "cathode_robust_cwola_fails_under_shift"}
    for claim in s["statements"].values():
        assert claim["paper"] and claim["criterion"]
        assert claim["verdict"] in ("holds", "fails", "undetermined")
    # The CI run's own metric files, with CATHODE's max SIC set far below the idealized
    # detector's and ANODE's far above it in every repetition: both statements must fail.
    runs = summary.load(sorted((ci_run / "cathode" / "classifiers").glob("nsig*_rep*.json")))
    for reps in runs.values():
        for k, r in enumerate(reps.values()):
            sv = r["signal_vs_background"]
            sv["cathode"]["max_sic"] = (0.1 + 0.01 * k) * sv["idealized"]["max_sic"]
            sv["anode"]["max_sic"] = sv["cathode"]["max_sic"] + 5.0 + 0.01 * k
    bad = summary.statements(runs, {}, s["n_sig_nominal"])
    assert bad["cathode_approaches_idealized"]["verdict"] == "fails"
    assert bad["anode_below_cathode"]["verdict"] == "fails"
    for n, per in s["signal_vs_background"].items():
        for m, v in per.items():
            assert v["auc"]["n"] == st["injection"]["repetitions"] and v["auc"]["std"] is not None
    assert s["shift"] is not None


def flows_args(ci_run, tmp_path, cfg):
    res = ci_run
    return ["--config-json", json.dumps(cfg), "--study", "cathode", "--injection-name", "nsig0_rep0",
            "--data", str(res / "features" / "data.h5"), str(res / "cathode" / "regions" / "data.h5"),
            "--signal", str(res / "features" / "sig_xy.h5"), str(res / "cathode" / "regions" / "sig_xy.h5"),
            "--injection", str(res / "cathode" / "inject" / "nsig0_rep0.h5"),
            "--test-densities", str(tmp_path / "t.h5"), "--template", str(tmp_path / "s.h5"),
            "--record", str(tmp_path / "r.json")]


def test_too_few_events_for_a_flow_named(ci_run, ci_config, tmp_path):
    cfg = {"seed": 1, "studies": {"cathode": dict(ci_config["studies"]["cathode"])}}
    cfg["studies"]["cathode"]["flow"] = dict(cfg["studies"]["cathode"]["flow"], min_events=10 ** 6)
    with pytest.raises(SystemExit, match=r"study cathode, injection nsig0_rep0: \d+ training events "
                                         r"in the signal region, fewer than studies.cathode.flow.min_events"):
        cathode_flows.main(flows_args(ci_run, tmp_path, cfg))
    assert list(tmp_path.iterdir()) == []


def test_missing_feature_named(ci_run, ci_config, tmp_path):
    cfg = {"seed": 1, "studies": {"cathode": dict(ci_config["studies"]["cathode"])}}
    cfg["studies"]["cathode"]["features"] = ["mj2", "tau54_j1"]
    with pytest.raises(KeyError, match=r"data.h5 has no feature\(s\) \['tau54_j1'\]"):
        cathode_flows.main(flows_args(ci_run, tmp_path, cfg))
    assert list(tmp_path.iterdir()) == []


def test_classifier_schedule_defaults_validation_and_use():
    """studies.<s>.classifier: a missing key takes the schema's default, a bad one is named;
    train_classifiers trains with that schedule (learning rate, keep_best kept epochs per
    member, the epochs a member may train)."""
    cfg = studies.load_config()
    cfg["studies"]["cathode"]["classifier"] = {"keep_best": 3}
    filled = studies.validate(copy.deepcopy(cfg))["studies"]["cathode"]["classifier"]
    assert filled == {"keep_best": 3, "epochs": 50, "batch_size": 512, "patience": 10,
                      "learning_rate": 1.0e-3}
    cfg["studies"]["cathode"]["classifier"] = {"keep_best": 0}
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cathode\.classifier\.keep_best"):
        studies.validate(cfg)
    rng = np.random.default_rng(0)
    blocks = {k: rng.normal(size=(n, 2)) + shift for k, n, shift in
              (("data_sr", 300, 0.3), ("data_sb", 400, 0.0), ("template", 600, 0.0),
               ("signal_mc", 200, 1.0), ("background_sr", 300, 0.0))}
    ens = cathode.train_classifiers(blocks, 2, 1, "cathode", "nsig0_rep0", epochs=4,
                                    batch_size=64, patience=4, keep_best=3, learning_rate=2e-3)
    assert ens.trained.network.arch.learning_rate == 2e-3
    assert ens.trained.kept_epoch.shape == (3, len(cathode.METHODS) * 2)
    assert ens.trained.epochs_run == 4 and (ens.trained.kept_epoch >= 0).all()
    scores = ens.scores(blocks["data_sr"])
    member = ens.trained.predict(blocks["data_sr"])                   # (M, N), cathode first
    np.testing.assert_allclose(scores["cathode"], member[:2].mean(axis=0), rtol=1e-6)
