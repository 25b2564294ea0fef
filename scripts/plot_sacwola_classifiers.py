"""Figures B2 and B3 (SA-CWoLa paper, Figs. 2-3), with signal injected.

B2: background rejection 1/eB and SIC = eS / sqrt(eB) (where eB keeps >= 6.25 events) vs eS in
the SR of the test half (repetition 0), for supervised, optimal CWoLa, CWoLa, SA-CWoLa at
the nominal lambda (eq. 2.3, and the flipped variant if trained), data vs sim, SALAD and a
random classifier; the legend gives the AUC as mean +- std over repetitions.
B3: the SA-CWoLa lambda scan per loss form: AUC and SIC at eS = 50% for signal vs
background and for SR vs SB (background-only runs; ideally AUC 0.5), mean +- std over
repetitions (results/sacwola/summary.json)."""
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, plotting
from radflow.methods import cwola
from radflow.ml import metrics

LINES = ("supervised", "optimal_cwola", "cwola", "sa_cwola", "sa_cwola_flipped", "data_vs_sim",
         "salad")
FORM_STYLE = {"eq23": ("-", "o", "eq. 2.3"), "flipped": ("--", "s", "flipped labels")}


def b2(sc, summary, nominal, out):
    sel = sc["sr"] & ~sc["injected"]
    y = sc["is_signal"][sel]
    fig, (ax_roc, ax_sic) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"wspace": 0.3})
    eff = np.linspace(1e-3, 1, 500)
    for method in LINES:
        name = cwola.resolve(method, nominal)
        if f"score_{name}" not in sc:
            continue
        label, color, ls = plotting.METHOD_STYLE[method]
        fpr, tpr, _ = metrics.roc_curve(y, sc[f"score_{name}"][sel])
        ok = fpr > 0
        if method.startswith("sa_cwola"):
            label += rf" ($\lambda = {nominal:g}$)"
        auc = summary["classifiers"][name]["auc"]
        auc_text = f"AUC {auc['mean']:.2f}" + (f" $\\pm$ {auc['std']:.2f}" if auc["std"] else "")
        ax_roc.plot(tpr[ok], 1 / fpr[ok], color=color, ls=ls, label=f"{label}, {auc_text}")
        # SA-CWoLa's SIC = eS / sqrt(eB), where eB rests on >= MIN_BACKGROUND events.
        ok_sic = fpr * (~y).sum() >= metrics.MIN_BACKGROUND
        ax_sic.plot(tpr[ok_sic], metrics.sic(tpr[ok_sic], fpr[ok_sic]), color=color, ls=ls, label=label)
    ax_roc.plot(eff, 1 / eff, color="gray", ls="--", label="Random")
    ax_sic.plot(eff, metrics.sic(eff, eff), color="gray", ls="--", label="Random")
    ax_roc.set_yscale("log")
    ax_roc.set_ylabel(r"background rejection $1/\epsilon_B$")
    ax_sic.set_ylabel(r"SIC = $\epsilon_S\, /\, \epsilon_B^{1/2}$", fontsize=20)
    n = summary["n_test"]
    for ax in (ax_roc, ax_sic):
        ax.set_xlabel(r"signal efficiency $\epsilon_S$")
        ax.set_xlim(0, 1)
    ax_sic.set_ylim(bottom=0)
    # One legend below both panels (the curves fill the panels' corners).
    fig.legend(*ax_roc.get_legend_handles_labels(), loc="upper center",
               bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=13, title_fontsize=13,
               title=f"SR test half (rep. 0): {n['background_sr']} bkg, {n['signal_sr']} sig; "
                     f"AUC mean $\\pm$ std over {summary['repetitions']} repetitions")
    plotting.save(fig, out)


def b3(summary, out):
    fig, (ax_auc, ax_s50) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"wspace": 0.3})
    for form, scan in summary["lambda_scan"].items():
        ls, marker, form_label = FORM_STYLE[form]
        lambdas = sorted(scan, key=float)
        for key, label, color in (("signal_vs_background", "signal vs background", "tab:blue"),
                                  ("sr_vs_sb", "SR vs SB (background)", "tab:orange")):
            for ax, metric in ((ax_auc, "auc"), (ax_s50, "sic_at_50")):
                vals = [scan[lam][key][metric] for lam in lambdas]
                ax.errorbar([float(lam) for lam in lambdas], [v["mean"] for v in vals],
                            yerr=[v["std"] or 0.0 for v in vals], color=color, ls=ls,
                            marker=marker, capsize=3, label=f"{label}, {form_label}")
    ax_auc.axhline(0.5, color="gray", ls=":", lw=1)
    ax_s50.axhline(0.5 / np.sqrt(0.5), color="gray", ls=":", lw=1,
                   label="random")
    ax_auc.set_ylabel("AUC")
    ax_s50.set_ylabel(r"SIC at $\epsilon_S = 50\%$")
    for ax in (ax_auc, ax_s50):
        ax.set_xlabel(r"SA-CWoLa $\lambda$ (0 = CWoLa)")
        ax.legend(fontsize=11, title=f"mean $\\pm$ std over {summary['repetitions']} "
                  "repetitions", title_fontsize=11)
    plotting.save(fig, out)


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--scores", required=True, help="test scores of repetition 0")
    ap.add_argument("--summary", required=True, help="results/sacwola/summary.json")
    ap.add_argument("--b2", nargs=2, required=True)
    ap.add_argument("--b3", nargs=2, required=True)
    args = ap.parse_args(argv)
    nominal = cli.load_config(args)["studies"]["sacwola"]["sa_cwola"]["nominal_lambda"]
    with open(args.summary) as f:
        summary = json.load(f)
    b2(h5io.read_columns(args.scores), summary, nominal, args.b2)
    b3(summary, args.b3)


if __name__ == "__main__":
    _bootstrap.run(main)
