"""SALAD's background template (arXiv 2001.05001): the simulation in the SR, reweighted to the
data by the mjj-parametrized DCTR classifier trained data vs simulation in the sidebands
(radflow.methods.dctr)."""
from __future__ import annotations

import numpy as np

from radflow.methods import dctr
from radflow.templates import BackgroundTemplate, Events


class SaladTemplate(BackgroundTemplate):
    """DCTR-reweighted simulation. Training settings as :func:`radflow.methods.dctr.fit`."""

    name = "salad"
    needs = ("sim",)

    def __init__(self, arch: str = "salad", n_init: int = 1, epochs: int = 50, patience: int = 10,
                 batch_size: int = 512):
        self.settings = dict(arch=arch, n_init=n_init, epochs=epochs, patience=patience,
                             batch_size=batch_size)
        self.model: dctr.DctrModel | None = None

    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        if sim is None:
            raise ValueError("SALAD template: needs the sideband simulation (role 'sim')")
        self.model = dctr.fit(sideband_data.x, sideband_data.m, sim.x, sim.m, seed=seed,
                              **self.settings)
        return self

    def weights(self, events: Events) -> np.ndarray:
        """DCTR weights w(x | m) of simulated ``events`` (N,)."""
        if self.model is None:
            raise RuntimeError("SALAD template: fit() first")
        return self.model.weights(events.x, events.m)

    def sample(self, sr_data_mjj, n, seed, sim: Events | None = None) -> Events:
        if sim is None:
            raise ValueError("SALAD template: sample() reweights the SR simulation; pass sim")
        return Events(sim.x, sim.m, self.weights(sim))
