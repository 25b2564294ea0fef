"""Deciding a paper's statement against a statistical error.

Every statement in a study summary is a dict made by :func:`claim`: the paper's words, the
measured numbers with their errors, the criterion, and ``holds``: True when the measurement
is consistent with the statement within ``N_SIGMA`` standard errors, False when it is not,
None when the error cannot be estimated (e.g. a single repetition) or the inputs are missing.
"""
from __future__ import annotations

import math

import numpy as np

#: Standard errors within which a measurement counts as consistent with a statement.
N_SIGMA = 2.0


def spread(values) -> dict:
    """Mean, sample standard deviation, count and standard error of the mean of independent
    repetitions; std and err are None for fewer than two values."""
    v = np.asarray([x for x in values if x is not None], float)
    n = len(v)
    if n == 0:
        return {"mean": None, "std": None, "n": 0, "err": None}
    std = float(v.std(ddof=1)) if n > 1 else None
    return {"mean": float(v.mean()), "std": std, "n": n,
            "err": None if std is None else std / math.sqrt(n)}


def robust(values, capped=()) -> dict:
    """Median and MAD (scaled by 1.4826, a Gaussian sigma) of the runs' values, with the
    mean +- standard error of :func:`spread`, the count of runs without a value (None: e.g.
    failed fits) and of values that are lower bounds (``capped``: one bool per value)."""
    v = [x for x in values if x is not None]
    out = spread(v)
    out.update(median=float(np.median(v)) if v else None,
               mad=float(1.4826 * np.median(np.abs(np.asarray(v) - np.median(v)))) if v else None,
               n_failed=len(values) - len(v), n_capped=int(sum(capped)))
    return out


def difference(a: dict, b: dict) -> tuple:
    """(mean_a - mean_b, its standard error) of two independent :func:`spread` results;
    the error is None when either has none."""
    err = None if a["err"] is None or b["err"] is None else math.hypot(a["err"], b["err"])
    return a["mean"] - b["mean"], err


def auc_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC from n_pos positive and n_neg negative test events (Hanley &
    McNeil 1982; exact for exponential score distributions, ~15% conservative for Gaussian
    ones, tests/test_claims.py)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc))
    return float(math.sqrt(max(var, 0.0) / (n_pos * n_neg)))


def at_most(value, err, bound) -> bool | None:
    """value <= bound within N_SIGMA errors (None without an error)."""
    if value is None or err is None:
        return None
    return bool(value - N_SIGMA * err <= bound)


def at_least(value, err, bound) -> bool | None:
    """value >= bound within N_SIGMA errors (None without an error)."""
    if value is None or err is None:
        return None
    return bool(value + N_SIGMA * err >= bound)


def above(value, err, bound) -> bool | None:
    """value > bound by more than N_SIGMA errors (a significant excess; None without an error)."""
    if value is None or err is None:
        return None
    return bool(value - N_SIGMA * err > bound)


def below(value, err, bound) -> bool | None:
    """value < bound by more than N_SIGMA errors (None without an error)."""
    if value is None or err is None:
        return None
    return bool(value + N_SIGMA * err < bound)


def all_of(results) -> bool | None:
    """True if every result is True, False if any is False, else None."""
    results = list(results)
    if any(r is not None and not r for r in results):
        return False
    return None if any(r is None for r in results) else True


def claim(paper: str, measured: dict, criterion: str, holds) -> dict:
    """One statement of a summary (module docstring)."""
    return {"paper": paper, "measured": measured, "criterion": criterion,
            "holds": None if holds is None else bool(holds)}
