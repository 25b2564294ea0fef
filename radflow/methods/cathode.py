"""CATHODE (arXiv 2109.00546): a background template in the signal region sampled from a
sideband-trained conditional flow, and a classifier data vs template.

Masses of the template are drawn from a Gaussian kernel density estimate of the SR data's
mjj in logit space (CATHODE's ``bw = 0.01``), so they follow the SR mjj shape and stay
inside the SR. The classifier sees data and template with balanced class weights.
"""
from __future__ import annotations

import numpy as np


def sample_sr_masses(mjj_sr, n: int, signal_region, bandwidth: float, seed: int) -> np.ndarray:
    """n masses (GeV) from a Gaussian KDE of the SR data masses ``mjj_sr`` (N,), GeV, built
    on t = logit((m - lo) / (hi - lo)) for the SR edges (lo, hi) with kernel width
    ``bandwidth`` in t; every draw lies inside the SR."""
    mjj_sr = np.asarray(mjj_sr, float)
    lo, hi = map(float, signal_region)
    if len(mjj_sr) == 0:
        raise ValueError(f"CATHODE: no data events in the signal region [{lo:g}, {hi:g}] GeV "
                         "to build the mass KDE from")
    u = np.clip((mjj_sr - lo) / (hi - lo), 1e-6, 1 - 1e-6)
    t = np.log(u) - np.log1p(-u)
    rng = np.random.default_rng(seed)
    draw = t[rng.integers(0, len(t), n)] + bandwidth * rng.standard_normal(n)
    return lo + (hi - lo) / (1.0 + np.exp(-draw))


def balanced_weights(is_first, n_first: int, n_second: int) -> np.ndarray:
    """Class weights (N,) making the two classes' total weights equal (Keras'
    ``class_weight='balanced'`` up to a common factor): 1 for the first class, n_first /
    n_second for the second."""
    return np.where(is_first, 1.0, n_first / n_second)
