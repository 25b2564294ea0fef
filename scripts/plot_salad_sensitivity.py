"""Figures A8 (SALAD paper, Fig. 8: AUC, max SIC, FPR and SIC at eS = 50% vs S/B for the
ideal, sim-only and SALAD lines; error bars = standard deviation over repetitions) and A9
(Fig. 9: predicted / true background, eq. 2.4, vs data efficiency, with and without DCTR),
from results/salad/summary.json."""
import argparse
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import plotting
from radflow.ml import metrics

METRICS = {"auc": "AUC", "max_sic": rf"max SIC ($\epsilon_B$ offset {metrics.SIC_OFFSET:g})",
           "fpr_at_50": r"FPR at $\epsilon_S$ = 50%", "sic_at_50": r"SIC at $\epsilon_S$ = 50%"}
STYLE = {"ideal": ("ideal (data vs independent data)", "black"),
         "sim_only": ("sim only", "tab:orange"), "salad": ("SALAD", "tab:green")}
SB_ZERO_AT = 1e-3


def a8(summary, out):
    fig, axes = plotting.plt.subplots(2, 2, figsize=(14, 11))
    n_rep = summary["repetitions"]
    for ax, (m, label) in zip(axes.flat, METRICS.items()):
        for line, (name, color) in STYLE.items():
            by_sb = summary["sensitivity"][m][line]
            sbs = sorted(by_sb, key=float)
            x = [max(float(sb), SB_ZERO_AT) for sb in sbs]
            ax.errorbar(x, [by_sb[sb]["mean"] for sb in sbs],
                        yerr=[by_sb[sb]["std"] or 0.0 for sb in sbs],
                        label=name, color=color, marker="o", capsize=3)
        ax.set(xscale="log", xlabel="S/B in the signal region", ylabel=label)
        if m in ("max_sic", "sic_at_50"):
            ax.axhline(1.0 if m == "max_sic" else 0.5 / np.sqrt(0.5 + metrics.SIC_OFFSET),
                       color="gray", ls=":", label="random")
        if m == "auc":
            ax.axhline(0.5, color="gray", ls=":", label="random")
    fig.tight_layout()
    # One legend below the panels (the curves fill every corner of the AUC panel).
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="upper center",
               bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=14, title_fontsize=14,
               title=f"error bars: std over {n_rep} repetitions; "
                     f"S/B = 0 is drawn at S/B = {SB_ZERO_AT:g}")
    plotting.save(fig, out)


def a9(summary, out):
    fig, ax = plotting.plt.subplots(figsize=(9, 7))
    for k, color, label in (("with_dctr", "tab:green", "sim + DCTR"),
                            ("without_dctr", "tab:orange", "sim (no DCTR)")):
        pts = summary["background_estimate"][k]
        effs = sorted(pts, key=float)
        ax.errorbar([float(e) for e in effs], [pts[e][0] for e in effs],
                    yerr=[pts[e][1] for e in effs], marker="o", color=color, label=label, capsize=2)
    ax.axhline(1.0, color="gray", ls=":")
    ax.set(xscale="log", xlabel="data efficiency of the SALAD threshold (S/B = 0)")
    ax.set_ylabel(r"$N_\mathrm{pred} / N_\mathrm{true}$ in the SR", fontsize=20)
    ax.legend(title="eq. 2.4, one classifier; stat. errors", title_fontsize=12)
    plotting.save(fig, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--a8", nargs=2, required=True, help="A8 .pdf .png")
    ap.add_argument("--a9", nargs=2, required=True, help="A9 .pdf .png")
    args = ap.parse_args(argv)
    with open(args.summary) as f:
        summary = json.load(f)
    a8(summary, args.a8)
    a9(summary, args.a9)


if __name__ == "__main__":
    _bootstrap.run(main)
