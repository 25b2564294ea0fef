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

    @classmethod
    def from_config(cls, cfg: dict, signal_region) -> "SaladTemplate":
        """Settings from ``cfg``: arch, n_init, epochs, patience, batch_size (defaults as the
        constructor's); the signal region plays no part (the SR simulation is reweighted)."""
        keys = ("arch", "n_init", "epochs", "patience", "batch_size")
        return cls(**{k: cfg[k] for k in keys if k in cfg})

    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        """DCTR on sideband data vs sideband simulation; validation events: the samples'
        masks (data then simulation) when both have one, else a random split."""
        if sim is None:
            raise ValueError("SALAD template: needs the sideband simulation (role 'sim')")
        self.check_inputs(data=sideband_data, sim=sim)
        if (sideband_data.val is None) != (sim.val is None):
            raise ValueError("SALAD template: a validation mask for only one of data and "
                             "simulation; give both or neither")
        val = None if sim.val is None else np.r_[sideband_data.val, sim.val]
        self.model = dctr.fit(sideband_data.x, sideband_data.m, sim.x, sim.m, seed=seed,
                              val=val, **self.settings)
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
