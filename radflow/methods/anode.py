"""ANODE (arXiv 2001.04990): the anomaly score R(x|m) = p_data(x|m) / p_bkg(x|m).

p_data is a conditional flow trained on signal-region data, p_bkg one trained on sideband
data and evaluated at the signal-region masses (its interpolation into the SR). Both
log-densities are in the physical feature space (radflow.ml.flows), so their difference is
a likelihood ratio whatever preprocessing each flow uses.
"""
from __future__ import annotations

import numpy as np


def log_likelihood_ratio(log_p_data, log_p_bkg) -> np.ndarray:
    """log R (N,) from the two flows' log-densities (N,), nats. An event outside either
    flow's support (log-density -inf) is an error: R would be undefined there."""
    log_p_data, log_p_bkg = np.asarray(log_p_data, float), np.asarray(log_p_bkg, float)
    bad = ~(np.isfinite(log_p_data) & np.isfinite(log_p_bkg))
    if bad.any():
        raise ValueError(f"ANODE: {int(bad.sum())} events outside a flow's support "
                         "(log-density not finite); fit the preprocessing on them")
    return log_p_data - log_p_bkg
