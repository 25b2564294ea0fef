"""SALAD study summary: Fig. 8 (A8: AUC, max SIC, FPR and SIC at eS = 50% vs S/B for the
ideal, sim-only and SALAD lines; error bars = std over classifiers), Fig. 9 (A9: predicted
over true background efficiency vs data efficiency, with and without DCTR, from the SALAD
classifier trained without signal) and results/salad/summary.json."""
import argparse
import json

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow import plotting

METRICS = {"auc": "AUC", "max_sic": r"max SIC ($\epsilon_B$ offset $10^{-4}$)",
           "fpr_at_50": r"FPR at $\epsilon_S$ = 50%", "sic_at_50": r"SIC at $\epsilon_S$ = 50%"}
STYLE = {"ideal": ("ideal (data vs independent data)", "black"),
         "sim_only": ("sim only", "tab:orange"), "salad": ("SALAD", "tab:green")}
A9_EFFICIENCIES = np.geomspace(0.005, 0.5, 25)


def efficiency_ratio(data_scores, sim_scores, w, eff):
    """Predicted / true background efficiency at the threshold keeping ``eff`` of the data,
    with its statistical error (binomial on data, sum of w^2 on sim)."""
    cut = np.quantile(data_scores, 1.0 - eff)
    true = np.mean(data_scores > cut)
    sel = sim_scores > cut
    pred = w[sel].sum() / w.sum()
    rel = np.sqrt((1 - true) / (true * len(data_scores)) + (w[sel] ** 2).sum() / max(w[sel].sum(), 1e-12) ** 2)
    return pred / true, pred / true * rel


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--metrics", nargs="+", required=True, help="salad_scan metric files")
    ap.add_argument("--background-only-scores", required=True, help="scores of the S/B = 0 scan")
    ap.add_argument("--closure", required=True, help="sr_closure.json")
    ap.add_argument("--a8", nargs=2, required=True)
    ap.add_argument("--a9", nargs=2, required=True)
    ap.add_argument("--summary", required=True)
    args = ap.parse_args(argv)
    runs = [json.loads(open(p).read()) for p in args.metrics]
    lines = list(runs[0]["lines"])          # ideal, sim_only, salad (radflow.salad.LINES)
    by_sb = {}
    for r in runs:
        sb = float(r["injection"][2:].split("_rep")[0])
        for line in lines:
            for m, vals in r["lines"][line].items():
                by_sb.setdefault(sb, {}).setdefault(line, {}).setdefault(m, []).extend(vals)
    sbs = sorted(by_sb)

    fig, axes = plotting.plt.subplots(2, 2, figsize=(14, 11))
    x = [max(sb, 1e-3) for sb in sbs]
    for ax, (m, label) in zip(axes.flat, METRICS.items()):
        for line in lines:
            vals = [by_sb[sb][line][m] for sb in sbs]
            ax.errorbar(x, [np.mean(v) for v in vals], yerr=[np.std(v) for v in vals],
                        label=STYLE[line][0], color=STYLE[line][1], marker="o", capsize=3)
        ax.set(xscale="log", xlabel="S/B in the signal region", ylabel=label)
        if m in ("max_sic", "sic_at_50"):
            ax.axhline(1.0, color="gray", ls=":")
        if m == "auc":
            ax.axhline(0.5, color="gray", ls=":")
    axes[0, 0].legend(fontsize=13)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.text(0.5, 0.005, "S/B = 0 is drawn at S/B = 0.001", ha="center", fontsize=14)
    plotting.save(fig, args.a8)

    sc = h5io.read_columns(args.background_only_scores)
    data = sc["score_salad"][sc["label"] == 0]
    sim, w = sc["sim_score_salad"], sc["sim_w"]
    a9 = {k: np.array([efficiency_ratio(data, sim, ww, e) for e in A9_EFFICIENCIES])
          for k, ww in (("with_dctr", w), ("without_dctr", np.ones_like(w)))}
    fig, ax = plotting.plt.subplots(figsize=(9, 7))
    for k, color in (("with_dctr", "tab:green"), ("without_dctr", "tab:orange")):
        ax.errorbar(A9_EFFICIENCIES, a9[k][:, 0], yerr=a9[k][:, 1], marker="o", color=color,
                    label="sim + DCTR" if k == "with_dctr" else "sim (no DCTR)", capsize=2)
    ax.axhline(1.0, color="gray", ls=":")
    ax.set(xscale="log", xlabel="data efficiency of the SALAD threshold (S/B = 0)")
    ax.set_ylabel("predicted / true background eff.", fontsize=20)
    ax.legend()
    plotting.save(fig, args.a9)

    salad_max = {sb: float(np.mean(by_sb[sb]["salad"]["max_sic"])) for sb in sbs}
    above = [sb for sb in sbs if salad_max[sb] > 2.0]
    summary = {
        "closure": json.loads(open(args.closure).read()),
        "a9_ratio": {k: {f"{e:g}": [float(v) for v in efficiency_ratio(data, sim, ww, e)]
                         for e in (0.1, 0.03, 0.01)}
                     for k, ww in (("with_dctr", w), ("without_dctr", np.ones_like(w)))},
        "max_sic": {f"{sb:g}": {line: [float(np.mean(by_sb[sb][line]["max_sic"])),
                                       float(np.std(by_sb[sb][line]["max_sic"]))]
                                for line in lines} for sb in sbs},
        "auc": {f"{sb:g}": {line: [float(np.mean(by_sb[sb][line]["auc"])),
                                   float(np.std(by_sb[sb][line]["auc"]))]
                            for line in lines} for sb in sbs},
        "smallest_sb_salad_max_sic_above_2": min(above) if above else None,
    }
    with h5io.atomic_output(args.summary) as tmp:
        tmp.write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
