"""Signal region, sidebands and train/test split of one study, per event.

A study (config ``studies.<name>``) defines, in mjj (GeV): ``fit_range``,
``signal_region``, short ``sidebands`` and optional ``long_sidebands`` (the SA-CWoLa
paper's DCTR region). ``alpha`` is the SA-CWoLa paper's correlation test
m_j -> m_j + alpha * mjj, applied to both jet masses (mass ordering is unchanged, delta_m
too). The split draws ``test`` with probability ``test_fraction`` from a seed derived from
the config seed, the study and the sample, so it is the same in every run.
:func:`check_regions` rejects a background sample with an empty SR or sideband window.
"""
from __future__ import annotations

import numpy as np

from radflow import h5io
from radflow.seeds import derive_seed


#: Samples in the background role of a study (data and simulation), checked by
#: :func:`check_regions`; every other sample is signal.
BACKGROUND_SAMPLES = ("data", "sim", "data_extra")


def in_windows(x: np.ndarray, windows) -> np.ndarray:
    """Boolean mask: x inside any half-open window [lo, hi)."""
    mask = np.zeros(len(x), dtype=bool)
    for lo, hi in windows:
        mask |= (x >= lo) & (x < hi)
    return mask


def check_regions(mjj, study_cfg: dict, study: str, sample: str, path) -> None:
    """Raise :class:`radflow.h5io.InputError` if ``sample`` is a background sample
    (:data:`BACKGROUND_SAMPLES`) and its mjj (N,), GeV, has no event in the signal region
    or in one of the sideband windows (an empty or one-sided sideband). The message names
    the file ``path``, the config field and edges of the empty window and the sample.
    Signal samples are not checked: their sidebands may legitimately be (almost) empty."""
    if sample not in BACKGROUND_SAMPLES:
        return
    mjj = np.asarray(mjj)
    windows = [("signal_region", study_cfg["signal_region"])]
    windows += [(f"sidebands[{i}]", w) for i, w in enumerate(study_cfg["sidebands"])]
    for field, (lo, hi) in windows:
        if not in_windows(mjj, [(lo, hi)]).any():
            raise h5io.InputError(
                f"{path}: studies.{study}.{field} [{lo:g}, {hi:g}] GeV has no events of "
                f"sample {sample!r} (a background sample needs events in the signal region "
                "and in every sideband)")


def region_columns(features: dict, study_cfg: dict, seed: int, study: str, sample: str) -> dict:
    """Per-event columns (1-D arrays, one entry per event of ``features``) of a study:
    fit, sr, sb, sb_low, long_sb, test (bool); mj1, mj2 (GeV, after the alpha shift)."""
    mjj = np.asarray(features["mjj"])
    sr_lo = study_cfg["signal_region"][0]
    sb = in_windows(mjj, study_cfg["sidebands"])
    alpha = float(study_cfg["alpha"])
    rng = np.random.default_rng(derive_seed(seed, "split", study, sample))
    return {
        "fit": in_windows(mjj, [study_cfg["fit_range"]]),
        "sr": in_windows(mjj, [study_cfg["signal_region"]]),
        "sb": sb,
        "sb_low": sb & (mjj < sr_lo),
        "long_sb": in_windows(mjj, study_cfg.get("long_sidebands", [])),
        "test": rng.random(len(mjj)) < study_cfg["test_fraction"],
        "mj1": np.asarray(features["mj1"]) + alpha * mjj,
        "mj2": np.asarray(features["mj2"]) + alpha * mjj,
    }


def load_study_sample(features_path, regions_path, columns) -> dict:
    """Feature ``columns`` of one sample joined with its study's region columns.

    The region file's (alpha-shifted) mj1/mj2 replace the feature file's, so a study with
    alpha != 0 trains on the correlated masses. Returns a dict of 1-D arrays (N,).
    """
    from radflow.events.features import require

    feats = h5io.read_columns(features_path)
    require(feats, columns, str(features_path))
    reg = h5io.read_columns(regions_path)
    out = {c: feats[c] for c in columns}
    out.update(reg)
    out.update(mjj=feats["mjj"], label=feats["label"])
    return out
