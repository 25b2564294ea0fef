"""DCTR reweighting of simulation to data, parametrized in mjj (SALAD paper, Sec. IV).

A classifier f(x, m) is trained to separate data (label 1) from simulation (label 0) in
the sidebands, with the features x and m = mjj as inputs. Its likelihood-ratio trick gives
per-event weights for simulation,

    w(x | m) = f / (1 - f) * N_sim / N_data,

the second factor removing the class prior of the training sample, so that the weighted
simulation matches the data density and its normalization. Being conditional on mjj, the
same f is evaluated in the signal region (interpolation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow.ml import ensemble, models


@dataclass
class DctrModel:
    network: ensemble.TrainedEnsemble
    prior: float                  # N_data / N_sim of the training sample

    def classifier(self, x, mjj) -> np.ndarray:
        """f(x, m): mean over the ensemble members, shape (N,)."""
        inputs = np.column_stack([np.asarray(x, np.float32), np.asarray(mjj, np.float32)])
        return self.network.predict(inputs).mean(axis=0)

    def weights(self, x, mjj, clip=(1e-6, 1 - 1e-6)) -> np.ndarray:
        """w(x | m) = f / (1 - f) / prior for simulated events x (N, d) at mjj (N,) GeV."""
        f = np.clip(self.classifier(x, mjj), *clip)
        return f / (1.0 - f) / self.prior


def fit(x_data, mjj_data, x_sim, mjj_sim, seed: int, arch="salad", n_init=1, epochs=50,
        patience=10, batch_size=512, val_fraction=0.2, val=None) -> DctrModel:
    """Train the parametrized data-vs-sim classifier (inputs: features + mjj). ``val``
    (N_data + N_sim,) bool, data then simulation: the validation events (default: a random
    ``val_fraction`` of them, seeded by ``seed``)."""
    x = np.concatenate([np.column_stack([x_data, mjj_data]), np.column_stack([x_sim, mjj_sim])])
    y = np.r_[np.ones(len(x_data)), np.zeros(len(x_sim))]
    if val is None:
        w_tr, w_val = ensemble.validation_split(np.ones(len(y)), seed, val_fraction)
    else:
        val = np.asarray(val, bool)
        if val.shape != y.shape:
            raise ValueError(f"DCTR: validation mask of shape {val.shape} for {len(y)} events")
        w_tr, w_val = np.where(val, 0.0, 1.0), np.where(val, 1.0, 0.0)
    net = ensemble.train_ensemble(x.astype(np.float32), y, models.get(arch), n_init, seed,
                                  w_tr, w_val, epochs=epochs, patience=patience,
                                  batch_size=batch_size)
    return DctrModel(net, prior=len(x_data) / len(x_sim))
