"""Deciding a paper's statement against a statistical error, with three outcomes.

A measurement is an *estimate*: a dict with its central value (``mean``), standard error
(``err``), degrees of freedom (``dof``: n - 1 for the mean of n independent repetitions,
None for an error known from counting statistics, e.g. an AUC's Hanley-McNeil error) and
its two-sided :data:`LEVEL` confidence interval [``lo``, ``hi``]: mean -+ t_{dof} err
(Student's t for a spread over repetitions, the Gaussian quantile when ``dof`` is None).

A statement is decided by where the whole interval lies (:func:`at_least`,
:func:`at_most`, :func:`within`, combined by :func:`all_of`):

- ``holds``: the whole interval satisfies the statement;
- ``fails``: the whole interval violates it;
- ``undetermined``: the interval straddles the bound, or there is no error (one repetition)
  or no measurement. ``leans`` then says which side the central value is on.

Every statement in a study summary is a dict made by :func:`claim`: the paper's words,
the measured estimates, the criterion, ``verdict`` and ``leans``.
"""
from __future__ import annotations

import math

import numpy as np

#: Two-sided confidence level of every interval a statement is decided on.
LEVEL = 0.95
HOLDS, FAILS, UNDETERMINED = "holds", "fails", "undetermined"
VERDICTS = (HOLDS, FAILS, UNDETERMINED)


def quantile(dof) -> float:
    """Half-width of the :data:`LEVEL` interval in standard errors: Student's t with
    ``dof`` degrees of freedom, the Gaussian quantile for ``dof`` None (1.96 at 95%)."""
    from scipy import stats                  # 0.4 s of import: only where it is used

    q = 0.5 + LEVEL / 2
    return float(stats.norm.ppf(q) if dof is None else stats.t.ppf(q, dof))


def estimate(mean, err, dof=None, **extra) -> dict:
    """An estimate (module docstring) of ``mean`` with standard error ``err`` (None: no
    error, no interval) and ``dof`` (None: Gaussian); ``extra`` keys are kept."""
    out = {"mean": None if mean is None else float(mean),
           "err": None if err is None else float(err), "dof": dof, **extra}
    if mean is None or err is None:
        out.update(lo=None, hi=None, level=LEVEL)
    else:
        half = quantile(dof) * float(err)
        out.update(lo=float(mean) - half, hi=float(mean) + half, level=LEVEL)
    return out


def overlap_factor(n: int, overlap: float) -> float:
    """Factor on std / sqrt(n) that makes it the standard error of the mean of ``n``
    repetitions whose pairwise correlation is at most ``overlap`` (repetitions drawing
    the fraction ``overlap`` of one background pool: radflow.inject.background_draw):
    sqrt((1 + (n - 1) overlap) / (1 - overlap)). The sample variance of such repetitions
    expects (1 - overlap) of one repetition's variance and their mean has (1 + (n - 1)
    overlap) / n of it; taking all of the variance as the background's is conservative
    (docs/samples.md, "Repetitions"). 1 for independent repetitions."""
    if not 0 <= overlap < 1:
        raise ValueError(f"overlap {overlap} is not in [0, 1)")
    return math.sqrt((1 + (n - 1) * overlap) / (1 - overlap))


def spread(values, overlap: float = 0.0) -> dict:
    """Mean of repetitions as an estimate with dof = n - 1, plus ``std`` (sample standard
    deviation), ``n`` and ``overlap``; std, err and the interval are None for fewer than two
    values (None values are skipped). The error is std / sqrt(n) times
    :func:`overlap_factor` of ``overlap``, the background fraction that the repetitions
    share (0: independent)."""
    v = np.asarray([x for x in values if x is not None], float)
    n = len(v)
    if n == 0:
        return estimate(None, None, None, std=None, n=0, overlap=overlap)
    std = float(v.std(ddof=1)) if n > 1 else None
    return estimate(v.mean(), None if std is None else std / math.sqrt(n) * overlap_factor(n, overlap),
                    n - 1 if n > 1 else None, std=std, n=n, overlap=overlap)


def robust(values, capped=(), overlap: float = 0.0) -> dict:
    """Median and MAD (scaled by 1.4826, a Gaussian sigma) of the runs' values, with the
    mean estimate of :func:`spread` (``overlap`` as there), the count of runs without a value (None: e.g. failed
    fits) and of values that are lower bounds (``capped``: one bool per value)."""
    v = [x for x in values if x is not None]
    out = spread(v, overlap)
    out.update(median=float(np.median(v)) if v else None,
               mad=float(1.4826 * np.median(np.abs(np.asarray(v) - np.median(v)))) if v else None,
               n_failed=len(values) - len(v), n_capped=int(sum(capped)))
    return out


def difference(a: dict, b: dict) -> dict:
    """Estimate of mean_a - mean_b of two independent estimates; the error adds in
    quadrature, the degrees of freedom by Welch-Satterthwaite (None when both are None).
    For a ratio or difference within each repetition use :func:`spread` of the per-repetition
    values instead (it keeps their correlation)."""
    if a["mean"] is None or b["mean"] is None:
        return estimate(None, None)
    if a["err"] is None or b["err"] is None:
        return estimate(a["mean"] - b["mean"], None)
    err = math.hypot(a["err"], b["err"])
    if a["dof"] is None and b["dof"] is None:
        dof = None
    else:
        terms = [e ** 4 / d for e, d in ((a["err"], a["dof"]), (b["err"], b["dof"]))
                 if d is not None]
        dof = err ** 4 / sum(terms) if sum(terms) > 0 else None
    return estimate(a["mean"] - b["mean"], err, dof)


def auc_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC from n_pos positive and n_neg negative test events (Hanley &
    McNeil 1982; exact for exponential score distributions, ~15% conservative for Gaussian
    ones, tests/test_claims.py)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc))
    return float(math.sqrt(max(var, 0.0) / (n_pos * n_neg)))


def decision(verdict: str, central_holds) -> dict:
    """{"verdict", "leans"}: ``leans`` is the verdict when determined, else whether the
    central value satisfies the statement (``central_holds``; None without a value)."""
    if verdict != UNDETERMINED or central_holds is None:
        return {"verdict": verdict, "leans": verdict if verdict != UNDETERMINED else None}
    return {"verdict": verdict, "leans": HOLDS if central_holds else FAILS}


def _decide(est: dict, ok_all, bad_all, ok_central) -> dict:
    if est is None or est.get("mean") is None:
        return decision(UNDETERMINED, None)
    if est.get("lo") is None:
        return decision(UNDETERMINED, ok_central(est["mean"]))
    lo, hi = est["lo"], est["hi"]
    verdict = HOLDS if ok_all(lo, hi) else FAILS if bad_all(lo, hi) else UNDETERMINED
    return decision(verdict, ok_central(est["mean"]))


def at_least(est: dict, bound: float) -> dict:
    """'value >= bound' (also 'better than B by more than X' with est = A - B, bound = X):
    holds when the interval lies above ``bound``, fails when it lies below."""
    return _decide(est, lambda lo, hi: lo >= bound, lambda lo, hi: hi < bound,
                   lambda m: m >= bound)


def at_most(est: dict, bound: float) -> dict:
    """'value <= bound': holds when the interval lies below ``bound``, fails when above."""
    return _decide(est, lambda lo, hi: hi <= bound, lambda lo, hi: lo > bound,
                   lambda m: m <= bound)


def within(est: dict, lo_bound: float, hi_bound: float) -> dict:
    """'lo_bound <= value <= hi_bound' (e.g. 'A within X of B' with est = A - B and bounds
    -X, X): holds when the whole interval lies inside, fails when it lies wholly outside."""
    return _decide(est, lambda lo, hi: lo >= lo_bound and hi <= hi_bound,
                   lambda lo, hi: hi < lo_bound or lo > hi_bound,
                   lambda m: lo_bound <= m <= hi_bound)


def all_of(decisions) -> dict:
    """Conjunction: fails if any fails, holds if all hold, else undetermined (leaning to
    holds when every part holds or leans to holds)."""
    decisions = list(decisions)
    verdicts = [d["verdict"] for d in decisions]
    if FAILS in verdicts:
        return decision(FAILS, False)
    if all(v == HOLDS for v in verdicts):
        return decision(HOLDS, True)
    leans = [d["leans"] for d in decisions]
    return decision(UNDETERMINED, None if None in leans else all(x == HOLDS for x in leans))


def any_of(decisions) -> dict:
    """Disjunction: holds if any holds, fails if all fail, else undetermined (leaning to
    holds when some part holds or leans to holds)."""
    decisions = list(decisions)
    verdicts = [d["verdict"] for d in decisions]
    if HOLDS in verdicts:
        return decision(HOLDS, True)
    if verdicts and all(v == FAILS for v in verdicts):
        return decision(FAILS, False)
    leans = [d["leans"] for d in decisions]
    return decision(UNDETERMINED, None if not leans or None in leans
                    else any(x == HOLDS for x in leans))


def test(passed: bool) -> dict:
    """A decision from a test with two outcomes (e.g. a goodness-of-fit p-value above its
    threshold): holds or fails, never undetermined."""
    return decision(HOLDS if passed else FAILS, bool(passed))


def claim(paper: str, measured: dict, criterion: str, decided: dict) -> dict:
    """One statement of a summary (module docstring): ``decided`` from :func:`at_least`,
    :func:`at_most`, :func:`within` or :func:`all_of`."""
    if decided["verdict"] not in VERDICTS:
        raise ValueError(f"claim {paper!r}: verdict {decided['verdict']!r} not one of {VERDICTS}")
    return {"paper": paper, "measured": measured, "criterion": criterion,
            "verdict": decided["verdict"], "leans": decided["leans"], "level": LEVEL}
