"""HDF5 column files (features, regions, scores): one 1-D dataset per column, units as
attributes; and the atomic-output helper every writer uses, so that a failure leaves no
partial output behind. Needs only h5py and NumPy (no ROOT stack), so plotting and
statistics jobs can read their inputs with it."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import h5py
import numpy as np

from radflow.events.features import UNITS


class InputError(RuntimeError):
    """Unreadable or malformed input; the message names the file and the key or branch."""


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path next to ``path``; rename it to ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_columns(path, columns: dict, attrs: dict | None = None) -> None:
    """Write 1-D arrays as HDF5 datasets (units from :data:`UNITS` as attributes)."""
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for name, values in columns.items():
                d = f.create_dataset(name, data=np.asarray(values))
                d.attrs["unit"] = UNITS.get(name, "")
            for k, v in (attrs or {}).items():
                f.attrs[k] = v


def read_columns(path, columns=None) -> dict:
    """Read all (or the named) datasets of an HDF5 column file into a dict of arrays."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with h5py.File(path, "r") as f:
            names = list(f.keys()) if columns is None else list(columns)
            missing = [c for c in names if c not in f]
            if missing:
                raise InputError(f"{path}: no column {missing[0]!r} (has {sorted(f.keys())})")
            return {c: f[c][()] for c in names}
    except OSError as err:
        raise InputError(f"{path}: not a readable HDF5 file ({err})") from err
