"""Reference computations the tests compare the fit against: the dijet function integrated
over each bin (the model's expected counts, for drawing toy spectra) and the Asimov Z."""
import numpy as np

from radflow.stats import fit


def expected_counts(edges, params, sqrt_s=fit.SQRT_S):
    """Integral of the dijet function over each bin (GeV edges), shape (n_bins,)."""
    pts, w = fit._quadrature(edges)
    return (fit.dijet_function(pts, *params, sqrt_s=sqrt_s) * w).sum(axis=1)


def asimov_z(s: float, b: float) -> float:
    """sqrt(2((s + b) ln(1 + s/b) - s)): Z for n = s + b with a known b."""
    return float(np.sqrt(2.0 * ((s + b) * np.log1p(s / b) - s)))
