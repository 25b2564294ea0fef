"""Background templates: methods that build a synthetic SM background in the signal region
from the sidebands, behind one interface, so that the weakly supervised classifier stage
(data vs template in the SR) takes any of them.

A template is built from its config block (:meth:`BackgroundTemplate.from_config`), says
which sample roles it is fitted on (:attr:`BackgroundTemplate.needs`), is fitted on sideband
events (:meth:`BackgroundTemplate.fit`) and gives SR background events with weights
(:meth:`BackgroundTemplate.sample`). Implementations: SALAD's DCTR-reweighted simulation
(:class:`~radflow.templates.salad.SaladTemplate`), CATHODE's sideband flow sampled at SR
masses (:class:`~radflow.templates.cathode.CathodeTemplate`), FETA's simulation flow
transported to the data (:class:`~radflow.templates.feta.FetaTemplate`) and CURTAINs'
sideband events mapped to SR masses (:class:`~radflow.templates.curtains.CurtainsTemplate`).
ANODE is a density ratio, not a sample generator: it has no template (radflow.methods.anode).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass
class Events:
    """Events of one sample: features x (N, F) in physical units, mjj m (N,) in GeV,
    per-event weights w (N,) (1 unless a template reweights) and optionally the validation
    mask val (N,) bool (True: a validation event; None: the template draws its own split)."""

    x: np.ndarray
    m: np.ndarray
    w: np.ndarray | None = None
    val: np.ndarray | None = None

    def __post_init__(self):
        self.x, self.m = np.asarray(self.x), np.asarray(self.m)
        self.w = np.ones(len(self.m)) if self.w is None else np.asarray(self.w)
        if not (self.x.ndim == 2 and len(self.x) == len(self.m) == len(self.w)):
            raise ValueError(f"Events: x {self.x.shape}, m {self.m.shape}, w {self.w.shape} "
                             "do not describe the same N events")
        if self.val is not None:
            self.val = np.asarray(self.val)
            if self.val.dtype != bool or self.val.shape != self.m.shape:
                raise ValueError(f"Events: the validation mask must be bool of shape "
                                 f"{self.m.shape}, got {self.val.dtype} {self.val.shape}")
        self.check("Events")

    def check(self, where: str) -> None:
        """Raises ValueError naming ``where`` and the count of events that are not finite."""
        bad = ~np.isfinite(self.x).all(axis=1) | ~np.isfinite(self.m) | ~np.isfinite(self.w)
        if bad.any():
            raise ValueError(f"{where}: {int(bad.sum())} of {len(bad)} events are not finite")

    def __len__(self) -> int:
        return len(self.m)


def check_support(method: str, x, prep, what: str) -> None:
    """Raises ValueError naming ``method``, ``what`` the events are and the counts of events
    x (N, F), physical units, that are not finite or lie outside the support (lo, hi) of the
    flows' preprocessing ``prep`` (radflow.ml.flows.Preprocessing)."""
    x = np.asarray(x, float)
    finite = np.isfinite(x).all(axis=1)
    outside = finite & ~prep.inside(x)
    if (~finite).any() or outside.any():
        raise ValueError(f"{method}: {int((~finite).sum())} non-finite and {int(outside.sum())} "
                         f"outside the preprocessing range of {len(x)} {what}")


class BackgroundTemplate(ABC):
    """A synthetic SR background fitted on the sidebands."""

    #: Name of the method (a config and file name).
    name: ClassVar[str]
    #: Sample roles the template is fitted on besides the data ('sim' for SALAD and FETA).
    needs: ClassVar[tuple[str, ...]]
    #: Regions of the simulation :meth:`fit` is given when :attr:`needs` has 'sim': the
    #: sidebands (SALAD's DCTR) or sidebands and SR (FETA's simulation flow).
    sim_regions: ClassVar[tuple[str, ...]] = ("sb",)

    @classmethod
    @abstractmethod
    def from_config(cls, cfg: dict, signal_region) -> "BackgroundTemplate":
        """The template with the settings of its config block ``cfg`` (keys in each
        implementation's docstring), for the signal region ``signal_region`` (lo, hi), GeV."""

    @abstractmethod
    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        """Fit on the sideband data (and, where :attr:`needs` says so, the simulation); a
        validation mask on the events (:attr:`Events.val`) is the split every training
        step uses. Returns self."""

    @abstractmethod
    def sample(self, sr_data_mjj, n: int | None, seed: int, sim: Events | None = None) -> Events:
        """SR background events with weights: ``n`` events (None: the template's natural
        size) at SR masses that follow the SR data's ``sr_data_mjj`` (GeV), or, for a
        template built from the simulation, the SR simulation ``sim`` (reweighted, or its
        masses)."""

    def check_inputs(self, **samples: Events | None) -> None:
        """Raises ValueError naming the template and the role when a given sample has
        events that are not finite."""
        for role, events in samples.items():
            if events is not None:
                events.check(f"{self.name} template, {role}")


def validation_rows(events: Events):
    """[indices of the validation events] (one flow member), or None without a mask."""
    return None if events.val is None else [np.nonzero(events.val)[0]]


def templates() -> dict[str, type[BackgroundTemplate]]:
    """Template name -> class, for every implementation."""
    from radflow.templates.cathode import CathodeTemplate
    from radflow.templates.curtains import CurtainsTemplate
    from radflow.templates.feta import FetaTemplate
    from radflow.templates.salad import SaladTemplate

    return {t.name: t for t in (SaladTemplate, CathodeTemplate, CurtainsTemplate, FetaTemplate)}
