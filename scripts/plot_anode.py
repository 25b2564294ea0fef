"""Figures C1 and C2 (ANODE paper, Figs. 4-5) for one injection of the CATHODE study.

C1: R(x|m) = p_data / p_bkg vs log p_bkg(x|m) for the SR test events: background as a 2-d
histogram (grey), signal events as red points. C2: left, the histogram of log R for
background and signal; middle, the number of test events surviving a threshold on R; right,
the mjj spectrum of SR test events (GeV) passing thresholds that keep 10%, 1% and 0.1% of
all of them (as a search would cut; the truth only counts the signal and background kept)."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, plotting


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--c1", nargs=2, required=True)
    ap.add_argument("--c2", nargs=2, required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    sr = cfg["studies"]["cathode"]["signal_region"]
    sc = h5io.read_columns(args.scores)
    keep = ~sc["injected"]
    sig, log_r, log_pb, mjj = sc["is_signal"][keep], sc["score_anode"][keep], sc["log_p_bkg"][keep], sc["mjj"][keep]
    n_b, n_s = int((~sig).sum()), int(sig.sum())

    fig, ax = plt.subplots(figsize=(8, 6.5))
    # Axes span the central 99.8% of all events (a few far outliers would squeeze the rest);
    # the background as a 2-D histogram on a log colour scale (its density spans orders of
    # magnitude), the signal as translucent points over it.
    rng = [np.percentile(v, [0.1, 99.9]) for v in (log_pb, log_r)]
    h = ax.hist2d(log_pb[~sig], log_r[~sig], bins=60, range=rng, cmap="viridis", cmin=1,
                  norm=LogNorm())
    fig.colorbar(h[3], ax=ax, label="background events per bin")
    ax.scatter(log_pb[sig], log_r[sig], s=3, color="red", alpha=0.35, lw=0,
               label=f"signal ({n_s} events)")
    ax.set_xlim(rng[0])
    ax.set_ylim(rng[1])
    ax.set_xlabel(r"$\log p_{\rm bkg}(x|m)$ (features in GeV)")
    ax.set_ylabel(r"$\log R(x|m) = \log p_{\rm data} - \log p_{\rm bkg}$")
    ax.set_title("C1: ANODE, SR test set", fontsize=16)
    legend = ax.legend(fontsize=13, loc="upper right", markerscale=4)
    legend.legend_handles[0].set_alpha(1)
    plotting.save(fig, args.c1)

    fig, axes = plt.subplots(1, 3, figsize=(20, 6.5), gridspec_kw={"wspace": 0.3})
    bins = np.linspace(np.percentile(log_r, 0.1), np.percentile(log_r, 99.9), 50)
    for mask, label, color in ((~sig, f"background ({n_b})", "black"), (sig, f"signal ({n_s})", "red")):
        axes[0].hist(log_r[mask], bins=bins, histtype="step", lw=1.5, color=color, label=label)
    axes[0].set_yscale("log")
    axes[0].set_xlabel(r"$\log R(x|m)$")
    axes[0].set_ylabel("test events / bin")
    axes[0].legend(fontsize=13)
    cuts = np.linspace(bins[0], bins[-1], 200)
    for mask, label, color in ((~sig, "background", "black"), (sig, "signal", "red")):
        axes[1].plot(cuts, [(log_r[mask] > c).sum() for c in cuts], color=color, label=label)
    axes[1].set_yscale("log")
    axes[1].set_xlabel(r"threshold on $\log R(x|m)$")
    axes[1].set_ylabel("test events with $\\log R$ > threshold")
    axes[1].legend(fontsize=13)
    mbins = np.linspace(sr[0], sr[1], 21)
    for eff, color in ((1.0, "black"), (0.1, "tab:blue"), (0.01, "tab:orange"), (0.001, "tab:red")):
        cut = np.quantile(log_r, 1 - eff) if eff < 1 else -np.inf      # all SR test events
        sel = log_r > cut
        axes[2].hist(mjj[sel], bins=mbins, histtype="step", lw=1.5, color=color,
                     label=f"keeps {eff:g}: {int((sel & sig).sum())} S, {int((sel & ~sig).sum())} B")
    axes[2].set_yscale("log")
    axes[2].set_xlabel(plotting.LABELS["mjj"])
    axes[2].set_ylabel("test events / bin")
    axes[2].legend(fontsize=11)
    fig.suptitle("C2: ANODE likelihood ratio in the SR", fontsize=16)
    plotting.save(fig, args.c2)


if __name__ == "__main__":
    _bootstrap.run(main)
