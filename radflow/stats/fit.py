"""Bump-hunt statistics: the dijet function, a sideband fit, the SR prediction and the
profile-likelihood significance (SA-CWoLa paper, eqs. 2.4-2.6; CWoLa Hunting, eq. 4.1).

- dsigma/dmjj = p0 (1 - x)^p1 / x^(p2 + p3 ln x), x = mjj / sqrt(s), sqrt(s) = 13 TeV.
- Binned Poisson likelihood fit to the sideband bins (the SR bins masked) with iminuit,
  from several starting points; a fit that does not converge, has no finite minimum or runs
  away raises :class:`FitError` (see :func:`fit_sidebands`).
- The SR prediction b = sum of the fitted expectations in the SR bins, its uncertainty
  sigma propagated from the fit covariance.
- Goodness of fit: the Poisson deviance D over the fit bins, ndf = n_fit_bins - 4,
  p = P(chi2_ndf >= D) (:meth:`FitResult.goodness_of_fit`).
- L(mu, theta) = Poisson(n | b + theta + mu) Gauss(theta | 0, sigma);
  q0 = -2 log lambda0 if the fitted mu > 0, else 0; Z = sqrt(q0) (asymptotic, and a signed Z
  for plots of deficits), or Z from pseudo-experiments for small b
  (:func:`significance_from_toys`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.stats.significance import excess_z

SQRT_S = 13000.0  # GeV
#: Free parameters of the dijet function (p0, p1, p2, p3).
N_PARAMS = 4
# Gauss-Legendre nodes to integrate the fit function over each bin.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(5)


class FitError(RuntimeError):
    """The sideband fit did not converge; the message has Minuit's diagnosis."""


def dijet_function(mjj, p0, p1, p2, p3, sqrt_s=SQRT_S):
    """Dijet function (events per GeV) at mjj (GeV)."""
    x = np.asarray(mjj, float) / sqrt_s
    return p0 * (1.0 - x) ** p1 / x ** (p2 + p3 * np.log(x))


def _basis(pts, c, d, sqrt_s):
    """g(x) with ln f = theta . g for internal parameters theta = (a0, p1, a2, p3), centred
    at ln x = c and ln(1 - x) = d (removes most parameter correlations); (4, *pts.shape)."""
    x = pts / sqrt_s
    lx = np.log(x) - c
    return np.stack([np.ones_like(x), np.log1p(-x) - d, -lx, -lx * lx])


def _to_paper(c, d):
    """Linear map (a0, p1, a2, p3) -> (ln p0, p1, p2, p3), as a matrix A (phi = A theta)."""
    return np.array([[1.0, -d, c, -c * c], [0, 1, 0, 0], [0, 0, 1, -2 * c], [0, 0, 0, 1]])


def _quadrature(edges):
    """Gauss-Legendre points (n_bins, 5) and weights times half-widths of each bin."""
    lo, hi = np.asarray(edges[:-1], float), np.asarray(edges[1:], float)
    half = 0.5 * (hi - lo)
    return 0.5 * (hi + lo)[:, None] + half[:, None] * _GL_X[None, :], _GL_W[None, :] * half[:, None]


@dataclass(frozen=True)
class GoodnessOfFit:
    """Poisson deviance of a fit (dimensionless), its degrees of freedom and chi2 p-value."""
    deviance: float
    ndf: int
    pvalue: float


@dataclass
class FitResult:
    """A converged sideband fit. Internally the log-linear, centred parameters theta (and
    their covariance) carry the fit; the paper's (p0, p1, p2, p3) are derived from them."""
    theta: np.ndarray         # (a0, p1, a2, p3)
    cov_theta: np.ndarray     # (4, 4)
    centre: tuple             # (c, d): the centring of ln x and ln(1 - x)
    edges: np.ndarray         # bin edges (GeV)
    fit_bins: np.ndarray      # bool (n_bins,): bins used in the fit (sidebands)
    nll: float                # minimized Poisson deviance / 2 over the fit bins
    sqrt_s: float = SQRT_S

    def goodness_of_fit(self) -> "GoodnessOfFit":
        """Poisson deviance D = 2 sum_i [mu_i - n_i + n_i ln(n_i / mu_i)] over the fit bins
        (= 2 :attr:`nll`, dimensionless), ndf = n_fit_bins - :data:`N_PARAMS` and
        p = chi2.sf(D, ndf): uniform for spectra the dijet function describes (Wilks; needs
        a few events per bin), small for spectra it cannot describe."""
        from scipy import special      # here: see radflow.stats.significance

        deviance = 2.0 * self.nll
        ndf = int(self.fit_bins.sum()) - N_PARAMS
        # chi2.sf(D, ndf) as scipy.stats computes it (scipy.stats itself costs 0.4 s of a
        # job's import); no degrees of freedom left: p undefined.
        pvalue = float(special.chdtrc(ndf, deviance)) if ndf > 0 else float("nan")
        return GoodnessOfFit(deviance, ndf, pvalue)

    @property
    def params(self) -> np.ndarray:
        """(p0, p1, p2, p3) of the paper's form, p0 in events / GeV."""
        phi = _to_paper(*self.centre) @ self.theta
        return np.r_[np.exp(phi[0]), phi[1:]]

    @property
    def cov(self) -> np.ndarray:
        """(4, 4) covariance of :attr:`params` (linear propagation)."""
        jac = np.diag([self.params[0], 1.0, 1.0, 1.0]) @ _to_paper(*self.centre)
        return jac @ self.cov_theta @ jac.T

    def _moments(self):
        pts, w = _quadrature(self.edges)
        g = _basis(pts, *self.centre, self.sqrt_s)
        f = np.exp(np.tensordot(self.theta, g, axes=1)) * w
        return f.sum(axis=1), np.einsum("kbn,bn->bk", g, f)          # mu (bins,), dmu (bins, 4)

    def expected(self) -> np.ndarray:
        """Fitted events per bin, (n_bins,)."""
        return self._moments()[0]

    def prediction(self, bins) -> tuple[float, float]:
        """Predicted events in ``bins`` (bool mask) and its uncertainty from the fit
        covariance (exact gradient, linear propagation)."""
        bins = np.asarray(bins, bool)
        mu, dmu = self._moments()
        grad = dmu[bins].sum(axis=0)
        return float(mu[bins].sum()), float(np.sqrt(max(grad @ self.cov_theta @ grad, 0.0)))


#: Starting (p1, p2, p3) tried after the caller's: steep, shallow and curved spectra.
ALTERNATIVE_STARTS = ((5.0, 5.0, 0.0), (20.0, 3.0, 0.0), (10.0, 8.0, 1.0), (1.0, 10.0, 0.0))
#: |ln p0| beyond this: the paper's form cannot represent the fit (p0 over- or underflows).
MAX_LOG_P0 = 700.0
#: An internal parameter error beyond this: the likelihood is flat along some direction
#: (e.g. all events in one bin), so there is no finite minimum (sane fits: errors O(0.01-10)).
MAX_PARAMETER_ERROR = 1e3


class _Likelihood:
    """Poisson deviance / 2 of the dijet function over the fit bins, in the centred internal
    parameters theta: ln f = theta . g(x) is linear in theta, so the gradient and the
    Hessian are exact quadratures. ``n``: counts of the fit bins (n_fit,)."""

    def __init__(self, n, edges, fit_bins, sqrt_s):
        self.n, self.edges, self.fit_bins, self.sqrt_s = n, edges, fit_bins, sqrt_s
        pts, self.w = (a[fit_bins] for a in _quadrature(edges))
        self.centre = (float(np.log(pts / sqrt_s).mean()), float(np.log1p(-pts / sqrt_s).mean()))
        self.nlogn = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0)), 0.0)
        self.g = _basis(pts, *self.centre, sqrt_s)
        self._g_flat = self.g.reshape(N_PARAMS, -1)
        self._last = (None, None)

    def weighted_f(self, theta):
        """f (events / GeV) at the quadrature nodes times their weights (GeV), (n_fit, nodes),
        as np.tensordot(theta, g, 1) computes ln f. The last theta's array is kept: MIGRAD
        asks for the gradient where it has just evaluated the likelihood."""
        theta = np.asarray(theta, float)
        key = theta.tobytes()
        if key != self._last[0]:
            with np.errstate(all="ignore"):
                f = np.exp(np.dot(theta.reshape(1, N_PARAMS), self._g_flat)
                           .reshape(self.w.shape)) * self.w
            self._last = (key, f)
        return self._last[1]

    def moments(self, theta):
        f = self.weighted_f(theta)
        return f.sum(axis=1), np.einsum("kbn,bn->bk", self.g, f), f

    def nll(self, theta):
        mu = self.weighted_f(theta).sum(axis=1)
        if not (mu.min() > 0 and mu.max() < np.inf):      # a NaN fails both
            return 1e300
        return float(np.sum(mu - self.n - self.n * np.log(mu) + self.nlogn))

    def grad(self, theta):
        return self._grad(*self.moments(theta)[:2])

    def hessian(self, theta):
        return self._hessian(*self.moments(theta))

    def derivatives(self, theta):
        """(gradient (4,), Hessian (4, 4)) at ``theta`` from one evaluation of the moments."""
        mu, dmu, f = self.moments(theta)
        return self._grad(mu, dmu), self._hessian(mu, dmu, f)

    def _grad(self, mu, dmu):
        return ((1.0 - self.n / mu)[:, None] * dmu).sum(axis=0)

    def _hessian(self, mu, dmu, f):
        d2 = np.einsum("kbn,lbn,bn->bkl", self.g, self.g, f)
        return (np.einsum("b,bk,bl->kl", self.n / mu**2, dmu, dmu)
                + np.einsum("b,bkl->kl", 1.0 - self.n / mu, d2))

    def result(self, theta, nll: float, where: str):
        """(FitResult, None) at a minimum ``theta``, or (None, reason) when the Hessian there
        is not positive definite, a parameter error exceeds :data:`MAX_PARAMETER_ERROR` or
        |ln p0| exceeds :data:`MAX_LOG_P0`."""
        with np.errstate(all="ignore"):
            h = self.hessian(theta)
        if not np.all(np.isfinite(h)) or np.any(np.linalg.eigvalsh(h) <= 0):
            return None, f"no positive-definite Hessian at the minimum {where}"
        cov = np.linalg.inv(h)
        if np.sqrt(np.diag(cov)).max() > MAX_PARAMETER_ERROR:
            return None, f"no finite minimum {where} (flat direction, errors {np.sqrt(np.diag(cov))})"
        phi = _to_paper(*self.centre) @ theta
        if abs(phi[0]) > MAX_LOG_P0:
            return None, f"ran away {where}: p1, p2, p3 = {np.round(phi[1:], 1)}"
        return FitResult(theta, cov, self.centre, self.edges, self.fit_bins, nll, self.sqrt_s), None


def _why_invalid(fmin) -> str:
    """MIGRAD's reasons for an invalid minimum, in words."""
    flags = ((fmin.has_reached_call_limit, f"call limit reached after {fmin.nfcn} calls"),
             (fmin.is_above_max_edm, f"EDM {fmin.edm:.3g} above {fmin.edm_goal:.3g}"),
             (not fmin.has_covariance, "no covariance"), (fmin.hesse_failed, "HESSE failed"))
    why = [text for flag, text in flags if flag]
    return ", ".join(why) or "invalid minimum"


def fit_sidebands(counts, edges, fit_bins, start=(10.0, 5.0, 0.0), sqrt_s=SQRT_S) -> FitResult:
    """Binned Poisson maximum-likelihood fit of the dijet function to the ``fit_bins``.

    Minimized with iminuit (MIGRAD, strategy 2): the Poisson deviance / 2, in centred
    internal parameters, from ``start`` (p1, p2, p3) and then :data:`ALTERNATIVE_STARTS`;
    the valid minimum with the lowest deviance wins. Each start gets MIGRAD's own call
    budget (200 + 100 k + 5 k^2 = 680 calls for k = 4 parameters; iminuit repeats an invalid
    minimum with SIMPLEX and MIGRAD up to 5 times, and the start is tried once more):
    converged starts take ~100 calls; a start still invalid after that has run away along a
    flat direction (spectra of a few events). A budget of 20,000 calls a pass changed none
    of the 4,000 fits of a default run's bump hunts, KS tests and mass scan, at 1.6x their
    CPU time. Raises :class:`FitError` when no start
    converges to a minimum with a positive-definite Hessian and parameter errors below
    :data:`MAX_PARAMETER_ERROR`, or when the only minima need |ln p0| > 700 (cancelling
    parameters of O(100+), a shape the dijet function cannot represent: 'ran away'), and
    when there are not more fit bins than :data:`N_PARAMS` (no degrees of freedom left for
    the goodness of fit).

    ``counts``: events per bin, shape (n_bins,); ``edges``: GeV, (n_bins + 1,);
    ``fit_bins``: bool (n_bins,).
    """
    from iminuit import Minuit

    counts = np.asarray(counts, float)
    edges = np.asarray(edges, float)
    fit_bins = np.asarray(fit_bins, bool)
    n = counts[fit_bins]
    if len(n) <= N_PARAMS:
        raise FitError(f"sideband fit: {len(n)} fit bins for {N_PARAMS} parameters, no degrees "
                       "of freedom left for the goodness of fit")
    if n.sum() <= 0:
        raise FitError("sideband fit: no events in the fit bins")
    lik = _Likelihood(n, edges, fit_bins, sqrt_s)
    a = _to_paper(*lik.centre)

    def minimize(p_start):
        theta0 = np.linalg.solve(a, np.array([0.0, *p_start]))
        with np.errstate(all="ignore"):
            shape = (np.exp(np.tensordot(theta0, lik.g, axes=1)) * lik.w).sum()
        if not (np.isfinite(shape) and shape > 0):
            return None, f"starting values {p_start} give no finite expectation"
        theta0[0] += np.log(n.sum() / shape)      # normalized to the observed events
        m = Minuit(lik.nll, theta0, grad=lik.grad, name=("a0", "p1", "a2", "p3"))
        m.errordef = Minuit.LIKELIHOOD
        m.strategy = 2
        m.migrad()
        if not m.valid:
            m.migrad()
        if not m.valid:
            return None, f"did not converge from {p_start} ({_why_invalid(m.fmin)})"
        return lik.result(np.array(m.values), m.fval, f"from {p_start}")

    results, errors = [], []
    for p_start in (tuple(start),) + ALTERNATIVE_STARTS:
        res, err = minimize(p_start)
        (results if res is not None else errors).append(res if res is not None else err)
    if not results:
        raise FitError("sideband fit: " + "; ".join(e.splitlines()[0] for e in errors))
    return min(results, key=lambda r: r.nll)


def refit(counts, previous: FitResult, max_iter: int = 50, tol: float = 1e-9) -> FitResult:
    """:func:`fit_sidebands` of new ``counts`` (n_bins,) on the bins of a ``previous`` fit,
    by Newton steps (exact Hessian, halved until the deviance drops) from its minimum: 0.5 ms
    instead of 15 ms (1 core) for spectra near the previous one (bootstrap pseudo-experiments).
    Converged when the Newton decrement g H^-1 g / 2 falls below ``tol``; otherwise (no
    descent, a Hessian that is not positive definite, ``max_iter`` steps) the full
    multi-start fit decides, so the result is the same minimum either way."""
    counts = np.asarray(counts, float)
    fb = previous.fit_bins
    n = counts[fb]
    if n.sum() > 0:
        lik = _Likelihood(n, previous.edges, fb, previous.sqrt_s)
        theta = previous.theta.copy()
        theta[0] += np.log(n.sum() / max(lik.moments(theta)[0].sum(), 1e-300))
        f = lik.nll(theta)
        for _ in range(max_iter):
            g, h = lik.derivatives(theta)
            try:
                step = np.linalg.solve(h, g)
            except np.linalg.LinAlgError:
                break
            decrement = 0.5 * g @ step
            if not np.isfinite(decrement) or decrement < 0:
                break
            if decrement < tol:
                res, _ = lik.result(theta, f, "after Newton steps")
                if res is not None:
                    return res
                break
            t, f_new = 1.0, None        # f_new: the deviance at theta - t step, once known
            while t > 1e-4:
                f_new = lik.nll(theta - t * step)
                if not f_new > f:
                    break
                t, f_new = 0.5 * t, None
            theta = theta - t * step
            f = lik.nll(theta) if f_new is None else f_new
    return fit_sidebands(counts, previous.edges, fb, start=tuple(previous.params[1:]),
                         sqrt_s=previous.sqrt_s)


def ks_distance(counts, expected, fit_bins) -> float:
    """Kolmogorov-Smirnov distance max |F_obs - F_fit| between the cumulative fractions of
    the observed ``counts`` and the ``expected`` events over the ``fit_bins`` (in mjj order);
    all arrays (n_bins,)."""
    fit_bins = np.asarray(fit_bins, bool)
    n, mu = np.asarray(counts, float)[fit_bins], np.asarray(expected, float)[fit_bins]
    return float(np.max(np.abs(np.cumsum(n) / n.sum() - np.cumsum(mu) / mu.sum())))


def ks_test(counts, fit: FitResult, n_toys: int = 200, seed=0) -> dict:
    """KS test of a sideband fit: :func:`ks_distance` of the data and its p-value from
    ``n_toys`` Poisson pseudo-spectra of the fitted expectation, each refit like the data (the
    Kolmogorov law does not hold for binned counts and fitted parameters). Returns distance,
    pvalue, n_toys (toys whose fit converged; the others are dropped) and seed."""
    mu = fit.expected()
    d_obs = ks_distance(counts, mu, fit.fit_bins)
    rng = np.random.default_rng(seed)
    d_toys = []
    for _ in range(n_toys):
        toy = rng.poisson(mu)
        try:
            d_toys.append(ks_distance(toy, fit_sidebands(toy, fit.edges, fit.fit_bins,
                                                         sqrt_s=fit.sqrt_s).expected(),
                                      fit.fit_bins))
        except FitError:
            continue
    d_toys = np.asarray(d_toys)
    return {"distance": d_obs, "pvalue": float((1 + np.sum(d_toys >= d_obs)) / (1 + len(d_toys))),
            "n_toys": int(len(d_toys)), "seed": seed}


def _q0(n, b: float, sigma: float) -> np.ndarray:
    """-2 log lambda0 with mu free in sign, for counts n >= 0 (events, any shape; non-integer
    allowed): unconditional maximum mu = n - b, theta = 0; conditional (mu = 0): lam = b +
    theta solves lam^2 + (sigma^2 - b) lam - n sigma^2 = 0."""
    n = np.asarray(n, float)
    if sigma <= 0:
        lam = np.full_like(n, b)
    else:
        s2 = sigma * sigma
        lam = 0.5 * (b - s2 + np.sqrt((s2 - b) ** 2 + 4.0 * n * s2))
    with np.errstate(divide="ignore", invalid="ignore"):
        nlog = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0) / lam), 0.0)
    q0 = 2.0 * (nlog - (n - lam))
    if sigma > 0:
        q0 = q0 + (lam - b) ** 2 / sigma**2
    return np.maximum(q0, 0.0)


def _q0_excess(n, b: float, sigma: float) -> np.ndarray:
    """q0 of eqs. 2.5-2.6 for counts n (events, any shape): :func:`_q0` where the fitted
    mu = n - b > 0, else 0."""
    n = np.asarray(n, float)
    return np.where(n > b, _q0(np.maximum(n, b), b, sigma), 0.0)


def q0_profile(n: float, b: float, sigma: float) -> float:
    """-2 log lambda0 for L(mu, theta) = Poisson(n | b + theta + mu) Gauss(theta | 0, sigma)
    (SA-CWoLa paper, eqs. 2.5-2.6); 0 when the fitted mu = n - b <= 0. n, b, sigma in events."""
    return float(_q0_excess(n, b, sigma))


def significance(n: float, b: float, sigma: float) -> float:
    """Z = sqrt(q0) (asymptotic, Wald/Wilks)."""
    return float(np.sqrt(q0_profile(n, b, sigma)))


def signed_significance(n: float, b: float, sigma: float) -> float:
    """+sqrt(q0) for an excess, -sqrt(q0 with mu free) for a deficit (for plots of
    deficits, as the SA-CWoLa paper's Fig. 7)."""
    z = float(np.sqrt(_q0(max(n, 0.0), b, sigma)))
    return z if n >= b else -z


#: Relative tolerance when comparing a toy's q0 with the observed one, so that a toy with
#: the observed count counts as 'at least as extreme' despite rounding.
_Q0_RTOL = 1e-9


def toy_counts(b: float, sigma: float, n_toys: int, seed) -> np.ndarray:
    """Pseudo-experiments of the background-only model: theta ~ Normal(0, sigma) truncated
    to b + theta > 0, n ~ Poisson(b + theta). b, sigma in events (b > 0); returns counts,
    shape (n_toys,). ``seed``: int or sequence of ints for numpy.random.default_rng."""
    if not b > 0:
        raise ValueError(f"toy counts: the background b = {b} events must be positive")
    from scipy import stats as sps          # 0.4 s of import, only where toys are drawn

    rng = np.random.default_rng(seed)
    theta = (sps.truncnorm.rvs(-b / sigma, np.inf, scale=sigma, size=n_toys, random_state=rng)
             if sigma > 0 else np.zeros(n_toys))
    return rng.poisson(b + theta)


def _toy_pvalue(n: float, b: float, sigma: float, n_toys: int, seed, deficit: bool) -> float:
    """(k + 1) / (n_toys + 1), k = toys at least as extreme as n: q0 (excess, eq. 2.6)
    >= the observed q0, or for ``deficit`` toys below b with q0 (mu free) >= the observed."""
    toys = toy_counts(b, sigma, n_toys, seed)
    if deficit:
        q_obs = float(_q0(max(n, 0.0), b, sigma))
        q_toy = np.where(toys < b, _q0(toys, b, sigma), -1.0)
    else:
        q_obs, q_toy = q0_profile(n, b, sigma), _q0_excess(toys, b, sigma)
    k = int(np.count_nonzero(q_toy >= q_obs - _Q0_RTOL * max(q_obs, 1.0)))
    return (k + 1) / (n_toys + 1)


def pvalue_from_toys(n: float, b: float, sigma: float, n_toys: int = 10_000, seed=0) -> float:
    """p-value of the excess n (events) over b +- sigma (events) from ``n_toys``
    pseudo-experiments (:func:`toy_counts`): p = (k + 1) / (n_toys + 1), k = toys with
    q0 >= the observed q0 (same q0 as :func:`q0_profile`; 1 when n <= b). The smallest
    p is 1 / (n_toys + 1)."""
    return _toy_pvalue(n, b, sigma, n_toys, seed, deficit=False)


def significance_from_toys(n: float, b: float, sigma: float, n_toys: int = 10_000, seed=0) -> float:
    """Z = norm.isf(:func:`pvalue_from_toys`) (0 if p >= 0.5): for small b (events), where
    sqrt(q0) is unreliable. At most norm.isf(1 / (n_toys + 1)) (3.72 for 10^4 toys)."""
    return excess_z(pvalue_from_toys(n, b, sigma, n_toys, seed))


def signed_significance_from_toys(n: float, b: float, sigma: float, n_toys: int = 10_000,
                                  seed=0) -> float:
    """Toy-based counterpart of :func:`signed_significance`: :func:`significance_from_toys`
    for n >= b, and for a deficit -norm.isf(p) with p the fraction of toys below b whose q0
    (mu free) is at least the observed one ((k + 1) / (n_toys + 1); 0 if p >= 0.5)."""
    if n >= b:
        return significance_from_toys(n, b, sigma, n_toys, seed)
    return -excess_z(_toy_pvalue(n, b, sigma, n_toys, seed, deficit=True))
