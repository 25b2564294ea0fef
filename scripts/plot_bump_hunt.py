"""Figures B4-B7 (SA-CWoLa paper, Figs. 4-7) from results/{study}/fits.json.

B4: background-only mjj spectrum of the test half without selection, the dijet-function fit
to the sidebands (SR bins masked), the KS p-value, SR/SB lines, the injected signal
overlaid; pull panel (n - fit) / sqrt(fit).
B5: mjj after thresholds on CWoLa and SA-CWoLa, background only.
B6: fitted significance vs background efficiency with signal, raw and residual-corrected.
B7: the same without signal (signed Z), raw and shifted so that 100% efficiency is 0."""
import argparse
import json

import matplotlib.pyplot as plt
import mplhep as hep
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import plotting

NAMES = {"cwola": ("CWoLa", "tab:red", ":"), "sa_cwola": ("SA-CWoLa", "tab:orange", "-"),
         "salad": ("SALAD", "tab:blue", "-"), "optimal_cwola": ("Optimal CWoLa", "tab:red", "-"),
         "data_vs_sim": ("Data vs. Sim.", "tab:blue", ":"), "supervised": ("Supervised", "black", "-")}


def region_lines(ax, r):
    for x in r["signal_region"]:
        ax.axvline(x, color="gray", ls="--", lw=1)
    for lo, hi in r["sidebands"]:
        for x in (lo, hi):
            ax.axvline(x, color="gray", ls=":", lw=1)


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
                     label=f"fit, KS $p$ = {f['ks_pvalue']:.2f}, deviance/ndf = "
                           f"{f['deviance']:.1f}/{f['ndf']}")
        rax.errorbar(centers, (counts - exp) / np.sqrt(exp), yerr=np.sqrt(counts) / np.sqrt(exp),
                     fmt="ko", ms=4)
    region_lines(ax, r)
    region_lines(rax, r)
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
                         label=rf"$\epsilon_B$ = {100 * f['efficiency']:g}%")
        region_lines(ax, r)
        ax.set_yscale("log")
        ax.set_xlabel(plotting.LABELS["mjj"])
        ax.set_ylabel("events / bin")
        title = NAMES[m][0] + (rf" ($\lambda = {r['nominal_lambda']:g}$)" if m == "sa_cwola" else "")
        ax.set_title(f"{title}, background only", fontsize=16)
        ax.legend(fontsize=10, ncol=2)
    plotting.save(fig, out)


def z_panels(r, case, keys, titles, out, shift=False):
    effs = np.array(r["efficiencies"])
    fig, axes = plt.subplots(1, 2, figsize=(16, 6.5), gridspec_kw={"wspace": 0.25})
    for ax, key, title in zip(axes, keys, titles):
        for m, fits in r["cases"][case]["methods"].items():
            label, color, ls = NAMES[m]
            z = np.array([np.nan if f.get(key) is None else f[key] for f in fits], float)
            if shift and ax is axes[1]:
                z = z - z[np.argmax(effs)]
            failed = int(np.isnan(z).sum())
            ax.plot(effs, z, "o", color=color, ls=ls,
                    label=label + (f" ({failed} failed fit{'s' * (failed > 1)})" if failed else ""))
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.axhline(0, color="gray", lw=1)
        ax.set_xlabel(r"background efficiency $\epsilon_B$ (SR)")
        ax.set_ylabel(r"$Z$ [$\sigma$]")
        ax.set_title(title, fontsize=16)
        ax.legend(fontsize=12)
    plotting.save(fig, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fits", required=True)
    for fid in ("b4", "b5", "b6", "b7"):
        ap.add_argument(f"--{fid}", nargs=2, required=True, help=f"{fid.upper()} .pdf .png")
    args = ap.parse_args(argv)
    r = json.loads(open(args.fits).read())
    b4(r, args.b4)
    b5(r, args.b5)
    z_panels(r, "with_signal", ("z", "z_residual_corrected"),
             ("with signal", "with signal, background-only residual subtracted"), args.b6)
    z_panels(r, "background_only", ("z_signed", "z_signed"),
             ("no signal (signed Z)", r"no signal, $Z - Z(\epsilon_B = 100\%)$"), args.b7, shift=True)


if __name__ == "__main__":
    main()
