"""Per-event features from the two leading jets, the same schema whatever the source.

Every source (generated ROOT events, LHCO R&D HDF5, flat ROOT ntuples) is first turned
into a *dijet table*: a dict of 1-D arrays ``{quantity}_{j}`` for j in (a, b), the two
leading jets in pT, with quantities pt, eta, phi, m (GeV, rad) and, where the source has
them, tau1..tau4 (beta = 1), tau1_b2 (beta = 2) and n_trk; plus ``label`` (0 background,
1 signal) and ``weight``. :func:`from_dijets` then builds the feature columns, with the
jets ordered by mass (j1 the heavier, mj1 >= mj2):

mjj, mj1, mj2, pt/eta/phi_j{1,2}, tau21/tau32/tau43_j{1,2}, tau1b2_ratio_j{1,2} =
sqrt(tau1(beta=2)/tau1(beta=1)), n_trk_j{1,2}, delta_m = mj1 - mj2, delta_R_jj, label,
weight. A feature whose inputs a source lacks is absent from the output.
"""
from __future__ import annotations

import numpy as np

JET_QUANTITIES = ["pt", "eta", "phi", "m", "tau1", "tau2", "tau3", "tau4", "tau1_b2", "n_trk"]
REQUIRED_JET_QUANTITIES = ["pt", "eta", "phi", "m"]

class MissingFeatureError(KeyError):
    """A study asked for feature columns that its input source does not provide."""


def _ratio(num, den):
    """num / den, 0 where den == 0 (a one-constituent jet has tau1 = 0)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _four_momentum(pt, eta, phi, m):
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    return px, py, pz, np.sqrt(px**2 + py**2 + pz**2 + m**2)


def dijet_mass(table: dict) -> np.ndarray:
    """Invariant mass (GeV) of the two jets of a dijet table."""
    a = _four_momentum(*(table[f"{q}_a"] for q in REQUIRED_JET_QUANTITIES))
    b = _four_momentum(*(table[f"{q}_b"] for q in REQUIRED_JET_QUANTITIES))
    px, py, pz, e = (x + y for x, y in zip(a, b))
    return np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0.0))


def from_dijets(table: dict) -> dict:
    """Feature columns (1-D arrays, see module doc) from a dijet table."""
    heavier_a = table["m_a"] >= table["m_b"]

    def ordered(q):
        a, b = np.asarray(table[f"{q}_a"]), np.asarray(table[f"{q}_b"])
        return np.where(heavier_a, a, b), np.where(heavier_a, b, a)

    jets = {q: ordered(q) for q in JET_QUANTITIES if f"{q}_a" in table and f"{q}_b" in table}
    out = {"mjj": dijet_mass(table), "mj1": jets["m"][0], "mj2": jets["m"][1]}
    for k in (0, 1):
        j = f"j{k + 1}"
        for q in ("pt", "eta", "phi"):
            out[f"{q}_{j}"] = jets[q][k]
        for name, num, den in (("tau21", "tau2", "tau1"), ("tau32", "tau3", "tau2"),
                               ("tau43", "tau4", "tau3")):
            if num in jets and den in jets:
                out[f"{name}_{j}"] = _ratio(jets[num][k], jets[den][k])
        if "tau1_b2" in jets and "tau1" in jets:
            out[f"tau1b2_ratio_{j}"] = np.sqrt(_ratio(jets["tau1_b2"][k], jets["tau1"][k]))
        if "n_trk" in jets:
            out[f"n_trk_{j}"] = jets["n_trk"][k].astype(np.int32)
    out["delta_m"] = out["mj1"] - out["mj2"]
    dphi = np.angle(np.exp(1j * (out["phi_j1"] - out["phi_j2"])))
    out["delta_R_jj"] = np.hypot(out["eta_j1"] - out["eta_j2"], dphi)
    n = len(out["mjj"])
    out["label"] = np.asarray(table.get("label", np.zeros(n)), dtype=np.int8)
    out["weight"] = np.asarray(table.get("weight", np.ones(n)), dtype=np.float64)
    return {k: np.asarray(v) for k, v in out.items()}


def require(features: dict, columns, source: str) -> None:
    """Raise :class:`MissingFeatureError` naming ``source`` if any column is absent."""
    missing = [c for c in columns if c not in features]
    if missing:
        raise MissingFeatureError(
            f"{source} has no feature(s) {missing}: this source lacks them "
            f"(available: {sorted(features)})")
