"""Figures A4-A7 (SALAD paper, Figs. 4-7), on the test half of the DCTR's repetition: A4 DCTR classifier output in
the sidebands, A5 the four features in the sidebands, A6 the SR data-vs-sim classifier
output, A7 the four features in the SR; each for data, sim and sim + DCTR, with sim/data
and sim+DCTR/data ratio panels."""
import argparse

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import inject, plotting

FEATURE_BINS = {"mj1": np.linspace(0, 1000, 41), "mj2": np.linspace(0, 700, 36),
                "tau21_j1": np.linspace(0, 1, 41), "tau21_j2": np.linspace(0, 1, 41)}


def score_bins(*arrays):
    lo, hi = np.quantile(np.concatenate(arrays), [0.005, 0.995])
    return np.linspace(lo, hi, 41)


def feature_figure(d, s, w, sel_d, sel_s, out):
    fig, axes = plotting.ratio_figure(4, width=7.0)
    for i, (var, bins) in enumerate(FEATURE_BINS.items()):
        series = plotting.data_sim_dctr(d[var][sel_d], s[var][sel_s], w[sel_s])
        plotting.compare(axes[0, i], axes[1, i], series, bins, plotting.LABELS[var])
    plotting.save(fig, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", nargs=2, required=True, help="features.h5 regions.h5")
    ap.add_argument("--sim", nargs=2, required=True, help="features.h5 regions.h5")
    ap.add_argument("--dctr", required=True)
    ap.add_argument("--injection", required=True, help="the DCTR's injection file")
    ap.add_argument("--closure-scores", required=True)
    for fid in ("a4", "a5", "a6", "a7"):
        ap.add_argument(f"--{fid}", nargs=2, required=True, help=f"{fid.upper()} .pdf .png")
    args = ap.parse_args(argv)
    d, s = (inject.load_repetition(*p, args.injection, role, list(FEATURE_BINS))
            for p, role in ((args.data, "data"), (args.sim, "sim")))
    dc = h5io.read_columns(args.dctr)
    bkg_d = d["label"] == 0
    sb_d, sb_s = d["sb"] & d["test"] & bkg_d, s["sb"] & s["test"]
    sr_d, sr_s = d["sr"] & d["test"] & bkg_d, s["sr"] & s["test"]
    w = dc["w_sim"]

    fig, axes = plotting.ratio_figure(1)
    fd, fs = dc["f_data"][sb_d], dc["f_sim"][sb_s]
    plotting.compare(axes[0, 0], axes[1, 0], plotting.data_sim_dctr(fd, fs, w[sb_s]),
                     score_bins(fd, fs), "DCTR classifier output (sidebands)")
    plotting.save(fig, args.a4)
    feature_figure(d, s, w, sb_d, sb_s, args.a5)

    c = h5io.read_columns(args.closure_scores)
    is_d = c["is_data"] > 0.5
    fig, axes = plotting.ratio_figure(1)
    series = plotting.data_sim_dctr(c["score"][is_d], c["score"][~is_d], c["w_dctr"][~is_d])
    plotting.compare(axes[0, 0], axes[1, 0], series, score_bins(c["score"]),
                     "SR data-vs-sim classifier output")
    plotting.save(fig, args.a6)
    feature_figure(d, s, w, sr_d, sr_s, args.a7)


if __name__ == "__main__":
    _bootstrap.run(main)
