"""Bump-hunt statistics: the dijet function, a sideband fit, the SR prediction and the
profile-likelihood significance (SA-CWoLa paper, eqs. 2.4-2.6; CWoLa Hunting, eq. 4.1).

- dsigma/dmjj = p0 (1 - x)^p1 / x^(p2 + p3 ln x), x = mjj / sqrt(s), sqrt(s) = 13 TeV.
- Binned Poisson likelihood fit to the sideband bins (the SR bins masked) with iminuit;
  a fit that does not converge raises :class:`FitError`.
- The SR prediction b = sum of the fitted expectations in the SR bins, its uncertainty
  sigma propagated from the fit covariance.
- L(mu, theta) = Poisson(n | b + theta + mu) Gauss(theta | 0, sigma);
  q0 = -2 log lambda0 if the fitted mu > 0, else 0; Z = sqrt(q0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

SQRT_S = 13000.0  # GeV
# Gauss-Legendre nodes to integrate the fit function over each bin.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(5)


class FitError(RuntimeError):
    """The sideband fit did not converge; the message has Minuit's diagnosis."""


def dijet_function(mjj, p0, p1, p2, p3, sqrt_s=SQRT_S):
    """Dijet function (events per GeV) at mjj (GeV)."""
    x = np.asarray(mjj, float) / sqrt_s
    return p0 * (1.0 - x) ** p1 / x ** (p2 + p3 * np.log(x))


def expected_counts(edges, params, sqrt_s=SQRT_S):
    """Integral of the dijet function over each bin (GeV edges), shape (n_bins,)."""
    lo, hi = np.asarray(edges[:-1], float), np.asarray(edges[1:], float)
    half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
    pts = mid[:, None] + half[:, None] * _GL_X[None, :]
    return (dijet_function(pts, *params, sqrt_s=sqrt_s) * _GL_W[None, :]).sum(axis=1) * half


@dataclass
class FitResult:
    params: np.ndarray        # (p0, p1, p2, p3) with p0 in events / GeV
    cov: np.ndarray           # (4, 4) covariance of params
    edges: np.ndarray         # bin edges (GeV)
    fit_bins: np.ndarray      # bool (n_bins,): bins used in the fit (sidebands)
    nll: float

    def expected(self) -> np.ndarray:
        return expected_counts(self.edges, self.params)

    def prediction(self, bins) -> tuple[float, float]:
        """Predicted events in ``bins`` (bool mask) and its uncertainty from the fit
        covariance (numerical gradient, linear propagation)."""
        bins = np.asarray(bins, bool)

        def total(p):
            return expected_counts(self.edges, p)[bins].sum()

        b = total(self.params)
        grad = np.empty(4)
        for i in range(4):
            h = 1e-5 * max(abs(self.params[i]), 1e-3)
            up, dn = self.params.copy(), self.params.copy()
            up[i] += h
            dn[i] -= h
            grad[i] = (total(up) - total(dn)) / (2 * h)
        return float(b), float(np.sqrt(max(grad @ self.cov @ grad, 0.0)))


def _log_dijet(edges_pts, theta, c, d, sqrt_s):
    """ln f at points for internal parameters theta = (a0, p1, a2, p3), centred at
    ln x = c and ln(1 - x) = d, which removes most of the parameter correlations."""
    x = edges_pts / sqrt_s
    lx = np.log(x) - c
    return theta[0] + theta[1] * (np.log1p(-x) - d) - theta[2] * lx - theta[3] * lx * lx


def _to_paper(c, d):
    """Linear map (a0, p1, a2, p3) -> (ln p0, p1, p2, p3), as a matrix A (phi = A theta)."""
    return np.array([[1.0, -d, c, -c * c], [0, 1, 0, 0], [0, 0, 1, -2 * c], [0, 0, 0, 1]])


def fit_sidebands(counts, edges, fit_bins, start=(10.0, 5.0, 0.0), sqrt_s=SQRT_S) -> FitResult:
    """Binned Poisson maximum-likelihood fit of the dijet function to the ``fit_bins``.

    Minimized: the Poisson deviance sum(mu - n + n ln(n / mu)) / 1 (same minimum as the
    negative log-likelihood, small absolute values for numerical precision), in centred
    internal parameters; ``start`` are the starting p1, p2, p3.
    """
    from iminuit import Minuit

    counts = np.asarray(counts, float)
    edges = np.asarray(edges, float)
    fit_bins = np.asarray(fit_bins, bool)
    n = counts[fit_bins]
    if n.sum() <= 0:
        raise FitError("sideband fit: no events in the fit bins")
    lo, hi = edges[:-1][fit_bins], edges[1:][fit_bins]
    half = 0.5 * (hi - lo)
    pts = 0.5 * (hi + lo)[:, None] + half[:, None] * _GL_X[None, :]
    c = float(np.log(pts / sqrt_s).mean())
    d = float(np.log1p(-pts / sqrt_s).mean())
    a = _to_paper(c, d)
    # Starting values: the shape of ``start`` normalized to the observed events.
    phi0 = np.array([0.0, *start])
    theta0 = np.linalg.solve(a, phi0)
    shape = (np.exp(_log_dijet(pts, theta0, c, d, sqrt_s)) * _GL_W).sum(axis=1) * half
    if not (np.isfinite(shape.sum()) and shape.sum() > 0):
        raise FitError(f"sideband fit: starting values {start} give no finite expectation")
    theta0[0] += np.log(n.sum() / shape.sum())
    nlogn = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0)), 0.0)
    x = pts / sqrt_s
    # ln f = theta . g(x): the model is log-linear in the internal parameters, so the
    # gradient and the Hessian of the NLL are exact quadratures.
    g = np.stack([np.ones_like(x), np.log1p(-x) - d, -(np.log(x) - c), -(np.log(x) - c) ** 2])

    def moments(theta):
        with np.errstate(all="ignore"):
            f = np.exp(np.tensordot(theta, g, axes=1)) * _GL_W * half[:, None]  # (bins, nodes)
        mu = f.sum(axis=1)
        dmu = np.einsum("kbn,bn->bk", g, f)                                        # (bins, 4)
        return mu, dmu, f

    def nll(theta):
        mu = moments(theta)[0]
        if not np.all(np.isfinite(mu)) or np.any(mu <= 0):
            return 1e300
        return float(np.sum(mu - n - n * np.log(mu) + nlogn))

    def grad(theta):
        mu, dmu, _ = moments(theta)
        return ((1.0 - n / mu)[:, None] * dmu).sum(axis=0)

    def hessian(theta):
        mu, dmu, f = moments(theta)
        d2 = np.einsum("kbn,lbn,bn->bkl", g, g, f)
        return (np.einsum("b,bk,bl->kl", n / mu**2, dmu, dmu)
                + np.einsum("b,bkl->kl", 1.0 - n / mu, d2))

    m = Minuit(nll, theta0, grad=grad, name=("a0", "p1", "a2", "p3"))
    m.errordef = Minuit.LIKELIHOOD
    m.strategy = 2
    m.migrad(ncall=20000)
    if not m.valid:
        m.migrad(ncall=20000)
    theta = np.array(m.values)
    h = hessian(theta)
    if not m.valid or not np.all(np.isfinite(h)) or np.any(np.linalg.eigvalsh(h) <= 0):
        raise FitError(f"sideband fit did not converge: {m.fmin}")
    cov_theta = np.linalg.inv(h)
    phi = a @ theta
    jac = np.diag([np.exp(phi[0]), 1.0, 1.0, 1.0]) @ a      # d(p0, p1, p2, p3)/d(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        params = np.r_[np.exp(phi[0]), phi[1:]]
        cov = jac @ cov_theta @ jac.T
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov))):
        raise FitError(f"sideband fit ran away: parameters {params}")
    return FitResult(params, cov, edges, fit_bins, m.fval)


def _q0(n: float, b: float, sigma: float) -> float:
    """-2 log lambda0 with mu free in sign: unconditional maximum mu = n - b, theta = 0;
    conditional (mu = 0): lam = b + theta solves lam^2 + (sigma^2 - b) lam - n sigma^2 = 0."""
    if sigma <= 0:
        lam = b
    else:
        s2 = sigma * sigma
        lam = 0.5 * (b - s2 + np.sqrt((s2 - b) ** 2 + 4.0 * n * s2))
    q0 = 2.0 * ((n * np.log(n / lam) if n > 0 else 0.0) - (n - lam))
    if sigma > 0:
        q0 += (lam - b) ** 2 / sigma**2
    return float(max(q0, 0.0))


def q0_profile(n: float, b: float, sigma: float) -> float:
    """-2 log lambda0 for L(mu, theta) = Poisson(n | b + theta + mu) Gauss(theta | 0, sigma)
    (SA-CWoLa paper, eqs. 2.5-2.6); 0 when the fitted mu = n - b <= 0."""
    return 0.0 if n <= b else _q0(n, b, sigma)


def significance(n: float, b: float, sigma: float) -> float:
    """Z = sqrt(q0) (asymptotic, Wald/Wilks)."""
    return float(np.sqrt(q0_profile(n, b, sigma)))


def signed_significance(n: float, b: float, sigma: float) -> float:
    """+sqrt(q0) for an excess, -sqrt(q0 with mu free) for a deficit (for plots of
    deficits, as the SA-CWoLa paper's Fig. 7)."""
    z = float(np.sqrt(_q0(n, b, sigma)))
    return z if n >= b else -z


def asimov_z(s: float, b: float) -> float:
    """sqrt(2((s + b) ln(1 + s/b) - s)): Z for n = s + b with a known b."""
    return float(np.sqrt(2.0 * ((s + b) * np.log1p(s / b) - s)))


def ks_pvalue(counts, expected, bins) -> float:
    """Kolmogorov-Smirnov p-value of the observed vs fitted cumulative spectrum over
    ``bins`` (the sideband bins), with the observed event count as sample size."""
    bins = np.asarray(bins, bool)
    obs, exp = np.asarray(counts, float)[bins], np.asarray(expected, float)[bins]
    d = np.max(np.abs(np.cumsum(obs) / obs.sum() - np.cumsum(exp) / exp.sum()))
    return float(sps.kstwo.sf(d, int(obs.sum())))
