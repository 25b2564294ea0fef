"""Figures C3-C5 of the CATHODE study (CATHODE paper, Figs. 5-7).

C3: SIC = eS / sqrt(eB) vs signal efficiency eS on the SR test set at the nominal injection
(where at least 1/0.4^2 test background events pass, as the CATHODE paper), for supervised,
idealized AD, CATHODE, CWoLa, ANODE and a random classifier; line
= mean and band = standard deviation over repetitions. C4: AUC, max SIC and SIC at eS = 50%
vs the injected signal count (LHCO-equivalent n_sig), mean and
standard error over repetitions. C5: max SIC per method without and with the m_j -> m_j +
0.1 mjj shift (study cathode_shift), with the paper's medians as open markers."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io, plotting
from radflow.ml import metrics

METHODS = ("supervised", "idealized", "cathode", "cwola", "anode")


def sic_band(score_files, method, eff):
    curves = []
    for path in score_files:
        sc = h5io.read_columns(path)
        keep = ~sc["injected"]
        fpr, tpr, _ = metrics.roc_curve(sc["is_signal"][keep], sc[f"score_{method}"][keep])
        eff_b = np.interp(eff, tpr, fpr)
        # Drawn where >= metrics.MIN_BACKGROUND background events pass (as the summary's max SIC).
        n_bkg = (keep & ~sc["is_signal"]).sum()
        curves.append(np.where(eff_b * n_bkg >= metrics.MIN_BACKGROUND, metrics.sic(eff, eff_b), np.nan))
    curves = np.array(curves)
    return curves.mean(axis=0), curves.std(axis=0, ddof=1) if len(curves) > 1 else 0 * eff


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--nominal-scores", nargs="+", required=True)
    ap.add_argument("--c3", nargs=2, required=True)
    ap.add_argument("--c4", nargs=2, required=True)
    ap.add_argument("--c5", nargs=2, required=True)
    args = ap.parse_args(argv)
    summary = json.loads(open(args.summary).read())
    n_nom = summary["n_sig_nominal"]

    fig, ax = plt.subplots(figsize=(8, 6.5))
    eff = np.linspace(0.01, 1.0, 300)
    for m in METHODS:
        label, color, ls = plotting.METHOD_STYLE[m]
        mean, std = sic_band(args.nominal_scores, m, eff)
        ax.plot(eff, mean, color=color, ls=ls, label=label)
        ax.fill_between(eff, mean - std, mean + std, color=color, alpha=0.2)
    ax.plot(eff, metrics.sic(eff, eff), color="gray", ls=":", label="random")
    n_inj = summary["n_injected_train_sr"][str(n_nom)]
    ax.set_xlabel(r"signal efficiency $\epsilon_S$")
    ax.set_ylabel(r"SIC = $\epsilon_S / \sqrt{\epsilon_B}$")
    ax.set_title(f"C3: n_sig = {n_nom} (LHCO-equivalent), {n_inj[0]} injected in the SR train set;"
                 f" band: std over {len(args.nominal_scores)} repetitions", fontsize=12)
    ax.legend(fontsize=13)
    plotting.save(fig, args.c3)

    per_n = summary["signal_vs_background"]
    ns = sorted(per_n, key=float)
    fig, axes = plt.subplots(1, 3, figsize=(20, 6.5), gridspec_kw={"wspace": 0.3})
    for ax, metric, ylabel in zip(axes, ("auc", "max_sic", "sic_at_50"),
                                  ("AUC", "max SIC", r"SIC at $\epsilon_S = 50\%$")):
        for m in METHODS:
            label, color, ls = plotting.METHOD_STYLE[m]
            v = [per_n[n][m][metric] for n in ns]
            ax.errorbar([float(n) for n in ns], [x["mean"] for x in v],
                        yerr=[x["err"] or 0 for x in v], color=color, ls=ls, marker="o", label=label)
        ax.set_xlabel(r"injected $n_{sig}$ (LHCO-equivalent)", fontsize=20)
        ax.set_ylabel(ylabel)
    axes[0].axhline(0.5, color="gray", ls=":")
    axes[0].legend(fontsize=12)
    fig.suptitle("C4: performance vs injected signal (mean and standard error over repetitions)",
                 fontsize=16)
    plotting.save(fig, args.c4)

    fig, ax = plt.subplots(figsize=(9, 6.5))
    shift = summary["shift"] or {}
    ref = summary["reference_max_sic"]
    xs = np.arange(len(METHODS))
    for dx, (case, data, refs, marker) in enumerate(
            (("no shift", per_n[str(n_nom)], ref["nominal"], "o"),
             (r"$m_j + 0.1\, m_{jj}$", shift.get(str(n_nom)), ref["shift"], "s"))):
        if data is None:
            continue
        ms = [data[m]["max_sic"] for m in METHODS]
        ax.errorbar(xs + 0.15 * (2 * dx - 1), [v["mean"] for v in ms], yerr=[v["err"] or 0 for v in ms],
                    fmt=marker, color=f"C{dx}", label=f"radflow, {case}")
        ax.plot(xs + 0.15 * (2 * dx - 1), [refs.get(m, np.nan) for m in METHODS], marker,
                mfc="none", color=f"C{dx}", ms=10, label=f"CATHODE paper, {case}")
    ax.set_xticks(xs, [plotting.METHOD_STYLE[m][0] for m in METHODS], rotation=20)
    ax.set_ylabel("max SIC")
    ax.set_title(f"C5: robustness to mass correlation, n_sig = {n_nom}", fontsize=16)
    ax.legend(fontsize=12)
    plotting.save(fig, args.c5)


if __name__ == "__main__":
    _bootstrap.run(main)
