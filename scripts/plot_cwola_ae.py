"""Figures E1-E11 of the CWoLa-vs-autoencoder study (paper Figs. 1-11), drawn by
radflow.studies.cwola_ae.figures (one function per figure).

E1 input features (eq. 3.1) of both 3-prong signals and the data in the SR. E2 the binned mjj
(30 log bins) of the data with SR/SB and the signal injected at the benchmark nearest S/B =
6e-3 (run 0). E3 AUC vs S/B, CWoLa Hunting and the autoencoder. E4 SIC curves per S/B (run 0).
E5 SIC vs S/sqrt(B) at fixed signal efficiencies. E6 selected mjj spectra and fits after the
three cuts with Z (500 GeV signal at S/B nearest 4e-3, run 0). E7 Z vs S/B for the three cuts.
E8/E9 (mj1, mj2) density of the events selected by the 1% cut of CWoLa / the AE at S/B nearest
4e-3, 2.8e-3 and 0 (run 0). E10 selection efficiency maps of the 1% and 0.1% cuts (300 GeV
signal, S/B nearest 4e-3, run 0). E11 background-only fit and residuals with its KS and
deviance p-values. S/B is the paper's (at its 9e4 SR background events); medians over runs with
MAD bars (the summary); a failed fit is drawn as missing and counted in the legend."""
import argparse
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.methods import cwola_hunting
from radflow.studies.cwola_ae import figures


def load_run0(files, study, signal):
    """Run 0 of ``study``: injection attributes, the draw rank of each event, the CWoLa
    score file and {'score': the AE score} in the same event order."""
    inj = [f for f in files["inject"] if f"/{study}/" in f][0]
    cw = cwola_hunting.read_scores([f for f in files["cwola"] if f"/{study}/" in f])
    ae = h5io.read_columns(files["autoencoder"])
    rank = cwola_hunting.injected_rank(cw, h5io.read_columns(inj, ["signal_rank"])["signal_rank"])
    return h5io.read_attrs(inj), rank, cw, {"score": np.r_[ae["score_data"], ae[f"score_{signal}"]]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--fits", nargs="+", required=True, help="run-0 fits of every study")
    ap.add_argument("--inject", nargs="+", required=True, help="run-0 injections of every study")
    ap.add_argument("--cwola", nargs="+", required=True, help="run-0 CWoLa score files of every study (all its training jobs)")
    ap.add_argument("--autoencoder", required=True, help="run-0 autoencoder scores")
    ap.add_argument("--features", nargs="+", required=True, help="features of data and signals")
    ap.add_argument("--features-list", required=True, help="JSON list of the CWoLa features")
    for i in range(1, 12):
        ap.add_argument(f"--e{i}", nargs=2, required=True)
    args = ap.parse_args(argv)
    s = json.loads(open(args.summary).read())
    fits = {f["signal"]: f for f in (json.loads(open(p).read()) for p in args.fits)}
    files = {"inject": args.inject, "cwola": args.cwola, "autoencoder": args.autoencoder}
    run0 = {sig: load_run0(files, s["study"][sig], sig) for sig in s["signals"]}
    feats = {p.rsplit("/", 1)[-1][:-3]: h5io.read_columns(p) for p in args.features}

    figures.input_features(s, fits, feats, json.loads(args.features_list), args.e1)
    figures.mjj_binned_sr_sb(s, fits, run0, args.e2)
    figures.auc_vs_sb(s, args.e3)
    figures.sic_curves(s, fits, args.e4)
    figures.sic_vs_significance(s, args.e5)
    figures.fits_after_cuts(s, fits, args.e6)
    figures.significance_vs_sb(s, args.e7)
    figures.mj_plane(s, run0, "cwola", args.e8)
    figures.mj_plane(s, run0, "autoencoder", args.e9)
    figures.selection_efficiency(s, run0, args.e10)
    figures.background_fit(s, fits, args.e11)


if __name__ == "__main__":
    _bootstrap.run(main)
