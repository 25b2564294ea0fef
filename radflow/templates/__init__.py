"""Background templates: methods that build a synthetic SM background in the signal region
from the sidebands, behind one interface, so that the weakly supervised classifier stage
(data vs template in the SR) takes any of them.

A template says which sample roles it is fitted on (:attr:`BackgroundTemplate.needs`), is
fitted on sideband events (:meth:`BackgroundTemplate.fit`) and gives SR background events
with weights (:meth:`BackgroundTemplate.sample`). Implementations: SALAD's DCTR-reweighted
simulation (:class:`~radflow.templates.salad.SaladTemplate`) and CATHODE's sideband flow
sampled at SR masses (:class:`~radflow.templates.cathode.CathodeTemplate`). ANODE is a
density ratio, not a sample generator: it has no template (radflow.methods.anode).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass
class Events:
    """Events of one sample: features x (N, F) in physical units, mjj m (N,) in GeV and
    per-event weights w (N,) (1 unless a template reweights)."""

    x: np.ndarray
    m: np.ndarray
    w: np.ndarray | None = None

    def __post_init__(self):
        self.x, self.m = np.asarray(self.x), np.asarray(self.m)
        self.w = np.ones(len(self.m)) if self.w is None else np.asarray(self.w)
        if not (self.x.ndim == 2 and len(self.x) == len(self.m) == len(self.w)):
            raise ValueError(f"Events: x {self.x.shape}, m {self.m.shape}, w {self.w.shape} "
                             "do not describe the same N events")
        bad = ~np.isfinite(self.x).all(axis=1) | ~np.isfinite(self.m) | ~np.isfinite(self.w)
        if bad.any():
            raise ValueError(f"Events: {int(bad.sum())} of {len(bad)} events are not finite")

    def __len__(self) -> int:
        return len(self.m)


class BackgroundTemplate(ABC):
    """A synthetic SR background fitted on the sidebands."""

    #: Name of the method (a config and file name).
    name: ClassVar[str]
    #: Sample roles the template is fitted on besides the data ('sim' for SALAD).
    needs: ClassVar[tuple[str, ...]]

    @abstractmethod
    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        """Fit on the sideband data (and, where :attr:`needs` says so, the sideband
        simulation); returns self."""

    @abstractmethod
    def sample(self, sr_data_mjj, n: int | None, seed: int, sim: Events | None = None) -> Events:
        """SR background events with weights: ``n`` events (None: the template's natural
        size) at SR masses that follow the SR data's ``sr_data_mjj`` (GeV), or, for a
        reweighting template, the SR simulation ``sim`` with its weights."""


def templates() -> dict[str, type[BackgroundTemplate]]:
    """Template name -> class, for every implementation."""
    from radflow.templates.cathode import CathodeTemplate
    from radflow.templates.salad import SaladTemplate

    return {t.name: t for t in (SaladTemplate, CathodeTemplate)}
