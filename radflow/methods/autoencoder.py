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

Held-out evaluation (``folds`` = k >= 2): the training events are split at random into k
equal folds and the members into k equal groups, group f holding out fold f: its members
draw their subsamples (and validation events) from the other k - 1 folds only. An event of
fold f is then scored by the M / k members of group f, none of which trained on it
(:attr:`AutoencoderEnsemble.heldout_score`), and each member's FVU is measured on its own
held-out fold (:attr:`AutoencoderEnsemble.heldout_fvu`), a fraction 1/k of the events.
Events that were not trained on (signal) are given a random fold (:func:`assign_folds`) and
scored alike, so every event's score is a mean over M / k members. :func:`choose_folds`
picks k. The paper instead scores every event with all 50 members, each trained on 50k of
its 537k events (an event is in about 5 of the 50 training sets); on our smaller data a
member's subsample is most of the events, so scoring with all members would score most
events with networks that trained on them. The standardization (mean and standard deviation
per feature) uses all training events.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from radflow import seeds
from radflow.ml import ensemble, models

#: Index of the bottleneck among the hidden layers (hidden, hidden, latent, hidden, hidden).
BOTTLENECK = 2
#: Validation events per member (its loss is reported; they come from its training pool).
VAL_EVENTS = 2000


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


def assign_folds(n_events: int, folds: int, seed: int) -> np.ndarray:
    """Fold (N,) int in [0, folds) of each of ``n_events`` events: a seeded random
    permutation dealt round-robin, so fold sizes differ by at most one."""
    fold = np.empty(n_events, int)
    fold[np.random.default_rng(seed).permutation(n_events)] = np.arange(n_events) % folds
    return fold


def choose_folds(n_events: int, n_members: int, subsample: int,
                 val_events: int = VAL_EVENTS) -> int:
    """Folds k of the held-out evaluation (module docstring) of ``n_members`` members on
    ``n_events`` training events: the smallest divisor k >= 2 of n_members whose training
    pool (the events outside the largest fold, N - ceil(N / k)) holds ``subsample`` +
    ``val_events`` events, i.e. the most members per event (M / k) that leaves each member's
    subsample at its configured size. If no divisor does, k = n_members (the largest pool;
    :func:`train` then clips the subsample to it). Raises ValueError for fewer than 2
    members (no member would be left to score an event)."""
    if n_members < 2:
        raise ValueError(f"held-out scoring needs at least 2 autoencoder members, got {n_members}")
    divisors = [k for k in range(2, n_members + 1) if n_members % k == 0]
    for k in divisors:
        if n_events - -(-n_events // k) >= subsample + val_events:
            return k
    return n_members


@dataclass
class AutoencoderEnsemble:
    """Trained members and the standardization of their inputs (per feature, (d,)).

    fold (N,): the fold of each training event (-1 with ``folds`` = 1); member_fold (M,):
    the fold each member holds out (0 with ``folds`` = 1, which holds out nothing).
    subsample: training events per member (the configured size or, clipped, its pool minus
    the validation events). With folds >= 2: heldout_score (N,), the score of each training
    event by the members that held it out, and heldout_fvu (M,), each member's FVU on its
    held-out fold; None with folds = 1."""
    trained: ensemble.TrainedEnsemble
    mean: np.ndarray
    std: np.ndarray
    folds: int
    fold: np.ndarray
    member_fold: np.ndarray
    subsample: int
    heldout_score: np.ndarray | None = None
    heldout_fvu: np.ndarray | None = None

    def member_mse(self, x) -> np.ndarray:
        """Reconstruction MSE (M, N) of events x (N, d), physical units, per member."""
        return self.trained.predict(standardize(x, self.mean, self.std))

    def score(self, x) -> np.ndarray:
        """Anomaly score (N,) of events x (N, d): the MSE averaged over all members (for
        events no member trained on)."""
        return self.member_mse(x).mean(axis=0)

    def fold_score(self, x, fold, member_mse=None) -> np.ndarray:
        """Anomaly score (N,) of events x (N, d) in folds ``fold`` (N,): the MSE averaged
        over the members holding out each event's fold. ``member_mse`` (M, N): their
        :meth:`member_mse`, if already computed."""
        mse = self.member_mse(x) if member_mse is None else member_mse
        own = self.member_fold[:, None] == np.asarray(fold)[None, :]
        return np.sum(mse * own, axis=0) / own.sum(axis=0)

    def fvu(self, x, member_mse=None) -> np.ndarray:
        """Fraction of variance unexplained (M,) of each member on events x (N, d);
        ``member_mse`` (M, N): their :meth:`member_mse`, if already computed."""
        z = standardize(x, self.mean, self.std)
        total = np.mean(np.sum((z - z.mean(axis=0)) ** 2, axis=1))
        mse = self.member_mse(x) if member_mse is None else member_mse
        return mse.mean(axis=1) * z.shape[1] / total


def train(x_bkg, n_members: int, subsample: int, seed: int, epochs: int = 1,
          batch_size: int = 128, hidden: int = 512, latent: int = 2,
          learning_rate: float = 1e-4, val_events: int = VAL_EVENTS,
          activation: str = "relu", folds: int = 1) -> AutoencoderEnsemble:
    """Train the ensemble on background events x_bkg (N, d), physical units (GeV for pT and
    masses). ``folds`` = 1: member i trains on its own random ``subsample`` events (without
    replacement, seeded from ``seed`` and i) and reports a validation loss on ``val_events``
    others; with ``subsample`` >= N - val_events every member sees the same events in its
    own order. ``folds`` = k >= 2 (a divisor of n_members): the held-out evaluation of the
    module docstring, with folds drawn by :func:`assign_folds` from ``seed``, each member's
    subsample and validation events drawn from the events outside its fold (the subsample
    clipped to that pool minus ``val_events``), and heldout_score, heldout_fvu filled in.
    Raises ValueError if x_bkg has NaNs, if ``folds`` does not divide n_members, or if a
    member's pool has at most ``val_events`` events."""
    x = np.asarray(x_bkg, float)
    n = len(x)
    if not np.isfinite(x).all():
        raise ValueError("autoencoder training events contain NaN or inf")
    if folds < 1 or n_members % folds:
        raise ValueError(f"{folds} folds for {n_members} autoencoder members: the folds must "
                         "divide the members")
    fold = assign_folds(n, folds, seeds.derive_seed(seed, "ae_folds")) if folds > 1 \
        else np.full(n, -1)
    member_fold = np.arange(n_members) % folds
    pool_size = min(int(np.sum(fold != f)) for f in range(folds))
    if pool_size <= val_events:
        raise ValueError(f"{pool_size} background events per member's pool for an autoencoder "
                         f"with {val_events} validation events")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    z = standardize(x, mean, std)
    size = min(subsample, pool_size - val_events)
    w_tr = np.zeros((n_members, n), np.float32)
    w_val = np.zeros((n_members, n), np.float32)
    for i in range(n_members):
        pool = np.nonzero(fold != member_fold[i])[0]
        order = np.random.default_rng(seeds.derive_seed(seed, "ae_subsample", i)).permutation(pool)
        w_tr[i, order[:size]] = 1.0
        w_val[i, order[size:size + val_events]] = 1.0
    trained = ensemble.train_ensemble(
        z, None, architecture(hidden, latent, learning_rate, activation), n_members, seed, w_tr, w_val,
        epochs=epochs, patience=epochs, batch_size=batch_size)
    ens = AutoencoderEnsemble(trained, mean, std, folds, fold, member_fold, size)
    if folds > 1:
        mse = trained.predict(z)
        ens.heldout_score = ens.fold_score(None, fold, mse)
        ens.heldout_fvu = np.array([ens.fvu(x[fold == f], mse[:, fold == f])[i]
                                    for i, f in enumerate(member_fold)])
    return ens
