"""Figures E14-E17: the autoencoder's model selection (CWoLa-vs-autoencoder paper, App. C,
Figs. 14-17), from results/cwola_ae/summary.json. E14 FVU vs latent size per hidden width,
with the nominal 1 - n_latent/n; E15 its decrease per added latent dimension, with 1/n;
E16 max SIC vs latent size at the widest hidden layer, per member (dots) and of the
member-averaged MSE; E17 max SIC of the averaged MSE vs hidden width for latent sizes 2-4.
Error bars: standard error over the independently trained members."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import plotting

TITLE = {"sig_3prong_500": r"$m_X$ = 500 GeV", "sig_3prong_300": r"$m_X$ = 300 GeV"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    for i in (14, 15, 16, 17):
        ap.add_argument(f"--e{i}", nargs=2, required=True)
    args = ap.parse_args(argv)
    s = json.loads(open(args.summary).read())
    sel = s["model_selection"]
    signals = s["signals"]
    n = sel["n_features"]
    hiddens = sorted(sel["hidden"], key=int)
    widest = hiddens[-1]
    colors = plt.get_cmap("tab10")

    for out, fid in ((args.e14, "E14"), (args.e15, "E15")):
        fig, ax = plt.subplots(figsize=(8, 6.5))
        for k, hidden in enumerate(hiddens):
            h = sel["hidden"][hidden]
            if fid == "E14":
                y = [f["mean"] for f in h["fvu"]]
                e = [f["err"] or 0.0 for f in h["fvu"]]
            else:
                y = [d for d, _ in h["fvu_decrease"]]
                e = [er or 0.0 for _, er in h["fvu_decrease"]]
            ax.errorbar(h["latent"], y, yerr=e, marker="o", capsize=3, color=colors(k),
                        label=f"$n_{{hidden}}$ = {hidden}")
        lat = np.arange(0, max(sel["hidden"][widest]["latent"]) + 1)
        if fid == "E14":
            ax.plot(lat, 1 - lat / n, color="gray", ls="--", label=r"$1 - n_{latent}/n$")
            ax.set_ylabel("FVU (background)")
        else:
            ax.axhline(1 / n, color="gray", ls="--", label="1/n")
            ax.set_ylabel("FVU decrease from one more latent dimension", fontsize=14)
        ax.set_xlabel(r"$n_{latent}$")
        ax.set_title(f"{fid}: {n} input features, {sel['members']} members per point", fontsize=13)
        ax.legend(fontsize=12)
        plotting.save(fig, out)

    h = sel["hidden"][widest]
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        for i, (lat, members) in enumerate(zip(h["latent"], h["max_sic"][sig])):
            ax.plot([lat] * len(members), members, "o", color="tab:blue", alpha=0.5, ms=5,
                    label="members" if i == 0 else None)
        ax.plot(h["latent"], h["max_sic_mean_mse"][sig], "o", color="tab:orange", ms=9,
                label="member-averaged MSE")
        ax.set_xlabel(r"$n_{latent}$")
        ax.set_ylabel("max SIC (SR)")
        ax.set_title(f"E16: {TITLE.get(sig, sig)}, $n_{{hidden}}$ = {widest}", fontsize=13)
        ax.legend(fontsize=11)
    fig.tight_layout()
    plotting.save(fig, args.e16)

    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        for k, lat in enumerate((2, 3, 4)):
            xs = [int(hd) for hd in hiddens if lat in sel["hidden"][hd]["latent"]]
            ys = [sel["hidden"][str(x)]["max_sic_mean_mse"][sig][sel["hidden"][str(x)]["latent"].index(lat)]
                  for x in xs]
            if xs:
                ax.plot(xs, ys, marker="o", color=colors(k), label=f"$n_{{latent}}$ = {lat}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(r"$n_{hidden}$")
        ax.set_ylabel("max SIC of the averaged MSE (SR)")
        ax.set_title(f"E17: {TITLE.get(sig, sig)}", fontsize=13)
        ax.legend(fontsize=11)
    fig.tight_layout()
    plotting.save(fig, args.e17)


if __name__ == "__main__":
    main()
