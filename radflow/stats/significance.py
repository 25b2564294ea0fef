"""Significance conversions, one-sided as in every bump hunt here: a p-value p and its
Gaussian-equivalent Z with p = 1 - Phi(Z) (Z = 1.64 at p = 0.05, 5 at 2.87e-7)."""
from __future__ import annotations

import numpy as np

# scipy.special is imported where it is used: the Snakefile's config check reads
# radflow.stats.fit.N_PARAMS, and every Snakemake start would import it.


def z_of_p(p):
    """One-sided Z = Phi^-1(1 - p) of a p-value (scalar -> float, array -> array)."""
    from scipy import special

    # scipy.stats' norm.isf (-ndtri(p), + 0 as its loc: Z = 0.0, not -0.0, at p = 0.5),
    # without scipy.stats' 0.4 s of import in every job
    z = -special.ndtri(p) + 0.0
    return float(z) if np.ndim(z) == 0 else z


def p_of_z(z):
    """One-sided p = 1 - Phi(Z) of a significance (scalar -> float, array -> array)."""
    from scipy import special

    p = special.ndtr(-np.asarray(z, float))  # norm.sf
    return float(p) if np.ndim(p) == 0 else p


def excess_z(p: float) -> float:
    """:func:`z_of_p` of an excess, 0 for p >= 0.5 (no excess has negative significance)."""
    return max(z_of_p(p), 0.0)
