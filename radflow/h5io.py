"""HDF5 column files (features, regions, scores): one 1-D dataset per column, units as
attributes; and the atomic-output helper every writer uses, so that a failure leaves no
partial output behind. Float columns must be finite: NaN or inf is refused on write and
on read, with the file, the column and the count in the message. Needs only h5py and
NumPy (no ROOT stack), so plotting and statistics jobs can read their inputs with it."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import h5py
import numpy as np

from radflow.units import UNITS


class InputError(RuntimeError):
    """Unreadable or malformed input; the message names the file and the key or branch."""


def count_nonfinite(values) -> int:
    """Number of NaN/inf entries of an array of any shape (0 for non-float dtypes)."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.inexact):
        return 0
    return int(np.count_nonzero(~np.isfinite(values)))


def check_finite(path, name: str, values, kind: str = "column") -> None:
    """Raise :class:`InputError` if ``values`` hold NaN/inf; the message names the file
    ``path``, the ``kind`` ('column' or 'branch') ``name`` and the number of bad values."""
    n = count_nonfinite(values)
    if n:
        raise InputError(f"{path}: {kind} {name!r} has {n} non-finite values (NaN/inf)")


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
    """Write 1-D arrays as HDF5 datasets (units from :data:`UNITS` as attributes).

    Raises ValueError naming ``path`` and the column, before writing anything, if a float
    column holds NaN or inf."""
    columns = {name: np.asarray(values) for name, values in columns.items()}
    for name, values in columns.items():
        n = count_nonfinite(values)
        if n:
            raise ValueError(f"{path}: refusing to write column {name!r} with {n} "
                             "non-finite values (NaN/inf)")
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for name, values in columns.items():
                d = f.create_dataset(name, data=values)
                d.attrs["unit"] = UNITS.get(name, "")
            for k, v in (attrs or {}).items():
                f.attrs[k] = v


def read_columns(path, columns=None) -> dict:
    """Read all (or the named) datasets of an HDF5 column file into a dict of arrays.

    Raises :class:`InputError` naming the file and column if a float column holds NaN/inf."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with h5py.File(path, "r") as f:
            names = list(f.keys()) if columns is None else list(columns)
            missing = [c for c in names if c not in f]
            if missing:
                raise InputError(f"{path}: no column {missing[0]!r} (has {sorted(f.keys())})")
            out = {c: f[c][()] for c in names}
    except OSError as err:
        raise InputError(f"{path}: not a readable HDF5 file ({err})") from err
    for c, values in out.items():
        check_finite(path, c, values)
    return out


def read_attrs(path) -> dict:
    """The file-level attributes of an HDF5 column file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    with h5py.File(path, "r") as f:
        return {k: (v.item() if hasattr(v, "item") and np.ndim(v) == 0 else v) for k, v in f.attrs.items()}
