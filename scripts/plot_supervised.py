"""Figure A3: supervised classifier (signal vs 'data' background in the SR): output
histograms, ROC curve and SIC curve on the test half."""
import argparse

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.ml import metrics
from radflow import plotting


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--outputs", nargs=2, required=True, help="A3 .pdf .png")
    args = ap.parse_args(argv)
    s = h5io.read_columns(args.scores, ["score", "label"])
    y, score = s["label"] > 0.5, s["score"]
    fpr, tpr, _ = metrics.roc_curve(y, score)
    fig, (ax_out, ax_roc, ax_sic) = plotting.plt.subplots(1, 3, figsize=(20, 6.5))
    bins = np.linspace(0, 1, 41)
    for sel, label, color in ((~y, "background (data)", "black"), (y, "signal", "tab:blue")):
        h, err = plotting.normalized_hist(score[sel], bins)
        plotting.hep.histplot(h, bins, yerr=err, ax=ax_out, label=label, color=color)
    ax_out.set(xlabel="classifier output", ylabel="normalized density", yscale="log")
    ax_out.legend()
    auc = metrics.roc_auc(y, score)
    ax_roc.plot(fpr, tpr, label=f"supervised, AUC = {auc:.3f}")
    ax_roc.plot([0, 1], [0, 1], "k:", label="random")
    ax_roc.set(xlabel=r"$\epsilon_B$ (background efficiency)", ylabel=r"$\epsilon_S$ (signal efficiency)")
    ax_roc.legend()
    keep = tpr > 0
    ax_sic.plot(tpr[keep], metrics.sic(tpr[keep], fpr[keep], metrics.SIC_OFFSET), label="supervised")
    ax_sic.axhline(1.0, color="k", ls=":", label="random")
    ax_sic.set(xlabel=r"$\epsilon_S$", ylabel=rf"SIC = $\epsilon_S/\sqrt{{\epsilon_B + {metrics.SIC_OFFSET:g}}}$")
    ax_sic.legend()
    fig.tight_layout()
    plotting.save(fig, args.outputs)


if __name__ == "__main__":
    _bootstrap.run(main)
