"""Figures B2 and B3 (SA-CWoLa paper, Figs. 2-3), with signal injected.

B2: background rejection 1/eB and SIC = eS / sqrt(eB + offset) vs signal efficiency eS in
the SR of the test half, for supervised, optimal CWoLa, CWoLa, SA-CWoLa (nominal lambda),
data vs sim, SALAD and a random classifier.
B3: the SA-CWoLa lambda scan: AUC and SIC at eS = 50% for signal vs background and for SR
vs SB (background-only test data; ideally AUC 0.5)."""
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io
from radflow.methods import cwola
from radflow.ml import metrics
from radflow import plotting

LINES = ("supervised", "optimal_cwola", "cwola", "sa_cwola", "data_vs_sim", "salad")


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--b2", nargs=2, required=True)
    ap.add_argument("--b3", nargs=2, required=True)
    args = ap.parse_args(argv)
    nominal = cli.load_config(args)["studies"]["sacwola"]["sa_cwola"]["nominal_lambda"]
    sc = h5io.read_columns(args.scores)
    m = json.loads(open(args.metrics).read())
    sel = sc["sr"] & ~sc["injected"]
    y = sc["is_signal"][sel]

    fig, (ax_roc, ax_sic) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"wspace": 0.3})
    eff = np.linspace(1e-3, 1, 500)
    for method in LINES:
        label, color, ls = plotting.METHOD_STYLE[method]
        name = cwola.resolve(method, nominal)
        fpr, tpr, _ = metrics.roc_curve(y, sc[f"score_{name}"][sel])
        ok = fpr > 0
        if method == "sa_cwola":
            label += rf" ($\lambda = {nominal:g}$)"
        auc = m["signal_vs_background"][name]["auc"]
        ax_roc.plot(tpr[ok], 1 / fpr[ok], color=color, ls=ls, label=f"{label}, AUC {auc:.2f}")
        ax_sic.plot(tpr, metrics.sic(tpr, fpr, metrics.SIC_OFFSET), color=color, ls=ls, label=label)
    ax_roc.plot(eff, 1 / eff, color="gray", ls="--", label="Random")
    ax_sic.plot(eff, metrics.sic(eff, eff, metrics.SIC_OFFSET), color="gray", ls="--", label="Random")
    ax_roc.set_yscale("log")
    ax_roc.set_ylabel(r"background rejection $1/\epsilon_B$")
    ax_sic.set_ylabel(rf"SIC = $\epsilon_S\, /\, (\epsilon_B + {metrics.SIC_OFFSET:g})^{{1/2}}$", fontsize=20)
    n = m["n_test"]
    for ax in (ax_roc, ax_sic):
        ax.set_xlabel(r"signal efficiency $\epsilon_S$")
        ax.set_xlim(0, 1)
        ax.legend(fontsize=12, title=f"SR test half: {n['background_sr']} bkg, {n['signal_sr']} sig",
                  title_fontsize=12)
    ax_sic.set_ylim(bottom=0)
    plotting.save(fig, args.b2)

    lambdas = sorted(lam for lam in map(cwola.lambda_of, m["methods"]) if lam is not None)
    fig, (ax_auc, ax_s50) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"wspace": 0.3})
    for key, label, color in (("signal_vs_background", "signal vs background", "tab:blue"),
                              ("sr_vs_sb", "SR vs SB (background)", "tab:orange")):
        vals = [m[key][cwola.lambda_method(lam)] for lam in lambdas]
        ax_auc.plot(lambdas, [v["auc"] for v in vals], "o-", color=color, label=label)
        ax_s50.plot(lambdas, [v["sic_at_50"] for v in vals], "o-", color=color, label=label)
    ax_auc.axhline(0.5, color="gray", ls="--", lw=1)
    ax_s50.axhline(0.5 / np.sqrt(0.5 + metrics.SIC_OFFSET), color="gray", ls="--", lw=1,
                   label="random")
    ax_auc.set_ylabel("AUC")
    ax_s50.set_ylabel(r"SIC at $\epsilon_S = 50\%$")
    for ax in (ax_auc, ax_s50):
        ax.set_xlabel(r"SA-CWoLa $\lambda$ (0 = CWoLa)")
        ax.legend(fontsize=13)
    plotting.save(fig, args.b3)


if __name__ == "__main__":
    main()
