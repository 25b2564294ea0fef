"""CATHODE's background template (arXiv 2109.00546): a conditional flow p(x | mjj) trained on
the sideband data, sampled at SR masses drawn from a KDE of the SR data's mjj
(radflow.methods.cathode.sample_sr_masses).

The ANODE/CATHODE study trains ANODE's SR flow p_data(x|m) and this sideband flow
p_bkg(x|m) as one vectorized model (members :data:`SR_FLOW`, :data:`SB_FLOW`) on one pool
of training events (:func:`flow_training_pool`, :func:`train_sr_and_sideband_flows`); it
evaluates both on the SR test set (:func:`sr_test_densities`) and samples the template from the
sideband member (:func:`sample_sr_template`, :meth:`CathodeTemplate.from_trained`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.methods import cathode
from radflow.ml import flows
from radflow.templates import BackgroundTemplate, Events, validation_rows


class CathodeTemplate(BackgroundTemplate):
    """Sideband flow sampled in the SR. ``signal_region`` (GeV) bounds the sampled masses;
    ``kde_bandwidth`` is the KDE width in logit space (paper 0.01)."""

    name = "cathode"
    needs = ()

    def __init__(self, spec: flows.FlowSpec | None, signal_region, kde_bandwidth: float = 0.01,
                 prep: flows.Preprocessing | None = None, oversampling: float | None = None):
        self.spec, self.signal_region, self.kde_bandwidth = spec, signal_region, kde_bandwidth
        self.prep, self.oversampling = prep, oversampling
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

    @classmethod
    def from_config(cls, cfg: dict, signal_region) -> "CathodeTemplate":
        """Settings from ``cfg``: flow (radflow.ml.flows.FlowSpec keys), kde_bandwidth
        (default 0.01), oversampling (template events per SR data event when :meth:`sample`
        is given n = None)."""
        return cls(flows.FlowSpec.from_config(cfg["flow"]), signal_region,
                   cfg.get("kde_bandwidth", 0.01), oversampling=cfg.get("oversampling"))

    def fit(self, sideband_data: Events, seed: int, sim: Events | None = None):
        """The sideband flow; validation events: ``sideband_data.val`` or a random
        ``spec.val_fraction``."""
        if self.spec is None:
            raise ValueError("CATHODE template: no flow settings (FlowSpec) to fit with")
        self.check_inputs(data=sideband_data)
        self.trained = flows.train_flows(sideband_data.x, sideband_data.m,
                                         [np.arange(len(sideband_data))], self.spec, seed=seed,
                                         names=["CATHODE sideband flow"], prep=self.prep,
                                         val_rows=validation_rows(sideband_data))
        self.member = 0
        return self

    def masses(self, sr_data_mjj, n: int, seed: int) -> np.ndarray:
        """n SR masses (GeV) from the KDE of the SR data masses."""
        return cathode.sample_sr_masses(sr_data_mjj, n, self.signal_region, self.kde_bandwidth,
                                        seed)

    def sample(self, sr_data_mjj, n, seed, sim: Events | None = None, mass_seed=None) -> Events:
        """``n`` template events (None: ``oversampling`` times the SR data count); masses
        seeded by ``mass_seed`` (default: ``seed``), the flow's draws by ``seed``."""
        if self.trained is None:
            raise RuntimeError("CATHODE template: fit() first")
        if n is None:
            if self.oversampling is None:
                raise ValueError("CATHODE template: sample(n=None) needs an oversampling")
            n = int(round(self.oversampling * len(sr_data_mjj)))
        m = self.masses(sr_data_mjj, n, seed if mass_seed is None else mass_seed)
        return Events(self.trained.sample(m, member=self.member, seed=seed), m)


#: Members of the study's vectorized flows: ANODE's p_data on SR data, p_bkg on sideband data.
SR_FLOW, SB_FLOW = 0, 1


@dataclass
class FlowPool:
    """Training events of the study's two flows, one injection: x (N, F), features in their
    own units; m (N,) mjj, GeV; sr (N,) bool, in the signal region (else the sidebands);
    rows: per flow member (:data:`SR_FLOW`, :data:`SB_FLOW`) the indices of its events, the
    SR events and the sideband events."""
    x: np.ndarray
    m: np.ndarray
    sr: np.ndarray
    rows: list


def flow_training_pool(data: dict, signal: dict, injected, features) -> FlowPool:
    """The flows' training pool: the data's train half, then the injected signal, each in
    the SR or the sidebands, in the order of the samples. data, signal: a study's sample
    columns (radflow.inject.load_repetition: the ``features``, ``mjj`` (GeV) and the
    bool masks ``sr``, ``sb``, ``test``, each (N,)); injected (N_signal,) bool: the signal
    events injected into the data's train half."""
    x_d, x_sig = (cathode.feature_matrix(p, features) for p in (data, signal))
    sel_d = ~data["test"] & (data["sr"] | data["sb"])
    sel_s = injected & (signal["sr"] | signal["sb"])
    pool_x = np.concatenate([x_d[sel_d], x_sig[sel_s]])
    pool_m = np.concatenate([data["mjj"][sel_d], signal["mjj"][sel_s]])
    pool_sr = np.concatenate([data["sr"][sel_d], signal["sr"][sel_s]])
    return FlowPool(pool_x, pool_m, pool_sr, [np.nonzero(pool_sr)[0], np.nonzero(~pool_sr)[0]])


def check_training_counts(pool: FlowPool, min_events: int, where: str, setting: str) -> None:
    """Raises ValueError naming ``where`` (study, injection), the region, its count and the
    config ``setting`` when a flow has fewer than ``min_events`` training events."""
    for name, r in zip(("signal region", "sidebands"), pool.rows):
        if len(r) < min_events:
            raise ValueError(f"{where}: {len(r)} training events in the {name}, "
                             f"fewer than {setting} = {min_events}; generate more data or "
                             "widen the region")


def flow_preprocessing(data: dict, signal: dict, features) -> flows.Preprocessing:
    """One preprocessing for both flows, fitted on every event either flow is evaluated on:
    all SR and sideband events of the data, then of the signal, both halves (columns as in
    :func:`flow_training_pool`)."""
    x_d, x_sig = (cathode.feature_matrix(p, features) for p in (data, signal))
    everything = (data["sr"] | data["sb"], signal["sr"] | signal["sb"])
    return flows.Preprocessing.fit(np.concatenate([x_d[everything[0]], x_sig[everything[1]]]),
                                   np.concatenate([data["mjj"][everything[0]],
                                                   signal["mjj"][everything[1]]]))


def train_sr_and_sideband_flows(pool: FlowPool, spec: flows.FlowSpec, seed: int, where: str,
                                prep: flows.Preprocessing) -> flows.TrainedFlows:
    """p_data(x|m) on the pool's SR events and p_bkg(x|m) on its sideband events, trained as
    one vectorized model (members :data:`SR_FLOW`, :data:`SB_FLOW`) seeded by ``seed``;
    ``where`` (study, injection) names them in messages."""
    return flows.train_flows(
        pool.x, pool.m, pool.rows, spec, seed=seed,
        names=[f"{where}, flow p_data on SR data", f"{where}, flow p_bkg on sideband data"],
        prep=prep)


def sr_test_densities(trained: flows.TrainedFlows, data: dict, signal: dict, injected_test,
                   features) -> dict:
    """Columns (N,) of the SR test set, the data's test half then the signal's, in the SR:
    log_p_data, log_p_bkg (nats, :meth:`radflow.ml.flows.TrainedFlows.log_prob` of
    :data:`SR_FLOW` and :data:`SB_FLOW`), mjj (GeV), is_signal, injected (signal injected
    into the data's test half: ``injected_test`` (N_signal,) bool) and the ``features``.
    Columns of data and signal as in :func:`flow_training_pool`."""
    x_d, x_sig = (cathode.feature_matrix(p, features) for p in (data, signal))
    test_d, test_s = data["test"] & data["sr"], signal["test"] & signal["sr"]
    x_test = np.concatenate([x_d[test_d], x_sig[test_s]])
    m_test = np.concatenate([data["mjj"][test_d], signal["mjj"][test_s]])
    lp = trained.log_prob(x_test, m_test)
    return {"log_p_data": lp[SR_FLOW], "log_p_bkg": lp[SB_FLOW], "mjj": m_test,
            "is_signal": np.r_[np.zeros(test_d.sum(), bool), np.ones(test_s.sum(), bool)],
            "injected": np.r_[np.zeros(test_d.sum(), bool), injected_test[test_s]],
            **{c: x_test[:, i] for i, c in enumerate(features)}}


def sample_sr_template(trained: flows.TrainedFlows, pool: FlowPool, oversampling: float,
                       n_holdout: int, signal_region, kde_bandwidth: float, seed: int,
                       mass_seed: int) -> tuple[Events, int]:
    """CATHODE's SR template from the sideband flow (:data:`SB_FLOW`) at SR masses from the
    KDE (width ``kde_bandwidth`` in logit space, ``signal_region`` (GeV) edges) of the
    pool's SR masses: ``oversampling`` times the pool's SR count, then ``n_holdout`` more
    (the held-out template). Returns the events (features in their units, mjj GeV) and the
    size of the main template; draws seeded by ``seed``, masses by ``mass_seed``."""
    n_main = int(oversampling * len(pool.rows[SR_FLOW]))
    template = CathodeTemplate.from_trained(trained, SB_FLOW, signal_region, kde_bandwidth)
    events = template.sample(pool.m[pool.rows[SR_FLOW]], n_main + n_holdout, seed=seed,
                             mass_seed=mass_seed)
    return events, n_main


def template_columns(events: Events, n_main: int, features) -> dict:
    """Columns (N,) of a sampled template (:func:`sample_sr_template`): mjj (GeV), holdout
    (bool, the events after the first ``n_main``) and the ``features``."""
    return {"mjj": events.m, "holdout": np.arange(len(events.m)) >= n_main,
            **{c: events.x[:, i] for i, c in enumerate(features)}}


def loss_record(trained: flows.TrainedFlows) -> dict:
    """Training record of the two flows ('sr': :data:`SR_FLOW`, 'sb': :data:`SB_FLOW`): per
    epoch the validation and training losses (mean -log p per event, preprocessed space)
    and the kept epochs' validation losses, ascending."""
    return {"val_loss": {"sr": trained.val_loss[:, SR_FLOW].tolist(),
                         "sb": trained.val_loss[:, SB_FLOW].tolist()},
            "train_loss": {"sr": trained.train_loss[:, SR_FLOW].tolist(),
                           "sb": trained.train_loss[:, SB_FLOW].tolist()},
            "kept_val_loss": {"sr": sorted(trained.kept_loss[:, SR_FLOW].tolist()),
                              "sb": sorted(trained.kept_loss[:, SB_FLOW].tolist())}}
