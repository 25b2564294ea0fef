"""Figure B1 (SA-CWoLa paper, Fig. 1): the four classifier features after the correlation
m_j -> m_j + alpha * mjj, in the signal region of the test half (of the DCTR's repetition), for data, sim, sim + DCTR
(reweighting trained in the long sidebands) and signal, with ratio panels to data."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject, plotting

FEATURES = ("mj2", "tau21_j2", "delta_m", "tau21_j1")


def main(argv=None):
    ap = cli.parser(__doc__)
    for name in ("data", "sim", "signal"):
        ap.add_argument(f"--{name}", nargs=2, required=True, help="features.h5 regions.h5")
    ap.add_argument("--dctr", required=True, help="background-only DCTR (long sidebands)")
    ap.add_argument("--injection", required=True, help="the DCTR's injection file")
    ap.add_argument("--output", nargs=2, required=True, help=".pdf .png")
    args = ap.parse_args(argv)
    alpha = cli.load_config(args)["studies"]["sacwola"]["alpha"]
    d, s, sig = (inject.load_repetition(*p, args.injection, role, list(FEATURES)) for p, role in
                 ((args.data, "data"), (args.sim, "sim"), (args.signal, inject.SIGNAL_ROLE)))
    w = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    sd, ss, sg = (p["sr"] & p["test"] for p in (d, s, sig))
    lo = np.floor(d["mj2"][sd].min() / 50.0) * 50.0       # the alpha * mjj shift of the masses
    bins = {"mj2": np.linspace(lo, lo + 700, 36), "delta_m": np.linspace(0, 800, 41),
            "tau21_j1": np.linspace(0, 1, 41), "tau21_j2": np.linspace(0, 1, 41)}
    labels = dict(plotting.LABELS)
    labels["mj2"] = rf"$m_{{j2}} + {alpha:g}\,m_{{jj}}$ [GeV]"
    fig, axes = plotting.ratio_figure(4, width=7.0)
    for i, var in enumerate(FEATURES):
        series = plotting.data_sim_dctr(d[var][sd], s[var][ss], w[ss])
        series[2]["label"] = "sim + DCTR (long SB)"
        series.append({"values": sig[var][sg], "label": "signal", "color": "tab:red", "ratio": False})
        plotting.compare(axes[0, i], axes[1, i], series, bins[var], labels[var])
        axes[0, i].set_title(rf"SR, $\alpha = {alpha:g}$", fontsize=16)
    plotting.save(fig, args.output)


if __name__ == "__main__":
    _bootstrap.run(main)
