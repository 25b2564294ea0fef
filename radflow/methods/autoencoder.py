"""The autoencoder ensemble of the CWoLa-vs-autoencoder paper (Sec. 3.2).

Inputs are the paper's 10 jet features (m_J, tau21, tau32, n_trk and pT of both jets),
standardized with the mean and standard deviation of the background training sample; the
reconstruction error is the MSE in that standardized space. Each of ``n_members`` members
(paper: 50) is the ``autoencoder`` architecture of radflow.ml.models (hidden-hidden-latent-
hidden-hidden, ReLU, batch norm after the first layer, linear bottleneck and output; paper:
512-512-2-512-512) trained with Adam (paper: 1e-4) and batch 128 for ``epochs`` (paper: 1)
on its own random subsample of ``subsample`` background events (paper: 50k), all members in
one vectorized model. The anomaly score of an event is its MSE averaged over the members.

The fraction of variance unexplained, FVU = sum_i |x_i - x'_i|^2 / sum_i |x_i - mean(x)|^2
over held-out background, measures what the bottleneck keeps (the paper's model selection:
FVU vs latent size, E14-E17).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from radflow import seeds
from radflow.ml import ensemble, models

#: Index of the bottleneck among the hidden layers (hidden, hidden, latent, hidden, hidden).
BOTTLENECK = 2


def architecture(hidden: int = 512, latent: int = 2, learning_rate: float = 1e-4,
                 activation: str = "relu") -> models.Architecture:
    """The paper's autoencoder with its widths set: hidden-hidden-latent-hidden-hidden.
    ``activation`` of the hidden (non-bottleneck) layers: the paper's relu, or linear (a
    linear autoencoder, whose optimum is PCA: the reference of the FVU tests)."""
    base = models.get("autoencoder")
    widths = (hidden, hidden, latent, hidden, hidden)
    layers = tuple(replace(layer, units=u, activation=layer.activation if i == BOTTLENECK else activation)
                   for i, (layer, u) in enumerate(zip(base.hidden, widths)))
    return replace(base, learning_rate=learning_rate, hidden=layers)


def standardize(x, mean, std) -> np.ndarray:
    """(x - mean) / std per feature, float32 (N, d): the space the members see and the MSE
    is computed in."""
    return ((np.asarray(x, float) - mean) / std).astype(np.float32)


@dataclass
class AutoencoderEnsemble:
    """Trained members and the standardization of their inputs (per feature, (d,))."""
    trained: ensemble.TrainedEnsemble
    mean: np.ndarray
    std: np.ndarray

    def member_mse(self, x) -> np.ndarray:
        """Reconstruction MSE (M, N) of events x (N, d), physical units, per member."""
        return self.trained.predict(standardize(x, self.mean, self.std))

    def score(self, x) -> np.ndarray:
        """Anomaly score (N,): the MSE averaged over the members."""
        return self.member_mse(x).mean(axis=0)

    def fvu(self, x, member_mse=None) -> np.ndarray:
        """Fraction of variance unexplained (M,) of each member on events x (N, d);
        ``member_mse`` (M, N): their :meth:`member_mse`, if already computed."""
        z = standardize(x, self.mean, self.std)
        total = np.mean(np.sum((z - z.mean(axis=0)) ** 2, axis=1))
        mse = self.member_mse(x) if member_mse is None else member_mse
        return mse.mean(axis=1) * z.shape[1] / total


def train(x_bkg, n_members: int, subsample: int, seed: int, epochs: int = 1,
          batch_size: int = 128, hidden: int = 512, latent: int = 2,
          learning_rate: float = 1e-4, val_events: int = 2000,
          activation: str = "relu") -> AutoencoderEnsemble:
    """Train the ensemble on background events x_bkg (N, d), physical units (GeV for pT and
    masses). Member i trains on its own random ``subsample`` events (without replacement,
    seeded from ``seed`` and i) and reports a validation loss on ``val_events`` others; with
    ``subsample`` >= N - val_events every member sees the same events in its own order.
    Raises ValueError if x_bkg has fewer than ``val_events`` + 1 events or NaNs."""
    x = np.asarray(x_bkg, float)
    n = len(x)
    if not np.isfinite(x).all():
        raise ValueError("autoencoder training events contain NaN or inf")
    if n <= val_events:
        raise ValueError(f"{n} background events for an autoencoder with {val_events} "
                         "validation events")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    z = standardize(x, mean, std)
    size = min(subsample, n - val_events)
    w_tr = np.zeros((n_members, n), np.float32)
    w_val = np.zeros((n_members, n), np.float32)
    for i in range(n_members):
        order = np.random.default_rng(seeds.derive_seed(seed, "ae_subsample", i)).permutation(n)
        w_tr[i, order[:size]] = 1.0
        w_val[i, order[size:size + val_events]] = 1.0
    trained = ensemble.train_ensemble(
        z, None, architecture(hidden, latent, learning_rate, activation), n_members, seed, w_tr, w_val,
        epochs=epochs, patience=epochs, batch_size=batch_size)
    return AutoencoderEnsemble(trained, mean, std)
