"""Ingest round trips (LHCO HDF5, flat ROOT) and bad-input errors that name file/branch."""
import numpy as np
import pandas as pd
import pytest
import uproot

from radflow import h5io
from radflow.events import features, io
from scripts import features as features_script


@pytest.fixture(scope="module")
def dijets(ci_run):
    return io.read_event_chunk_dijets(ci_run / "events" / "data" / "chunk0.root")


def lhco_frame(t):
    cols = {}
    for j, s in (("j1", "a"), ("j2", "b")):
        pt, eta, phi = t[f"pt_{s}"], t[f"eta_{s}"], t[f"phi_{s}"]
        cols.update({f"px{j}": pt * np.cos(phi), f"py{j}": pt * np.sin(phi),
                     f"pz{j}": pt * np.sinh(eta), f"m{j}": t[f"m_{s}"]})
        cols.update({f"{k}{j}": t[f"{k}_{s}"] for k in ("tau1", "tau2", "tau3")})
    cols["label"] = np.zeros(len(pt))
    return pd.DataFrame(cols)


def test_lhco_h5_round_trip(tmp_path, dijets):
    path = tmp_path / "events_anomalydetection_v2.features.h5"
    lhco_frame(dijets).to_hdf(path, key="df")
    got = features.from_dijets(io.read_lhco_dijets(path))
    ref = features.from_dijets(dijets)
    for col in ("mjj", "mj1", "mj2", "tau21_j1", "tau21_j2", "tau32_j1", "delta_m", "delta_R_jj"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-6, atol=1e-6, err_msg=col)
    # The LHCO high-level files have no tau4, tau1(beta=2) or track counts: absent, not zero.
    for col in ("tau43_j1", "tau1b2_ratio_j1", "n_trk_j1"):
        assert col not in got
    with pytest.raises(features.MissingFeatureError, match="lhco.*tau43_j1"):
        features.require(got, ["tau43_j1"], "lhco")


def test_flat_root_round_trip(tmp_path, dijets):
    path = tmp_path / "ntuple.root"
    bmap = {f"{q}_{j}": f"Jet{j[-1]}_{q}" for q in features.JET_QUANTITIES for j in ("j1", "j2")}
    data = {bmap[f"{q}_j{1 if s == 'a' else 2}"]: dijets[f"{q}_{s}"]
            for q in features.JET_QUANTITIES for s in ("a", "b")}
    with uproot.recreate(path) as f:
        f["tree"] = data
    got = features.from_dijets(io.read_flat_root_dijets(path, "tree", bmap))
    ref = features.from_dijets(dijets)
    assert sorted(got) == sorted(ref)
    for col in ref:
        if col not in ("label", "weight"):
            np.testing.assert_allclose(got[col], ref[col], rtol=1e-12, err_msg=col)


def test_missing_branch_named(tmp_path, dijets):
    path = tmp_path / "ntuple.root"
    with uproot.recreate(path) as f:
        f["tree"] = {"Jet1_pt": dijets["pt_a"]}
    bmap = {f"{q}_{j}": f"Jet{j[-1]}_{q}" for q in ("pt", "eta", "phi", "m") for j in ("j1", "j2")}
    with pytest.raises(h5io.InputError, match=r"ntuple.root.*no branch 'Jet2_pt'"):
        io.read_flat_root_dijets(path, "tree", bmap)


def test_corrupt_and_truncated_root_named_and_no_partial_output(tmp_path, ci_run, small_config):
    good = ci_run / "events" / "data" / "chunk0.root"
    corrupt = tmp_path / "corrupt.root"
    corrupt.write_bytes(b"this is not a ROOT file" * 100)
    truncated = tmp_path / "truncated.root"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cfg_path, _ = small_config()
    for bad in (corrupt, truncated):
        out = tmp_path / f"features_{bad.stem}.h5"
        with pytest.raises(h5io.InputError, match=bad.name):
            features_script.main(["--config", str(cfg_path), "--sample", "data",
                                  "--inputs", str(good), str(bad), "--output", str(out)])
        assert not out.exists()
        assert not list(tmp_path.glob(f".{out.name}*")), "temporary file left behind"


def test_missing_jet_branch_in_event_chunk(tmp_path, dijets):
    path = tmp_path / "chunk0.root"
    with uproot.recreate(path) as f:
        f["events"] = {"label": np.zeros(3, np.int8)}
    with pytest.raises(h5io.InputError, match=r"chunk0.root.*no branch 'FatJet_pt'"):
        io.read_event_chunk_dijets(path)


def test_lhco_bad_key_and_column(tmp_path, dijets):
    path = tmp_path / "lhco.h5"
    lhco_frame(dijets).drop(columns=["tau2j1"]).to_hdf(path, key="df")
    with pytest.raises(h5io.InputError, match="no key 'events'"):
        io.read_lhco_dijets(path, key="events")
    with pytest.raises(h5io.InputError, match="lhco.h5.*no column 'tau2j1'"):
        io.read_lhco_dijets(path)
