"""Figures A1 (mjj of data, sim, signal) and A2 (the four SALAD features: mj1, mj2,
tau21 of both jets; data, sim, signal), with ratio panels to data."""
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, plotting

STYLE = {"data": ("data (Pythia default)", "black"), "sim": ("sim (FSR $\\alpha_s$ = 0.110)", "tab:orange"),
         "signal": ("signal", "tab:blue")}
A2_BINS = {"mj1": np.linspace(0, 1000, 41), "mj2": np.linspace(0, 1000, 41),
           "tau21_j1": np.linspace(0, 1, 41), "tau21_j2": np.linspace(0, 1, 41)}


def series(columns, var):
    return [{"values": columns[k][var], "label": STYLE[k][0], "color": STYLE[k][1],
             "ratio": k == "sim", "short": k} for k in ("data", "sim", "signal")]


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--data", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--signal", required=True)
    ap.add_argument("--a1", nargs=2, required=True, help="A1 outputs (.pdf .png)")
    ap.add_argument("--a2", nargs=2, required=True, help="A2 outputs (.pdf .png)")
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    mjj = cfg["plots"]["mjj"]
    cols = {k: h5io.read_columns(getattr(args, k), ["mjj", *A2_BINS]) for k in STYLE}

    fig, axes = plotting.ratio_figure(1)
    plotting.compare(axes[0, 0], axes[1, 0], series(cols, "mjj"), np.linspace(*mjj["range"], mjj["bins"] + 1),
                     plotting.LABELS["mjj"], logy=True)
    for edge in cfg["studies"]["salad"]["signal_region"]:
        for ax in axes[:, 0]:
            ax.axvline(edge, color="gray", ls=":", lw=1)
    plotting.save(fig, args.a1)

    fig, axes = plotting.ratio_figure(4, width=7.0)
    for i, var in enumerate(A2_BINS):
        plotting.compare(axes[0, i], axes[1, i], series(cols, var), A2_BINS[var], plotting.LABELS[var])
    plotting.save(fig, args.a2)


if __name__ == "__main__":
    _bootstrap.run(main)
