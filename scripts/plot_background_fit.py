"""Figures B4 and B5 (SA-CWoLa paper, Figs. 4-5) from results/{study}/fits.json.

B4: background-only mjj spectrum of the test half without selection, the dijet-function fit
to the sidebands (SR bins masked), its goodness of fit (Poisson deviance / ndf and its chi2
p-value), SR/SB lines, the injected signal overlaid; pull panel (n - fit) / sqrt(fit).
B5: mjj after thresholds on CWoLa and SA-CWoLa, background only."""
import argparse
import json

import matplotlib.pyplot as plt
import mplhep as hep
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import plotting


def b4(r, out):
    edges = np.array(r["edges"])
    fits = next(iter(r["cases"]["background_only"]["methods"].values()))
    f = next(f for f in fits if f["efficiency"] == 1.0)     # no selection: same for every method
    counts = np.array(f["counts"])
    centers = 0.5 * (edges[1:] + edges[:-1])
    fig, (ax, rax) = plt.subplots(2, 1, figsize=(8, 8), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05})
    ax.errorbar(centers, counts, yerr=np.sqrt(counts), fmt="ko", ms=4, label="data (test half)")
    sig = np.array(r["cases"]["with_signal"]["injected_counts"])
    hep.histplot(sig, edges, ax=ax, histtype="fill", alpha=0.4, color="tab:red",
                 label=f"injected signal ({sig.sum()} events)")
    if f["converged"]:
        exp = np.array(f["expected"])
        hep.histplot(exp, edges, ax=ax, color="tab:blue",
                     label=f"fit, deviance/ndf = {f['deviance']:.1f}/{f['ndf']}, "
                           f"$p$ = {f['gof_pvalue']:.2g}")
        rax.errorbar(centers, (counts - exp) / np.sqrt(exp), yerr=np.sqrt(counts) / np.sqrt(exp),
                     fmt="ko", ms=4)
    plotting.region_lines(ax, r["signal_region"], r["sidebands"])
    plotting.region_lines(rax, r["signal_region"], r["sidebands"])
    ax.set_yscale("log")
    ax.set_ylabel("events / bin")
    ax.legend(fontsize=13, title="background only, no selection", title_fontsize=13)
    rax.axhline(0, color="gray")
    rax.set_ylabel(r"(n - fit) / $\sqrt{\mathrm{fit}}$", fontsize=14)
    rax.set_xlabel(plotting.LABELS["mjj"])
    plotting.save(fig, out)


def b5(r, out):
    edges = np.array(r["edges"])
    fits = r["cases"]["background_only"]["methods"]
    shown = [m for m in ("cwola", "sa_cwola") if m in fits]
    fig, axes = plt.subplots(1, len(shown), figsize=(8 * len(shown), 6.5), squeeze=False)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(r["efficiencies"])))
    for ax, m in zip(axes[0], shown):
        for f, c in zip(fits[m], colors):
            hep.histplot(np.array(f["counts"]), edges, ax=ax, color=c,
                         label=rf"$\epsilon$ = {100 * f['efficiency']:g}% of SR events")
        plotting.region_lines(ax, r["signal_region"], r["sidebands"])
        ax.set_yscale("log")
        ax.set_xlabel(plotting.LABELS["mjj"])
        ax.set_ylabel("events / bin")
        title = plotting.METHOD_STYLE[m][0] + (rf" ($\lambda = {r['nominal_lambda']:g}$)" if m == "sa_cwola" else "")
        ax.set_title(f"{title}, background only", fontsize=16)
        ax.legend(fontsize=10, ncol=2)
    plotting.save(fig, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fits", required=True)
    for fid in ('b4', 'b5'):
        ap.add_argument(f"--{fid}", nargs=2, required=True, help=f"{fid.upper()} .pdf .png")
    args = ap.parse_args(argv)
    with open(args.fits) as f:
        r = json.load(f)
    b4(r, args.b4)
    b5(r, args.b5)


if __name__ == "__main__":
    _bootstrap.run(main)
