"""Reading and writing radflow's files, with errors that name the file and branch.

- Event chunks: ROOT, TTree ``events`` with jagged ``FatJet_*`` branches (GeV) and a
  counter ``nFatJet``, plus event-level ``label``, ``sample_id`` (a
  stable 15-bit hash of the sample name, see scripts/generate.py) and ``weight`` (pb);
  TTree ``run`` holds the generator bookkeeping (seed, n_tried, n_passed, sigma_pb).
- LHCO R&D high-level files: pandas HDF5, key ``df``, columns
  ``pxj1 pyj1 pzj1 mj1 tau1j1 tau2j1 tau3j1 pxj2 ... tau3j2 label`` (GeV).
- Flat ROOT ntuples: one TTree with one branch per jet quantity (one value per event),
  mapped by config.
Every reader rejects NaN/inf values (naming the file, the column or branch and the count)
and events with fewer than two jets (naming the file and the number of such events).
Feature and region files (HDF5 columns) are read and written by :mod:`radflow.h5io`.
Every writer writes to a temporary file and renames it, so a failure leaves no partial
output behind.
"""
from __future__ import annotations

from pathlib import Path

import awkward as ak
import numpy as np
import uproot

from radflow.h5io import InputError, atomic_output, check_finite
from radflow.events.features import JET_QUANTITIES, REQUIRED_JET_QUANTITIES

EVENTS_TREE = "events"
RUN_TREE = "run"
JET_PREFIX = "FatJet"
LHCO_COLUMNS = ["pxj1", "pyj1", "pzj1", "mj1", "tau1j1", "tau2j1", "tau3j1",
                "pxj2", "pyj2", "pzj2", "mj2", "tau1j2", "tau2j2", "tau3j2"]


# ----------------------------------------------------------------------------- events
def write_events(path, jets: ak.Array, label: int, sample_id: int, weight_pb: float,
                 run_info: dict) -> None:
    """Write events x jets records (fields as in :mod:`radflow.jets`) to a ROOT file."""
    n = len(jets)
    with atomic_output(path) as tmp:
        with uproot.recreate(tmp) as f:
            data = {
                JET_PREFIX: jets,
                "label": np.full(n, label, np.int8),
                "sample_id": np.full(n, sample_id, np.int16),
                "weight": np.full(n, weight_pb, np.float64),
            }
            # mktree + extend gives NanoAOD-style branches: nFatJet, FatJet_pt, ...
            tree = f.mktree(EVENTS_TREE, {k: v.type if isinstance(v, ak.Array) else v.dtype
                                          for k, v in data.items()})
            tree.extend(data)
            f[RUN_TREE] = {k: np.array([v]) for k, v in run_info.items()}


def _open_tree(path, tree: str):
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        f = uproot.open(path)
    except Exception as err:  # uproot raises many types for corrupt or truncated files
        raise InputError(f"{path}: not a readable ROOT file ({type(err).__name__}: {err})") from err
    if tree not in f:
        raise InputError(f"{path}: no TTree '{tree}' (keys: {f.keys(cycle=False)})")
    return f[tree]


def _read_branches(path, tree, branches: dict) -> dict:
    """Read ``{name: branch}`` from ``tree`` of ``path`` (awkward arrays, flat or jagged);
    errors name the missing branch or the branch with NaN/inf values."""
    t = _open_tree(path, tree)
    have = set(t.keys())
    missing = [b for b in branches.values() if b not in have]
    if missing:
        raise InputError(f"{path}: TTree '{tree}' has no branch {missing[0]!r}"
                         + (f" (nor {missing[1:]})" if len(missing) > 1 else ""))
    try:
        arrays = t.arrays(list(branches.values()), library="ak")
    except Exception as err:
        raise InputError(f"{path}: cannot read TTree '{tree}' ({type(err).__name__}: {err}); "
                         "the file may be truncated") from err
    for b in branches.values():
        check_finite(path, b, ak.to_numpy(ak.flatten(arrays[b], axis=None)), kind="branch")
    return {name: arrays[b] for name, b in branches.items()}


def read_event_chunk_dijets(path) -> dict:
    """Dijet table (see :mod:`radflow.features`) of the two pT-leading jets of a chunk."""
    branches = {q: f"{JET_PREFIX}_{q}" for q in JET_QUANTITIES}
    branches.update(label="label", weight="weight")
    arrays = _read_branches(path, EVENTS_TREE, branches)
    n_bad = int(ak.sum(ak.num(arrays["pt"]) < 2))
    if n_bad:
        raise InputError(f"{path}: branch {JET_PREFIX}_pt has {n_bad} of {len(arrays['pt'])} "
                         "events with fewer than two jets")
    table = {}
    for q in JET_QUANTITIES:
        table[f"{q}_a"] = ak.to_numpy(arrays[q][:, 0]) if len(arrays[q]) else np.zeros(0)
        table[f"{q}_b"] = ak.to_numpy(arrays[q][:, 1]) if len(arrays[q]) else np.zeros(0)
    table["label"] = ak.to_numpy(arrays["label"])
    table["weight"] = ak.to_numpy(arrays["weight"])
    return table


# ------------------------------------------------------------------------ other sources
def read_lhco_dijets(path, key: str = "df") -> dict:
    """Dijet table from an LHCO R&D high-level HDF5 file (pandas, ``key``).

    A row whose jet 1 or jet 2 has px, py, pz and m all 0 has fewer than two jets and is
    an error (the file and the number of such rows are named)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        df = pd.read_hdf(path, key=key)
    except KeyError as err:
        raise InputError(f"{path}: no key '{key}' in this HDF5 file") from err
    except Exception as err:
        raise InputError(f"{path}: not a readable pandas HDF5 file ({type(err).__name__}: {err})") from err
    missing = [c for c in LHCO_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: key '{key}' has no column {missing[0]!r} (LHCO R&D format)")
    for c in [c for c in (*LHCO_COLUMNS, "label") if c in df.columns]:
        check_finite(path, c, df[c].to_numpy())
    no_jet = np.zeros(len(df), dtype=bool)
    for j in ("j1", "j2"):
        no_jet |= (df[[f"{c}{j}" for c in ("px", "py", "pz", "m")]] == 0).all(axis=1).to_numpy()
    n_bad = int(no_jet.sum())
    if n_bad:
        raise InputError(f"{path}: {n_bad} of {len(df)} rows have fewer than two jets "
                         "(px, py, pz and m of j1 or j2 all 0)")
    table = {}
    for j, s in (("j1", "a"), ("j2", "b")):
        px, py, pz, m = (df[f"{c}{j}"].to_numpy(float) for c in ("px", "py", "pz", "m"))
        pt = np.hypot(px, py)
        table[f"pt_{s}"], table[f"eta_{s}"] = pt, np.arcsinh(np.divide(pz, pt, out=np.zeros_like(pz), where=pt > 0))
        table[f"phi_{s}"], table[f"m_{s}"] = np.arctan2(py, px), m
        for t in ("tau1", "tau2", "tau3"):
            table[f"{t}_{s}"] = df[f"{t}{j}"].to_numpy(float)
    if "label" in df.columns:
        table["label"] = df["label"].to_numpy().astype(np.int8)
    return table


def read_flat_root_dijets(path, tree: str, branch_map: dict) -> dict:
    """Dijet table from a flat ROOT ntuple.

    ``branch_map`` maps ``{quantity}_j1`` / ``{quantity}_j2`` (quantities of
    :data:`radflow.features.JET_QUANTITIES`; pt, eta, phi, m required) and optionally
    ``label`` and ``weight`` to branch names. Every branch must hold one value per event
    (a jagged branch is an error), and an event with a jet pT <= 0 GeV (no second jet) is
    an error naming the file and the number of such events.
    """
    need = [f"{q}_{j}" for q in REQUIRED_JET_QUANTITIES for j in ("j1", "j2")]
    missing = [k for k in need if k not in branch_map]
    if missing:
        raise InputError(f"{path}: branch map has no entry for {missing} (config 'branches')")
    arrays = _read_branches(path, tree, branch_map)
    for k, v in arrays.items():
        if v.ndim != 1:
            raise InputError(f"{path}: TTree '{tree}' branch {branch_map[k]!r} is jagged "
                             f"({v.type.content} per event); a flat ntuple needs one value "
                             "per event")
    table = {k.replace("_j1", "_a").replace("_j2", "_b"): ak.to_numpy(v) for k, v in arrays.items()}
    n_bad = int(((table["pt_a"] <= 0) | (table["pt_b"] <= 0)).sum())
    if n_bad:
        raise InputError(f"{path}: TTree '{tree}' has {n_bad} of {len(table['pt_a'])} events "
                         f"with fewer than two jets (branch {branch_map['pt_j1']!r} or "
                         f"{branch_map['pt_j2']!r} <= 0)")
    return table
