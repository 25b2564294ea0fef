"""Large-radius jets and their substructure with FastJet's multi-event awkward interface.

Jets: anti-kT with radius ``radius`` (1.0) on the detector objects, E-scheme sums of their
constituents, |eta| < ``eta_max``, pT > ``pt_min`` (GeV), ordered by pT. An event is kept
when it has at least two such jets and the leading one has pT > ``lead_pt_min`` (GeV);
its ``max_jets`` leading jets are stored.

Per jet: pt, eta, phi, m (GeV where dimensionful), N-subjettiness tau1..tau4 with beta = 1
and tau1 with beta = 2 (unnormalized, GeV), computed with winner-take-all kT axes (an
exclusive kT reclustering of the jet's constituents; plain kT axes give tau21 > 1 for ~5%
of QCD jets), and n_trk, the number of track constituents.
"""
from __future__ import annotations

import awkward as ak
import fastjet
import numpy as np

TAU_FIELDS = ["tau1", "tau2", "tau3", "tau4", "tau1_b2"]


def _four_vectors(objects: ak.Array) -> ak.Array:
    return ak.zip({"px": objects.px, "py": objects.py, "pz": objects.pz, "E": objects.E})


def _kinematics(px, py, pz, e):
    pt = np.hypot(px, py)
    p = np.sqrt(px * px + py * py + pz * pz)
    eta = np.arctanh(pz / np.maximum(p, 1e-12))
    m = np.sqrt(np.maximum(e * e - p * p, 0.0))
    return pt, eta, np.arctan2(py, px), m


def nsubjettiness(constituents: ak.Array, radius: float) -> np.ndarray:
    """N-subjettiness of each jet, given jets x constituents (px, py, pz, E in GeV).

    Returns an array of shape (n_jets, 5): tau1..tau4 with beta = 1 and tau1 with beta = 2,
    tau_N = sum_i pT_i min_k dR_ik^beta (GeV), with WTA kT axes. FastJet's multi-event
    interface treats each jet's constituents as one "event"; one clustering serves both calls.
    """
    if len(constituents) == 0:
        return np.zeros((0, 5))
    cs = fastjet.ClusterSequence(_four_vectors(constituents),
                                 fastjet.JetDefinition(fastjet.kt_algorithm, radius))
    cols = []
    for njets, beta in (([1, 2, 3, 4], 1.0), ([1], 2.0)):
        taus = cs.njettiness(measure_definition="UnnormalizedMeasure",
                             axes_definition="WTA_KT_Axes", njets=njets, beta=beta, R0=radius)
        cols.append(ak.to_numpy(taus).reshape(len(constituents), len(njets)))
    taus = np.concatenate(cols, axis=1)
    # A jet with fewer constituents than N axes has tau_N = 0 exactly.
    return np.where(np.isfinite(taus), taus, 0.0)


def cluster_and_select(objects: ak.Array, cfg: dict) -> ak.Array:
    """Cluster events x objects into jets; return the selected events x jets records."""
    jetdef = fastjet.JetDefinition(fastjet.antikt_algorithm, cfg["radius"])
    cs = fastjet.ClusterSequence(_four_vectors(objects), jetdef)
    index = cs.constituent_index(cfg["pt_min"])               # events x jets x constituents
    per_jet = ak.num(index, axis=2)
    flat_idx = ak.flatten(index, axis=2)                       # events x constituents
    cons = ak.unflatten(objects[flat_idx], ak.flatten(per_jet), axis=1)
    pt, eta, phi, m = _kinematics(ak.sum(cons.px, axis=2), ak.sum(cons.py, axis=2),
                                  ak.sum(cons.pz, axis=2), ak.sum(cons.E, axis=2))
    jets = ak.zip({"pt": pt, "eta": eta, "phi": phi, "m": m,
                   "n_trk": ak.sum(cons.is_track, axis=2), "cons": cons}, depth_limit=2)
    jets = jets[np.abs(jets.eta) < cfg["eta_max"]]
    jets = jets[ak.argsort(jets.pt, axis=1, ascending=False)]
    keep = (ak.num(jets) >= 2) & (ak.fill_none(ak.firsts(jets.pt), 0.0) > cfg["lead_pt_min"])
    jets = jets[keep][:, : cfg["max_jets"]]

    counts = ak.num(jets)
    flat_cons = ak.flatten(jets.cons, axis=1)                  # jets x constituents
    taus = nsubjettiness(flat_cons, cfg["radius"])
    fields = {k: ak.flatten(jets[k]) for k in ("pt", "eta", "phi", "m")}
    fields["n_trk"] = ak.values_astype(ak.flatten(jets.n_trk), np.int32)
    for i, name in enumerate(TAU_FIELDS):
        fields[name] = taus[:, i]
    return ak.unflatten(ak.zip(fields), counts)
