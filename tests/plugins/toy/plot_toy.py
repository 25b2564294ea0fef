"""Figure T1 of the toy study kind: the data's mjj (GeV) in the signal region and the
sidebands of the study, as event counts per bin."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from radflow import cli, h5io, plotting  # noqa: E402


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--data", nargs=2, required=True, help="features and regions of the data")
    ap.add_argument("--t1", nargs=2, required=True, help="T1 outputs (.pdf .png)")
    args = ap.parse_args(argv)
    st = cli.load_config(args)["studies"][args.study]
    mjj = h5io.read_columns(args.data[0], ["mjj"])["mjj"]
    lo, hi = st["sidebands"][0][0], st["sidebands"][-1][1]
    fig, ax = plt.subplots(figsize=(6.0, 4.5))
    ax.hist(mjj[(mjj >= lo) & (mjj < hi)], bins=np.linspace(lo, hi, st["toy"]["bins"] + 1),
            histtype="step", color="black", label="data")
    plotting.region_lines(ax, st["signal_region"], st["sidebands"])
    ax.set_xlabel(plotting.LABELS["mjj"])
    ax.set_ylabel("events / bin")
    ax.legend()
    plotting.save(fig, args.t1)


if __name__ == "__main__":
    main()
