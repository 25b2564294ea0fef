"""CATHODE's background template (arXiv 2109.00546): a conditional flow p(x | mjj) trained on
the sideband data, sampled at SR masses drawn from a KDE of the SR data's mjj
(radflow.methods.cathode.sample_sr_masses)."""
from __future__ import annotations

import numpy as np

from radflow.methods import cathode
from radflow.ml import flows
from radflow.templates import BackgroundTemplate, Events


class CathodeTemplate(BackgroundTemplate):
    """Sideband flow sampled in the SR. ``signal_region`` (GeV) bounds the sampled masses;
    ``kde_bandwidth`` is the KDE width in logit space (paper 0.01)."""

    name = "cathode"
    needs = ()

    def __init__(self, spec: flows.FlowSpec | None, signal_region, kde_bandwidth: float = 0.01,
                 prep: flows.Preprocessing | None = None):
        self.spec, self.signal_region, self.kde_bandwidth = spec, signal_region, kde_bandwidth
        self.prep = prep
        self.trained: flows.TrainedFlows | None = None
        self.member = 0

    @classmethod
    def from_trained(cls, trained: flows.TrainedFlows, member: int, signal_region,
                     kde_bandwidth: float) -> "CathodeTemplate":
        """The template of member ``member`` of flows trained elsewhere (the ANODE/CATHODE
        study trains ANODE's SR flow and this sideband flow as one vectorized model)."""
        t = cls(None, signal_region, kde_bandwidth, trained.prep)
        t.trained, t.member = trained, member
        return t

    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        if self.spec is None:
            raise ValueError("CATHODE template: no flow settings (FlowSpec) to fit with")
        self.trained = flows.train_flows(sideband_data.x, sideband_data.m,
                                         [np.arange(len(sideband_data))], self.spec, seed=seed,
                                         names=["CATHODE sideband flow"], prep=self.prep)
        self.member = 0
        return self

    def masses(self, sr_data_mjj, n: int, seed: int) -> np.ndarray:
        """n SR masses (GeV) from the KDE of the SR data masses."""
        return cathode.sample_sr_masses(sr_data_mjj, n, self.signal_region, self.kde_bandwidth,
                                        seed)

    def sample(self, sr_data_mjj, n, seed, sim: Events | None = None, mass_seed=None) -> Events:
        """``n`` template events; masses seeded by ``mass_seed`` (default: ``seed``), the
        flow's draws by ``seed``."""
        if self.trained is None:
            raise RuntimeError("CATHODE template: fit() first")
        m = self.masses(sr_data_mjj, n, seed if mass_seed is None else mass_seed)
        return Events(self.trained.sample(m, member=self.member, seed=seed), m)
