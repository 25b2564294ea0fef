"""Physics of the generated samples (CI-sized DAG run): resonance peaks, substructure, mjj."""
import numpy as np
import pytest

from radflow import h5io


def peak(values, lo, hi, width):
    """Centre of the most populated bin of ``width`` GeV in [lo, hi)."""
    counts, edges = np.histogram(values, bins=np.arange(lo, hi + width, width))
    return 0.5 * (edges[counts.argmax()] + edges[counts.argmax() + 1])


def test_sig_xy_masses_substructure_and_mjj(ci_run):
    sig = h5io.read_columns(ci_run / "features" / "sig_xy.h5")
    bkg = h5io.read_columns(ci_run / "features" / "data.h5")
    assert abs(peak(sig["mj1"], 0, 1000, 20) - 500) < 50
    assert abs(peak(sig["mj2"], 0, 400, 10) - 100) < 10
    assert np.median(sig["tau21_j1"]) < np.median(bkg["tau21_j1"]) - 0.1
    assert np.median(sig["tau21_j2"]) < np.median(bkg["tau21_j2"])
    assert abs(peak(sig["mjj"], 2000, 5000, 100) - 3500) < 0.05 * 3500
    assert np.all(sig["label"] == 1) and np.all(bkg["label"] == 0)


@pytest.mark.parametrize("sample,mass", [("sig_3prong_500", 500), ("sig_3prong_300", 300)])
def test_three_prong_masses_and_tau32(ci_run, sample, mass):
    sig = h5io.read_columns(ci_run / "features" / f"{sample}.h5")
    bkg = h5io.read_columns(ci_run / "features" / "data.h5")
    assert abs(peak(sig["mj1"], 0, 1000, 20) - mass) < 0.1 * mass
    assert abs(peak(sig["mj2"], 0, 1000, 20) - mass) < 0.1 * mass
    for j in ("j1", "j2"):
        assert np.median(sig[f"tau32_{j}"]) < np.median(bkg[f"tau32_{j}"]) - 0.05


def test_qcd_mjj_falls_monotonically_above_3_tev(ci_run):
    mjj = np.concatenate([h5io.read_columns(ci_run / "features" / f"{s}.h5", ["mjj"])["mjj"]
                          for s in ("data", "sim")])
    counts, _ = np.histogram(mjj, bins=[3000, 3250, 3500, 3800, 4200, 5000])
    assert np.all(np.diff(counts) < 0), counts


def test_tau_ratios_bounded_and_features_consistent(ci_run):
    f = h5io.read_columns(ci_run / "features" / "data.h5")
    for j in ("j1", "j2"):
        for r in ("tau21", "tau32", "tau43"):
            assert np.all((f[f"{r}_{j}"] >= 0) & (f[f"{r}_{j}"] <= 1.0 + 1e-9)), r
        assert np.all(f[f"n_trk_{j}"] >= 0)
    assert np.all(f["mj1"] >= f["mj2"])
    np.testing.assert_allclose(f["delta_m"], f["mj1"] - f["mj2"])
    assert np.all(np.maximum(f["pt_j1"], f["pt_j2"]) > 1200)
    assert np.all(np.abs(f["eta_j1"]) < 2.5)


def test_sim_differs_from_data_in_substructure_not_mjj(ci_run):
    """The sim shower variant changes jet substructure; the mjj spectra agree."""
    import json
    res = json.loads((ci_run / "validation" / "data_vs_sim.json").read_text())
    assert 0.55 <= res["auc_features"] <= 0.75
    assert abs(res["auc_mjj"] - 0.5) < 0.04
