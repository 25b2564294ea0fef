"""CWoLa and simulation-augmented CWoLa training targets (labels and event weights).

CWoLa (SR vs SB, label 1 for SR): region weights make the low and high sidebands carry
equal total weight, the sidebands together the same weight as the SR, and all weights sum
to the number of events (the CWoLa Hunting and SA-CWoLa papers).

SA-CWoLa adds the background-only simulation, weighted by lambda, to penalize a classifier
that learns SR-vs-SB differences the simulation also has. Two forms:

- ``eq23`` (the paper's eq. 2.3 as written): sim SR -> 1, SB -> 0 like the data, with the
  weights -lambda x region weights, i.e. + lambda (sum_SR,sim log f + sum_SB,sim log(1-f)).
  The term is unbounded below as f -> 0 on SR sim; the guard is the one of the paper's
  Keras implementation: the loss clips f to [1e-7, 1 - 1e-7] (radflow.ml.ensemble).
- ``flipped`` (bounded variant, not in the paper): sim SR -> 0, SB -> 1 with weights
  + lambda x region weights.

lambda = 0 gives exactly the CWoLa loss in both forms.
"""
from __future__ import annotations

import numpy as np


def region_weights(sr, sb_low, sb_high) -> np.ndarray:
    """Per-event weights from boolean masks (N,): SR total = SB total, SB low = SB high,
    sum over SR and SB events = their number; 0 outside SR and SB."""
    sr, lo, hi = (np.asarray(a, bool) for a in (sr, sb_low, sb_high))
    n = sr.sum() + lo.sum() + hi.sum()
    w = np.zeros(len(sr))
    for mask, share in ((sr, 0.5), (lo, 0.25), (hi, 0.25)):
        if mask.any():
            w[mask] = share * n / mask.sum()
    return w


def sa_cwola_targets(is_sim, sr, sb_low, sb_high, lam: float, form: str = "eq23"):
    """Labels and weights (N,) for SA-CWoLa on data + sim events (``is_sim`` marks sim).

    Data: SR -> 1, SB -> 0, CWoLa region weights. Sim, with its own region weights:
    ``eq23``: SR -> 1, SB -> 0, weights times -lam; ``flipped``: SR -> 0, SB -> 1, weights
    times lam.
    """
    if form not in FORMS:
        raise ValueError(f"unknown SA-CWoLa form {form!r} (known: {FORMS})")
    is_sim, sr = np.asarray(is_sim, bool), np.asarray(sr, bool)
    sb_low, sb_high = np.asarray(sb_low, bool), np.asarray(sb_high, bool)
    flip = is_sim & (form == "flipped")
    labels = np.where(flip, ~sr, sr).astype(np.float32)
    w = np.zeros(len(sr))
    sim_scale = -lam if form == "eq23" else lam
    for sel, scale in ((~is_sim, 1.0), (is_sim, sim_scale)):
        w[sel] = scale * region_weights(sr[sel], sb_low[sel], sb_high[sel])
    return labels, w


#: The SA-CWoLa loss forms (module docstring) and their method-name prefixes.
FORMS = ("eq23", "flipped")
PREFIX = {"eq23": "sa_cwola_l", "flipped": "sa_cwola_flip_l"}


def lambda_method(lam: float, form: str = "eq23") -> str:
    """Name of SA-CWoLa at ``lam`` in score files and metrics; lambda = 0 is plain CWoLa and
    has one name, the eq23 one, in both forms."""
    return f"{PREFIX['eq23' if lam == 0 else form]}{lam:g}"


def parse_method(method: str) -> tuple[str, float] | None:
    """(form, lambda) of an SA-CWoLa method name (inverse of :func:`lambda_method`), else None."""
    for form in ("flipped", "eq23"):            # the flipped prefix extends the eq23 one
        if method.startswith(PREFIX[form]) and method[len(PREFIX[form]):][:1].isdigit():
            return form, float(method[len(PREFIX[form]):])
    return None


def resolve(method: str, nominal_lambda: float) -> str:
    """Score name of a method as the paper's figures call it: 'cwola' -> lambda 0,
    'sa_cwola' -> eq. 2.3 at the nominal lambda, 'sa_cwola_flipped' -> the flipped form at
    the nominal lambda, anything else unchanged."""
    names = {"cwola": lambda_method(0.0), "sa_cwola": lambda_method(nominal_lambda),
             "sa_cwola_flipped": lambda_method(nominal_lambda, "flipped")}
    return names.get(method, method)
