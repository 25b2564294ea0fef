"""Pythia 8 event generation for the radflow samples (pp at 13 TeV, no MPI).

Processes (``process`` of a sample in the config):

- ``qcd``: HardQCD:all with PhaseSpace:pTHatMin (GeV). 'data' uses the default (Monash)
  tune; 'sim' adds shower settings that stand in for Herwig (config ``pythia`` list).
- ``wprime_xy``: W'(3.5 TeV) -> X(500 GeV) Y(100 GeV), X -> q q', Y -> q qbar: the LHC
  Olympics R&D signal. X is charged so that the W' decay conserves charge.
- ``zprime_3prong``: Z'(3.5 TeV) -> X Xbar with a colour-singlet X -> q q q of mass ``mx``
  (GeV): the 3-prong signals of the CWoLa-vs-autoencoder paper.

Events are produced with ``Pythia.nextBatch`` (an awkward array of all particles), passed
through the detector stand-in (:mod:`radflow.detector`) and clustered into large-R jets
(:mod:`radflow.jets`); no per-particle Python runs in the loop.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import awkward as ak
import numpy as np

from radflow.events import detector, jets

COMMON_SETTINGS = [
    "Beams:eCM = 13000.",
    "PartonLevel:MPI = off",
    # Pythia's consistency check of every finished event (momentum and charge sums, mother
    # and daughter links) draws no random number, so the events are the same without it (the
    # CI run's 192 outputs identical); it took 7-11% of the generation time of 'data' and 'sim'.
    "Check:event = off",
    "Next:numberCount = 0",
    "Next:numberShowEvent = 0",
    "Next:numberShowInfo = 0",
    "Next:numberShowProcess = 0",
    "Init:showProcesses = off",
    "Init:showMultipartonInteractions = off",
    "Init:showChangedSettings = off",
    "Init:showChangedParticleData = off",
    "Print:quiet = on",
    "Random:setSeed = on",
]

#: Truth label written per event: 0 for QCD, 1 for any signal process.
PROCESS_LABEL = {"qcd": 0, "wprime_xy": 1, "zprime_3prong": 1}


def _resonance_window(pid: int, mass: float, width: float) -> list[str]:
    return [
        f"{pid}:m0 = {mass}",
        f"{pid}:mWidth = {width}",
        f"{pid}:doForceWidth = on",
        f"{pid}:mMin = {mass - 500.0}",
        f"{pid}:mMax = {mass + 500.0}",
    ]


def qcd_settings(pthat_min: float) -> list[str]:
    """HardQCD 2->2 above ``pthat_min`` (GeV)."""
    return ["HardQCD:all = on", f"PhaseSpace:pTHatMin = {pthat_min}"]


def wprime_xy_settings(m_wprime=3500.0, m_x=500.0, m_y=100.0) -> list[str]:
    """W' -> X Y with X -> u dbar / c sbar and Y -> q qbar (q = d, u, s, c, b); masses in GeV."""
    s = ["NewGaugeBoson:ffbar2Wprime = on"] + _resonance_window(34, m_wprime, 0.01 * m_wprime)
    s += [
        f"9000001:new = X Xbar 3 3 0 {m_x} {0.01 * m_x} {0.9 * m_x} {1.1 * m_x} 0.",
        "9000001:isResonance = on",
        "9000001:addChannel = 1 0.5 100 2 -1",
        "9000001:addChannel = 1 0.5 100 4 -3",
        f"9000002:new = Y void 3 0 0 {m_y} {0.01 * m_y} {0.9 * m_y} {1.1 * m_y} 0.",
        "9000002:isResonance = on",
    ]
    s += [f"9000002:addChannel = 1 0.2 100 {q} -{q}" for q in range(1, 6)]
    s += ["34:onMode = off", "34:addChannel = 1 1.0 100 9000001 9000002"]
    return s


THREE_PRONG_CHANNELS = [(2, 1, 3), (2, 1, 5), (2, 3, 5), (4, 1, 3), (4, 1, 5), (4, 3, 5)]


def zprime_3prong_settings(m_zprime=3500.0, m_x=500.0) -> list[str]:
    """Z' -> X Xbar, colour-singlet X -> q q q (Pythia builds the junction); masses in GeV.

    A Z' with only exotic channels has zero cross section, so a tiny Z' -> nu_e nu_e
    coupling is switched on; the rare events without an X pair are dropped later by the
    jet selection.
    """
    s = ["NewGaugeBoson:ffbar2gmZZprime = on", "Zprime:gmZmode = 3"]
    s += _resonance_window(32, m_zprime, 0.01 * m_zprime)
    s += [
        f"3000003:new = X3 X3bar 3 0 0 {m_x} {0.01 * m_x} {0.9 * m_x} {1.1 * m_x} 0.",
        "3000003:isResonance = on",
    ]
    s += [f"3000003:addChannel = 1 0.166667 100 {a} {b} {c}" for a, b, c in THREE_PRONG_CHANNELS]
    s += [
        "32:onMode = off",
        "32:onIfMatch = 12 -12",
        "Zprime:vnue = 0.001",
        "Zprime:anue = 0.001",
        "32:addChannel = 1 1.0 100 3000003 -3000003",
    ]
    return s


def process_settings(sample_cfg: dict) -> list[str]:
    """Pythia settings of one sample's config block (process plus its extra ``pythia`` list)."""
    process = sample_cfg["process"]
    if process == "qcd":
        base = qcd_settings(sample_cfg["pthat_min"])
    elif process == "wprime_xy":
        base = wprime_xy_settings(sample_cfg.get("m_resonance", 3500.0), sample_cfg.get("mx", 500.0),
                                  sample_cfg.get("my", 100.0))
    elif process == "zprime_3prong":
        base = zprime_3prong_settings(sample_cfg.get("m_resonance", 3500.0), sample_cfg["mx"])
    else:
        raise ValueError(f"unknown process '{process}' (expected one of {sorted(PROCESS_LABEL)})")
    return base + list(sample_cfg.get("pythia", []))


@dataclass
class ChunkResult:
    """Selected events of one chunk plus generator bookkeeping."""

    jets: ak.Array                      # events x jets records (GeV), see radflow.jets
    n_tried: int                        # events Pythia generated (accepted) for this chunk
    n_passed: int                       # of those, events that passed the selection
    sigma_pb: float                     # Pythia's generated cross section (pb)
    timing: dict = field(default_factory=dict)  # seconds spent in next / detector / jets

    @property
    def event_weight_pb(self) -> float:
        """Per-event weight (pb) so that the kept events sum to sigma x selection efficiency."""
        return self.sigma_pb * self.n_passed / (self.n_tried * len(self.jets))


def make_pythia(settings: list[str], seed: int):
    """Initialise a quiet Pythia instance with ``settings`` and ``seed``."""
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    for line in COMMON_SETTINGS + [f"Random:seed = {seed}"] + settings:
        if not pythia.readString(line):
            raise ValueError(f"Pythia rejected the setting '{line}'")
    if not pythia.init():
        raise RuntimeError("Pythia initialisation failed; check the sample's settings")
    return pythia


def generate_chunk(sample_cfg: dict, n_events: int, seed: int, det_cfg: dict, jet_cfg: dict,
                   batch_size: int = 500, max_batches: int = 10_000) -> ChunkResult:
    """Generate until ``n_events`` events pass the jet selection; return exactly that many.

    ``det_cfg`` and ``jet_cfg`` are the ``detector`` and ``jets`` config blocks.
    """
    pythia = make_pythia(process_settings(sample_cfg), seed)
    charge = detector.ChargeTable(pythia.particleData)
    rng = np.random.default_rng(seed)
    pieces, n_sel, timing = [], 0, {"next": 0.0, "detector": 0.0, "jets": 0.0}
    for _ in range(max_batches):
        if n_sel >= n_events:
            break
        t0 = time.perf_counter()
        batch = pythia.nextBatch(batch_size)
        t1 = time.perf_counter()
        objects = detector.reconstruct(batch.prt, charge, rng, det_cfg)
        t2 = time.perf_counter()
        selected = jets.cluster_and_select(objects, jet_cfg)
        timing["next"] += t1 - t0
        timing["detector"] += t2 - t1
        timing["jets"] += time.perf_counter() - t2
        pieces.append(selected)
        n_sel += len(selected)
    else:
        raise RuntimeError(f"only {n_sel} of {n_events} events passed the selection after "
                           f"{max_batches} batches; check pthat_min and the jet cuts")
    info = pythia.infoPython()
    return ChunkResult(jets=ak.concatenate(pieces)[:n_events], n_tried=int(info.nAccepted()),
                       n_passed=n_sel, sigma_pb=float(info.sigmaGen()) * 1e9, timing=timing)
