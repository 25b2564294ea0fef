"""Bad input that used to pass silently fails before any training, with a message that
names the culprit (file, column or branch, count, config field), and leaves no output.
Inputs are small synthetic files; no workflow run is needed."""
import json

import awkward as ak
import h5py
import numpy as np
import pandas as pd
import pytest
import uproot

from radflow import h5io
from radflow.events import features, io
from radflow.stats import bump_hunt
from scripts import features as features_script, regions as regions_script

N = 50
#: A study as in config/ci.yaml (GeV).
SALAD = {"fit_range": [2600.0, 5000.0], "signal_region": [3250.0, 3750.0],
         "sidebands": [[2600.0, 3250.0], [3750.0, 5000.0]], "alpha": 0.0, "test_fraction": 0.5}


def dijet_table(n=N, seed=0):
    """Dijet table of ``n`` events with two jets each (GeV, rad)."""
    rng = np.random.default_rng(seed)
    t = {}
    for s in ("a", "b"):
        t.update({f"pt_{s}": rng.uniform(1200, 2000, n), f"eta_{s}": rng.uniform(-2, 2, n),
                  f"phi_{s}": rng.uniform(-np.pi, np.pi, n), f"m_{s}": rng.uniform(50, 500, n)})
        tau = np.sort(rng.uniform(0.05, 0.5, (n, 4)), axis=1)[:, ::-1]
        t.update({f"tau{k + 1}_{s}": tau[:, k] for k in range(4)})
        t.update({f"tau1_b2_{s}": rng.uniform(0.01, 0.3, n),
                  f"n_trk_{s}": rng.integers(5, 60, n).astype(float)})
    return t


def lhco_frame(t):
    cols = {}
    for j, s in (("j1", "a"), ("j2", "b")):
        pt, eta, phi = t[f"pt_{s}"], t[f"eta_{s}"], t[f"phi_{s}"]
        cols.update({f"px{j}": pt * np.cos(phi), f"py{j}": pt * np.sin(phi),
                     f"pz{j}": pt * np.sinh(eta), f"m{j}": t[f"m_{s}"]})
        cols.update({f"{k}{j}": t[f"{k}_{s}"] for k in ("tau1", "tau2", "tau3")})
    cols["label"] = np.zeros(len(pt))
    return pd.DataFrame(cols)


BRANCHES = {f"{q}_{j}": f"Jet{j[-1]}_{q}" for q in features.REQUIRED_JET_QUANTITIES
            for j in ("j1", "j2")}


def write_flat_root(path, t, **override):
    """Flat ntuple (TTree 'tree', branches of :data:`BRANCHES`); ``override`` replaces
    branches by name."""
    data = {b: t[f"{k[:-3]}_{'a' if k.endswith('j1') else 'b'}"] for k, b in BRANCHES.items()}
    data.update(override)
    with uproot.recreate(path) as f:
        f["tree"] = data
    return path


def write_chunk(path, t):
    """Event chunk in the generator's format (two jets per event) from a dijet table."""
    jets = ak.zip({q: ak.Array(np.column_stack([t[f"{q}_a"], t[f"{q}_b"]]).tolist())
                   for q in features.JET_QUANTITIES})
    io.write_events(path, jets, label=0, sample_id=1, weight_pb=1.0, run_info={"seed": 1})
    return path


def no_output_left(out):
    return not out.exists() and not list(out.parent.glob(f".{out.name}*"))


# ------------------------------------------------------------------------- good input
def test_good_input_passes_unchanged(tmp_path):
    t = dijet_table()
    ref = features.from_dijets(t)
    lhco = tmp_path / "lhco.h5"
    lhco_frame(t).to_hdf(lhco, key="df")
    got = {"lhco": features.from_dijets(io.read_lhco_dijets(lhco)),
           "root": features.from_dijets(io.read_flat_root_dijets(
               write_flat_root(tmp_path / "ntuple.root", t), "tree", BRANCHES)),
           "chunk": features.from_dijets(io.read_event_chunk_dijets(
               write_chunk(tmp_path / "chunk0.root", t)))}
    for src, cols in got.items():
        for col in ("mjj", "mj1", "mj2", "delta_R_jj"):
            np.testing.assert_allclose(cols[col], ref[col], rtol=1e-6, err_msg=f"{src} {col}")
    h5 = tmp_path / "features.h5"
    h5io.write_columns(h5, ref)
    back = h5io.read_columns(h5)
    for col in ref:
        np.testing.assert_array_equal(back[col], ref[col], err_msg=col)
    # A signal sample may have empty sidebands; data fills the SR and both sidebands.
    cfg = json.dumps({"seed": 1, "studies": {"salad": SALAD}})
    feats = tmp_path / "feats.h5"
    for sample, m in (("data", [2700.0, 3500.0, 4000.0]), ("sig_xy", np.full(3, 3500.0))):
        h5io.write_columns(feats, {"mjj": np.array(m), "mj1": np.full(3, 300.0), "mj2": np.full(3, 100.0)})
        out = tmp_path / f"regions_{sample}.h5"
        regions_script.main(["--config-json", cfg, "--study", "salad", "--sample", sample,
                             "--features", str(feats), "--output", str(out)])
        assert out.is_file()


# ---------------------------------------------------------------- 1. NaN/inf values
def test_lhco_nonfinite_named_and_no_feature_file(tmp_path):
    df = lhco_frame(dijet_table())
    df.loc[:2, "mj1"] = np.nan
    df.loc[10:11, "mj1"] = np.inf
    path = tmp_path / "lhco.h5"
    df.to_hdf(path, key="df")
    with pytest.raises(h5io.InputError,
                       match=r"lhco\.h5: column 'mj1' has 5 non-finite values \(NaN/inf\)"):
        io.read_lhco_dijets(path)
    out = tmp_path / "features.h5"
    cfg = json.dumps({"samples": {"bkg": {"source": "lhco_h5"}}})
    with pytest.raises(h5io.InputError, match=r"lhco\.h5: column 'mj1' has 5 non-finite"):
        features_script.main(["--config-json", cfg, "--sample", "bkg", "--inputs", str(path),
                              "--output", str(out)])
    assert no_output_left(out)


def test_flat_root_nonfinite_branch_named(tmp_path):
    t = dijet_table()
    eta = t["eta_b"].copy()
    eta[[3, 7]] = [np.inf, -np.inf]
    path = write_flat_root(tmp_path / "ntuple.root", t, Jet2_eta=eta)
    with pytest.raises(h5io.InputError,
                       match=r"ntuple\.root: branch 'Jet2_eta' has 2 non-finite values"):
        io.read_flat_root_dijets(path, "tree", BRANCHES)


def test_event_chunk_nonfinite_branch_named(tmp_path):
    t = dijet_table()
    t["m_b"][4] = np.nan
    path = write_chunk(tmp_path / "chunk0.root", t)
    with pytest.raises(h5io.InputError,
                       match=r"chunk0\.root: branch 'FatJet_m' has 1 non-finite values"):
        io.read_event_chunk_dijets(path)


def test_column_file_with_nan_fails_on_read(tmp_path):
    path = tmp_path / "data.h5"
    mjj = np.full(20, 3500.0)
    mjj[:10] = np.nan
    with h5py.File(path, "w") as f:
        for name, values in (("mjj", mjj), ("mj1", np.full(20, 300.0)), ("mj2", np.zeros(20))):
            f.create_dataset(name, data=values)
    with pytest.raises(h5io.InputError,
                       match=r"data\.h5: column 'mjj' has 10 non-finite values \(NaN/inf\)"):
        h5io.read_columns(path)
    out = tmp_path / "regions.h5"
    cfg = json.dumps({"seed": 1, "studies": {"salad": SALAD}})
    with pytest.raises(h5io.InputError, match=r"data\.h5: column 'mjj' has 10 non-finite"):
        regions_script.main(["--config-json", cfg, "--study", "salad", "--sample", "data",
                             "--features", str(path), "--output", str(out)])
    assert no_output_left(out)


def test_write_columns_refuses_nonfinite(tmp_path):
    out = tmp_path / "scores.h5"
    with pytest.raises(ValueError, match=r"scores\.h5: refusing to write column 'score' "
                                         r"with 1 non-finite values"):
        h5io.write_columns(out, {"label": np.zeros(3, np.int8), "score": [0.1, np.nan, 0.3]})
    assert no_output_left(out)


# ------------------------------------------------------------ 2. rows with one jet
def test_lhco_one_jet_rows_counted(tmp_path):
    df = lhco_frame(dijet_table())
    df.loc[5:8, ["pxj2", "pyj2", "pzj2", "mj2"]] = 0.0
    path = tmp_path / "lhco.h5"
    df.to_hdf(path, key="df")
    with pytest.raises(h5io.InputError,
                       match=rf"lhco\.h5: 4 of {N} rows have fewer than two jets"):
        io.read_lhco_dijets(path)
    out = tmp_path / "features.h5"
    cfg = json.dumps({"samples": {"bkg": {"source": "lhco_h5"}}})
    with pytest.raises(h5io.InputError, match=r"lhco\.h5: 4 of \d+ rows have fewer than two"):
        features_script.main(["--config-json", cfg, "--sample", "bkg", "--inputs", str(path),
                              "--output", str(out)])
    assert no_output_left(out)


def test_flat_root_one_jet_events_counted(tmp_path):
    t = dijet_table()
    pt = t["pt_b"].copy()
    pt[[0, 1, 2]] = 0.0
    path = write_flat_root(tmp_path / "ntuple.root", t, Jet2_pt=pt)
    with pytest.raises(h5io.InputError,
                       match=rf"ntuple\.root: TTree 'tree' has 3 of {N} events with fewer than "
                             r"two jets \(branch 'Jet1_pt' or 'Jet2_pt' <= 0\)"):
        io.read_flat_root_dijets(path, "tree", BRANCHES)


# ------------------------------------------------------- 3. jagged branch, flat ntuple
def test_flat_root_jagged_branch_named(tmp_path):
    t = dijet_table()
    jagged = ak.Array([[m] * (1 + i % 2) for i, m in enumerate(t["m_b"])])
    path = write_flat_root(tmp_path / "ntuple.root", t, Jet2_m=jagged)
    with pytest.raises(h5io.InputError,
                       match=r"ntuple\.root: TTree 'tree' branch 'Jet2_m' is jagged "
                             r"\(var \* float64 per event\); a flat ntuple needs one value"):
        io.read_flat_root_dijets(path, "tree", BRANCHES)


# ----------------------------------------------------- 4. empty or one-sided sidebands
@pytest.mark.parametrize("mjj, field", [
    ([2700.0, 3000.0, 3500.0], r"studies\.salad\.sidebands\[1\] \[3750, 5000\] GeV"),
    ([3500.0, 4000.0, 4500.0], r"studies\.salad\.sidebands\[0\] \[2600, 3250\] GeV"),
    ([2700.0, 3000.0, 4000.0], r"studies\.salad\.signal_region \[3250, 3750\] GeV"),
    ([1000.0, 2000.0, 6000.0], r"studies\.salad\.signal_region \[3250, 3750\] GeV"),
])
@pytest.mark.parametrize("sample", ["data", "sim"])
def test_empty_region_of_background_sample_named(tmp_path, mjj, field, sample):
    feats = tmp_path / "features.h5"
    h5io.write_columns(feats, {"mjj": np.array(mjj), "mj1": np.full(3, 300.0),
                               "mj2": np.full(3, 100.0)})
    out = tmp_path / "regions.h5"
    cfg = json.dumps({"seed": 1, "studies": {"salad": SALAD}})
    with pytest.raises(h5io.InputError,
                       match=rf"features\.h5: {field} has no events of sample '{sample}'"):
        regions_script.main(["--config-json", cfg, "--study", "salad", "--sample", sample,
                             "--features", str(feats), "--output", str(out)])
    assert no_output_left(out)


# ------------------------------------------------------- 5. empty SR before a quantile
def test_threshold_quantile_over_empty_sr_named():
    with pytest.raises(ValueError, match=r"bump hunt: SR scores: no events in the signal "
                                         r"region to take the score quantiles over"):
        bump_hunt.thresholds(np.zeros(0), [1.0, 0.5])
    edges = bump_hunt.binning([2600.0, 5000.0], 30)
    sr_mask = bump_hunt.sr_bins(edges, [3300.0, 3700.0])
    mjj = np.linspace(2600.0, 3200.0, 100)
    with pytest.raises(ValueError, match=r"bump hunt: sa_cwola: no events in the signal region"):
        bump_hunt.scan(mjj, np.linspace(0, 1, 100), np.zeros(100, bool), [1.0, 0.1], edges,
                       sr_mask, what="sa_cwola")
