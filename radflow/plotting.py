"""HEP-style figures (mplhep): normalized histograms with ratio panels, saved as PDF + PNG.

Figure files are named ``results/figures/{ID}_{name}.{pdf,png}`` with the catalog id of
``docs/DESIGN.md``.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplhep as hep  # noqa: E402
import numpy as np  # noqa: E402

from radflow.h5io import atomic_output  # noqa: E402

plt.style.use(hep.style.ROOT)

#: Axis labels of feature columns, with units.
LABELS = {
    "mjj": r"$m_{jj}$ [GeV]", "mj1": r"$m_{j1}$ [GeV]", "mj2": r"$m_{j2}$ [GeV]",
    "delta_m": r"$\Delta m = m_{j1} - m_{j2}$ [GeV]",
    "tau21_j1": r"$\tau_{21}^{j1}$", "tau21_j2": r"$\tau_{21}^{j2}$",
    "tau32_j1": r"$\tau_{32}^{j1}$", "tau32_j2": r"$\tau_{32}^{j2}$",
}


def ratio_figure(n_panels: int = 1, width: float = 6.5):
    """Figure with ``n_panels`` columns, each a main axis over a ratio axis."""
    fig, axes = plt.subplots(2, n_panels, figsize=(width * n_panels, 6.5), sharex="col",
                             gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05, "wspace": 0.35}, squeeze=False)
    return fig, axes


def normalized_hist(values, bins, weights=None):
    """Density histogram and its statistical error (sqrt of the sum of squared weights)."""
    w = np.ones(len(values)) if weights is None else np.asarray(weights, float)
    counts, _ = np.histogram(values, bins=bins, weights=w)
    sumw2, _ = np.histogram(values, bins=bins, weights=w * w)
    norm = w.sum() * np.diff(bins)
    return counts / norm, np.sqrt(sumw2) / norm


def compare(ax, rax, series, bins, xlabel, reference: int = 0, logy=False):
    """Overlay normalized histograms; ratio panel shows each series / series[reference].

    ``series``: list of dicts with ``values``, optional ``weights``, ``label`` and
    ``ratio`` (bool: draw in the ratio panel).
    """
    hists = [normalized_hist(s["values"], bins, s.get("weights")) for s in series]
    ref, ref_err = hists[reference]
    centers = 0.5 * (bins[1:] + bins[:-1])
    for i, (s, (h, err)) in enumerate(zip(series, hists)):
        hep.histplot(h, bins, yerr=err, ax=ax, label=s["label"], histtype="step", lw=1.5,
                     color=s.get("color"))
        if s.get("ratio", i != reference):
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(ref > 0, h / ref, np.nan)
                rerr = r * np.sqrt((err / np.where(h > 0, h, np.inf)) ** 2 + (ref_err / np.where(ref > 0, ref, np.inf)) ** 2)
            rax.errorbar(centers, r, yerr=rerr, fmt=s.get("marker", "o"), ms=4,
                         color=s.get("color", ax.lines[-1].get_color() if ax.lines else None))
    rax.axhline(1.0, color="gray", ls="--", lw=1)
    rax.set_ylim(0.5, 1.5)
    rax.set_ylabel(f"ratio to {series[reference].get('short', 'ref.')}", fontsize=15)
    rax.set_xlabel(xlabel)
    ax.set_ylabel("normalized density", fontsize=18)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=13)


def data_sim_dctr(values_d, values_s, w_s) -> list[dict]:
    """:func:`compare` series for data (the ratio reference), sim and DCTR-weighted sim."""
    return [{"values": values_d, "label": "data", "color": "black", "short": "data", "ratio": False},
            {"values": values_s, "label": "sim", "color": "tab:orange", "marker": "o"},
            {"values": values_s, "weights": w_s, "label": "sim + DCTR", "color": "tab:green",
             "marker": "s"}]


def spectrum_fit_figure(edges, counts, expected, signal_region, data_label: str,
                        fit_label: str = None, width: float = 9):
    """mjj spectrum on log bins (``edges`` (n_bins + 1,), GeV; ``counts`` (n_bins,) events)
    with its dijet fit ``expected`` (n_bins,; None: the fit failed) over the pulls
    (n - mu) / sqrt(mu), the ``signal_region`` (GeV) shaded, log axes. Returns (fig, ax, rax)."""
    centres = np.sqrt(edges[:-1] * edges[1:])
    n = np.asarray(counts, float)
    fig, axes = ratio_figure(1, width=width)
    ax, rax = axes[0, 0], axes[1, 0]
    ax.errorbar(centres, n, yerr=np.sqrt(n), fmt="o", color="black", ms=4, label=data_label)
    if expected is not None:
        mu = np.asarray(expected, float)
        ax.stairs(mu, edges, color="tab:red", baseline=None, label=fit_label)
        rax.errorbar(centres, (n - mu) / np.sqrt(mu), yerr=np.sqrt(n) / np.sqrt(mu), fmt="o",
                     color="black", ms=4)
    rax.axhline(0, color="gray", lw=1)
    for a in (ax, rax):
        a.axvspan(*signal_region, color="gray", alpha=0.15)
        a.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylabel("events / bin")
    rax.set_ylabel(r"$(n - \mu)/\sqrt{\mu}$", fontsize=13)
    rax.set_xlabel(LABELS["mjj"])
    return fig, ax, rax


def save(fig, outputs) -> None:
    """Save ``fig`` to each output path (atomically), cropped to its tight bounding box, and
    close it. The layout and the box are found once, by a draw without rendering, for all
    formats: each format is then drawn once (with ``bbox_inches="tight"``, or a layout
    engine left on the figure, as by ``tight_layout``, every format is drawn twice)."""
    fig.draw_without_rendering()
    bbox = fig.get_tightbbox().padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine(None)
    for out in outputs:
        with atomic_output(out) as tmp:
            fig.savefig(tmp, format=Path(out).suffix[1:], bbox_inches=bbox)
    plt.close(fig)


#: Method name -> (label, colour, line style), the SA-CWoLa paper's colours (Figs. 2, 6, 7)
#: and the CATHODE paper's methods.
METHOD_STYLE = {"cwola": ("CWoLa", "tab:red", ":"), "sa_cwola": ("SA-CWoLa", "tab:orange", "-"),
                "sa_cwola_flipped": ("SA-CWoLa (flipped labels)", "tab:orange", "--"),
                "salad": ("SALAD", "tab:blue", "-"),
                "optimal_cwola": ("Optimal CWoLa", "tab:red", "-"),
                "data_vs_sim": ("Data vs. Sim.", "tab:blue", ":"),
                "supervised": ("Supervised", "black", "-"),
                "idealized": ("Idealized AD", "tab:gray", "--"),
                "cathode": ("CATHODE", "tab:purple", "-"),
                "anode": ("ANODE", "tab:green", "-.")}


def region_lines(ax, signal_region, sidebands) -> None:
    """Vertical lines at the SR edges (dashed) and the sideband edges (dotted), in mjj."""
    for x in signal_region:
        ax.axvline(x, color="gray", ls="--", lw=1)
    for lo, hi in sidebands:
        for x in (lo, hi):
            ax.axvline(x, color="gray", ls=":", lw=1)
