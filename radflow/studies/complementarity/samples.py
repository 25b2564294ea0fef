"""The event sets of one repetition of a complementarity study (arXiv:2307.11157), the same
for every method and classifier:

- the sideband training data: the data's train half in the sidebands plus the injected
  signal there, with one seeded 80/20 train/validation split shared by all methods (the
  paper gives every method the same split);
- the SR search data: the data's train half in the SR plus the injected SR signal (label 1
  of every common classifier);
- the simulation of the repetition in the sidebands and in the SR, with its own shared
  split (SALAD, FETA);
- the true SR background: the data's test half in the SR (background only), the template of
  the truth-vs-truth and idealized classifiers (and of the multiclass classifier's truth
  column);
- the fixed test set: the 'extra' sample's SR events (background) and the signal's test half
  in the SR, never used in any training.

Every set is :class:`radflow.templates.Events` (features (N, F) in their units, mjj (N,) in
GeV) built from the columns of :func:`radflow.inject.load_repetition`.
"""
from __future__ import annotations

import numpy as np

from radflow import h5io
from radflow.seeds import derive_seed
from radflow.templates import Events

#: Fraction of the sideband data (and simulation) every method validates on (paper: 80/20).
VALIDATION_FRACTION = 0.2


def matrix(columns: dict, features, mask) -> np.ndarray:
    """(n, F) feature matrix of the rows ``mask`` (N,) bool of sample ``columns``."""
    return np.column_stack([np.asarray(columns[c])[mask] for c in features])


def _events(parts, features, val_seed=None) -> Events:
    """Events of the concatenated (columns, mask) ``parts``; with ``val_seed``, a seeded
    validation mask of VALIDATION_FRACTION of them."""
    x = np.concatenate([matrix(c, features, m) for c, m in parts])
    mjj = np.concatenate([np.asarray(c["mjj"])[m] for c, m in parts])
    val = None
    if val_seed is not None:
        val = np.random.default_rng(val_seed).random(len(mjj)) < VALIDATION_FRACTION
    return Events(x, mjj, val=val)


def validation_seed(seed: int, study: str, injection: str, sample: str) -> int:
    """Seed of the train/validation split of ``sample`` ('data' or 'sim') in one injection."""
    return derive_seed(seed, study, "validation", sample, injection)


def sideband_data(data: dict, signal: dict, features, seed: int, study: str,
                  injection: str) -> Events:
    """The sideband training data of all methods, with the shared validation mask."""
    return _events([(data, ~data["test"] & data["sb"]), (signal, signal["injected"] & signal["sb"])],
                   features, validation_seed(seed, study, injection, "data"))


def sr_data(data: dict, signal: dict, features) -> Events:
    """The SR search data: data train half in the SR plus the injected SR signal."""
    return _events([(data, ~data["test"] & data["sr"]), (signal, signal["injected"] & signal["sr"])],
                   features)


def simulation(sim: dict, features, regions, seed: int, study: str, injection: str) -> Events:
    """The repetition's simulation in ``regions`` ('sb', 'sr' or both), with its shared
    validation mask (drawn over all its SB and SR events, so SALAD and FETA agree)."""
    inside = sim["sb"] | sim["sr"]
    val = np.random.default_rng(validation_seed(seed, study, injection, "sim")).random(
        len(inside)) < VALIDATION_FRACTION
    keep = np.zeros(len(inside), bool)
    for r in regions:
        keep |= np.asarray(sim[r], bool)
    ev = _events([(sim, keep)], features)
    return Events(ev.x, ev.m, val=val[keep])


def true_background(data: dict, features) -> Events:
    """The true SR background: the data's test half in the SR (no signal is injected there)."""
    return _events([(data, data["test"] & data["sr"])], features)


def test_set(extra: dict, signal: dict, features) -> tuple[Events, np.ndarray]:
    """The fixed test set and its truth labels (N,) bool (True: signal): the extra sample's
    SR events, then the signal's test half in the SR."""
    bkg, sig = extra["sr"], signal["test"] & signal["sr"]
    ev = _events([(extra, bkg), (signal, sig)], features)
    return ev, np.r_[np.zeros(bkg.sum(), bool), np.ones(sig.sum(), bool)]


def read_synthetic(paths, features) -> dict:
    """{method: [(x (n, F), w (n,)) per generator]} of the synthetic samples ``paths`` (the
    complementarity_synthetic rule's files: the ``features``, ``weight`` and ``generator``
    columns, the method in the attributes)."""
    out = {}
    for path in paths:
        method = h5io.read_attrs(path)["method"]
        c = h5io.read_columns(path, [*features, "weight", "generator"])
        x = np.column_stack([c[f] for f in features])
        out[method] = [(x[c["generator"] == g], c["weight"][c["generator"] == g])
                       for g in range(int(c["generator"].max()) + 1)]
    return out
