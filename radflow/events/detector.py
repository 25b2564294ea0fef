"""A simple, vectorized stand-in for Delphes energy-flow objects.

From the visible final-state particles of each event (neutrinos are dropped) it makes:

- **tracks**: charged particles with |eta| < ``track_eta_max`` (2.5) and
  pT > ``track_pt_min`` (0.5 GeV), kept with probability ``track_efficiency`` (0.95),
  with Gaussian pT smearing sigma(pT)/pT = ``track_res_a`` (+) ``track_res_b`` * pT/GeV
  (added in quadrature), direction unchanged, the particle's mass kept;
- **calorimeter cells**: every other visible particle (neutrals, untracked charged
  hadrons and electrons; untracked muons leave only a MIP and are dropped) with
  |eta| < ``calo_eta_max`` (4.9) deposits its energy in a cell. Photons and electrons use
  ECAL cells of ``ecal_cell`` x 2pi/round(2pi/ecal_cell) in (eta, phi) (0.025), hadrons
  HCAL cells of ``hcal_cell`` (0.1). Each cell's summed energy is smeared with
  sigma(E)/E = a/sqrt(E/GeV) (+) b (ECAL 0.10, 0.01; HCAL 0.50, 0.05), and cells above
  ``ecal_threshold`` / ``hcal_threshold`` (GeV) become massless objects at the cell centre.

The output per event is a list of objects with px, py, pz, E (GeV) and ``is_track``.
Cost measured at ~0.1 ms/event: every step is a NumPy operation on flattened arrays.
"""
from __future__ import annotations

import awkward as ak
import numpy as np

INVISIBLE = np.array([12, 14, 16])
EM_IDS = np.array([11, 22])
MUON = 13


class ChargeTable:
    """Particle charge by PDG id from Pythia's particle data, cached for the ids seen."""

    def __init__(self, particle_data):
        self._pd = particle_data
        self._ids = np.zeros(0, dtype=np.int64)
        self._charges = np.zeros(0)

    def __call__(self, pid: np.ndarray) -> np.ndarray:
        new = np.setdiff1d(np.unique(pid), self._ids)
        if len(new):
            self._ids = np.concatenate([self._ids, new])
            self._charges = np.concatenate([self._charges, [self._pd.charge(int(i)) for i in new]])
            order = np.argsort(self._ids)
            self._ids, self._charges = self._ids[order], self._charges[order]
        return self._charges[np.searchsorted(self._ids, pid)]


def _eta_phi(px, py, pz):
    pt = np.hypot(px, py)
    eta = np.arcsinh(np.divide(pz, pt, out=np.full_like(pz, np.sign(pz) * 1e6), where=pt > 0))
    return pt, eta, np.arctan2(py, px)


def _quadrature(a, b):
    return np.sqrt(a * a + b * b)


def _cells(evt, e, eta, phi, cell, threshold, res_a, res_b, eta_max, rng):
    """Sum energies into (eta, phi) cells per event; smear; return flat cell objects."""
    n_phi = int(round(2 * np.pi / cell))
    n_eta = int(np.ceil(2 * eta_max / cell))
    ieta = np.clip(((eta + eta_max) / cell).astype(np.int64), 0, n_eta - 1)
    iphi = ((phi + np.pi) / (2 * np.pi) * n_phi).astype(np.int64) % n_phi
    key = (evt.astype(np.int64) * n_eta + ieta) * n_phi + iphi
    keys, inverse = np.unique(key, return_inverse=True)
    energy = np.bincount(inverse, weights=e, minlength=len(keys))
    sigma = energy * _quadrature(res_a / np.sqrt(np.maximum(energy, 1e-9)), res_b)
    energy = np.maximum(energy + rng.normal(size=len(energy)) * sigma, 0.0)
    keep = energy > threshold
    keys, energy = keys[keep], energy[keep]
    cell_eta = -eta_max + (((keys // n_phi) % n_eta) + 0.5) * cell
    cell_phi = -np.pi + ((keys % n_phi) + 0.5) * 2 * np.pi / n_phi
    cell_evt = keys // (n_phi * n_eta)
    pt = energy / np.cosh(cell_eta)
    return cell_evt, pt * np.cos(cell_phi), pt * np.sin(cell_phi), pt * np.sinh(cell_eta), energy


def reconstruct(particles: ak.Array, charge: ChargeTable, rng: np.random.Generator,
                cfg: dict) -> ak.Array:
    """Turn Pythia particles (events x particles, from ``nextBatch``) into detector objects.

    Returns an awkward array, events x objects, with fields px, py, pz, E (GeV) and
    is_track (bool); tracks first, then ECAL cells, then HCAL cells in each event.
    """
    n_events = len(particles)
    final = particles[particles.status > 0]
    counts = ak.to_numpy(ak.num(final))
    evt = np.repeat(np.arange(n_events), counts)
    pid = ak.to_numpy(ak.flatten(final.id)).astype(np.int64)
    p = final.p
    px, py, pz, e = (ak.to_numpy(ak.flatten(x)) for x in (p.px, p.py, p.pz, p.e))
    mass = ak.to_numpy(ak.flatten(final.m))
    apid = np.abs(pid)
    visible = ~np.isin(apid, INVISIBLE)
    pt, eta, phi = _eta_phi(px, py, pz)
    q = charge(pid)

    trackable = visible & (q != 0) & (np.abs(eta) < cfg["track_eta_max"]) & (pt > cfg["track_pt_min"])
    tracked = trackable & (rng.random(len(pid)) < cfg["track_efficiency"])
    t_scale = 1.0 + rng.normal(size=tracked.sum()) * _quadrature(
        cfg["track_res_a"], cfg["track_res_b"] * pt[tracked])
    t_scale = np.maximum(t_scale, 0.0)
    t_px, t_py, t_pz = px[tracked] * t_scale, py[tracked] * t_scale, pz[tracked] * t_scale
    t_e = np.sqrt(t_px**2 + t_py**2 + t_pz**2 + mass[tracked] ** 2)

    to_calo = visible & ~tracked & (apid != MUON) & (np.abs(eta) < cfg["calo_eta_max"])
    em = np.isin(apid, EM_IDS)
    groups = [(evt[tracked], t_px, t_py, t_pz, t_e, np.ones(tracked.sum(), bool))]
    for sel, pre in ((to_calo & em, "ecal"), (to_calo & ~em, "hcal")):
        c = _cells(evt[sel], e[sel], eta[sel], phi[sel], cfg[f"{pre}_cell"],
                   cfg[f"{pre}_threshold"], cfg[f"{pre}_res_a"], cfg[f"{pre}_res_b"],
                   cfg["calo_eta_max"], rng)
        groups.append(c + (np.zeros(len(c[0]), bool),))

    cols = [np.concatenate([g[i] for g in groups]) for i in range(6)]
    order = np.argsort(cols[0], kind="stable")
    per_event = np.bincount(cols[0], minlength=n_events)
    flat = ak.zip({"px": cols[1][order], "py": cols[2][order], "pz": cols[3][order],
                   "E": cols[4][order], "is_track": cols[5][order]})
    return ak.unflatten(flat, per_event)
