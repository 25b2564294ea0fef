"""Signal region, sidebands and train/test split of one study, per event.

A study (config ``studies.<name>``) defines, in mjj (GeV): ``fit_range``,
``signal_region``, short ``sidebands`` and optional ``long_sidebands`` (the SA-CWoLa
paper's DCTR region). ``alpha`` is the SA-CWoLa paper's correlation test
m_j -> m_j + alpha * mjj, applied to both jet masses (mass ordering is unchanged, delta_m
too). The columns depend on the event alone: each repetition's background draw and
train/test split are made by the inject rule (:func:`radflow.inject.repetition_samples`)
and read back with :func:`radflow.inject.load_repetition`.
:func:`check_regions` rejects a background sample with an empty SR or sideband window.
"""
from __future__ import annotations

import numpy as np

from radflow import h5io


#: Samples in the background role of a study (data and simulation), checked by
#: :func:`check_regions`; every other sample is signal.
BACKGROUND_SAMPLES = ("data", "sim", "data_extra")


def in_windows(x: np.ndarray, windows) -> np.ndarray:
    """Boolean mask: x inside any half-open window [lo, hi)."""
    mask = np.zeros(len(x), dtype=bool)
    for lo, hi in windows:
        mask |= (x >= lo) & (x < hi)
    return mask


def log_bins(fit_range, n_bins: int) -> np.ndarray:
    """Edges (n_bins + 1,), GeV, of ``n_bins`` bins uniform in log(mjj) over ``fit_range``
    (lo, hi) GeV: the CWoLa-vs-autoencoder paper's binning (30 bins in 2.8-5.2 TeV)."""
    lo, hi = fit_range
    if not 0 < lo < hi or n_bins < 1:
        raise ValueError(f"log binning needs 0 < lo < hi and n_bins >= 1, got {fit_range}, {n_bins}")
    return np.exp(np.linspace(np.log(lo), np.log(hi), n_bins + 1))


def binned_regions(fit_range, n_bins: int, sr_bins: int, sb_bins: int, centre: float) -> dict:
    """Signal region and sidebands on the log binning of :func:`log_bins`: the SR is the
    ``sr_bins`` consecutive bins whose centre (in log mjj) is nearest to ``centre`` (GeV, the
    signal's mass hypothesis), each sideband the ``sb_bins`` bins next to it.

    Returns {"edges": (n_bins + 1,), "first_sr_bin": int, "signal_region": [lo, hi],
    "sidebands": [[lo, hi], [lo, hi]]}, GeV. Raises ValueError when a sideband would leave
    the fit range (naming the bins and the range)."""
    edges = log_bins(fit_range, n_bins)
    width = (np.log(fit_range[1]) - np.log(fit_range[0])) / n_bins
    first = int(np.floor((np.log(centre) - np.log(fit_range[0])) / width - sr_bins / 2 + 0.5))
    if first - sb_bins < 0 or first + sr_bins + sb_bins > n_bins:
        raise ValueError(
            f"a {sr_bins}-bin signal region centred on {centre:g} GeV with {sb_bins} sideband bins "
            f"each side needs bins {first - sb_bins}..{first + sr_bins + sb_bins - 1}, outside the "
            f"{n_bins} bins of {fit_range[0]:g}-{fit_range[1]:g} GeV")
    sr = [float(edges[first]), float(edges[first + sr_bins])]
    sidebands = [[float(edges[first - sb_bins]), sr[0]],
                 [sr[1], float(edges[first + sr_bins + sb_bins])]]
    return {"edges": edges, "first_sr_bin": first, "signal_region": sr, "sidebands": sidebands}


def scan_windows(fit_range, n_bins: int, sr_bins: int, sb_bins: int, step: int = 1,
            centres=None) -> list[dict]:
    """The scan windows on ``n_bins`` log bins over ``fit_range`` (GeV): SR of ``sr_bins``
    bins, ``sb_bins`` sideband bins each side, first SR bins ``sb_bins``, ``sb_bins + step``,
    ... as long as the upper sideband fits, or (``centres``, GeV) the windows of
    :func:`binned_regions` at each centre.

    Returns per window {"name": "w0", "first_sr_bin", "signal_region": [lo, hi],
    "sidebands": [[lo, hi], [lo, hi]], "centre": geometric SR centre}, GeV. ValueError when a
    window leaves the fit range or two centres give the same window."""
    edges = log_bins(fit_range, n_bins)
    if centres is None:
        firsts = list(range(sb_bins, n_bins - sr_bins - sb_bins + 1, step))
    else:
        firsts = [binned_regions(fit_range, n_bins, sr_bins, sb_bins, c)["first_sr_bin"]
                  for c in centres]
        if len(set(firsts)) != len(firsts):
            raise ValueError(f"scan centres {list(centres)} GeV give the same window twice on "
                             f"{n_bins} log bins (first SR bins {firsts})")
    out = []
    for i, first in enumerate(firsts):
        lo, hi = float(edges[first]), float(edges[first + sr_bins])
        out.append({"name": f"w{i}", "first_sr_bin": int(first), "signal_region": [lo, hi],
                    "sidebands": [[float(edges[first - sb_bins]), lo],
                                  [hi, float(edges[first + sr_bins + sb_bins])]],
                    "centre": float(np.sqrt(lo * hi))})
    return out


def window_masks(mjj, window) -> dict:
    """Bool (N,) masks sr, sb_low, sb_high of events with ``mjj`` (N,), GeV, in a window."""
    (a, b), (c, d) = window["sidebands"]
    lo, hi = window["signal_region"]
    return {"sr": (mjj >= lo) & (mjj < hi), "sb_low": (mjj >= a) & (mjj < b),
            "sb_high": (mjj >= c) & (mjj < d)}


def study_scan_windows(st: dict) -> list[dict]:
    """:func:`scan_windows` of a study's ``scan.windows`` over its fit range."""
    w = st["scan"]["windows"]
    return scan_windows(st["fit_range"], w["n_bins"], w["sr_bins"], w["sb_bins"], w.get("step", 1),
                   w.get("centres"))


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


def region_columns(features: dict, study_cfg: dict) -> dict:
    """Per-event columns (1-D arrays, one entry per event of ``features``) of a study:
    fit, sr, sb, sb_low, long_sb (bool); mj1, mj2 (GeV, after the alpha shift)."""
    mjj = np.asarray(features["mjj"])
    sr_lo = study_cfg["signal_region"][0]
    sb = in_windows(mjj, study_cfg["sidebands"])
    alpha = float(study_cfg["alpha"])
    return {
        "fit": in_windows(mjj, [study_cfg["fit_range"]]),
        "sr": in_windows(mjj, [study_cfg["signal_region"]]),
        "sb": sb,
        "sb_low": sb & (mjj < sr_lo),
        "long_sb": in_windows(mjj, study_cfg.get("long_sidebands", [])),
        "mj1": np.asarray(features["mj1"]) + alpha * mjj,
        "mj2": np.asarray(features["mj2"]) + alpha * mjj,
    }


def load_study_sample(features_path, regions_path, columns) -> dict:
    """Feature ``columns`` of one sample joined with its study's region columns, over the
    whole generated pool (no train/test split: per repetition that is
    :func:`radflow.inject.load_repetition`).

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
