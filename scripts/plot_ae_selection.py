"""Figures E14-E17: the autoencoder's model selection (CWoLa-vs-autoencoder paper, App. C,
Figs. 14-17), from results/cwola_ae/summary.json, drawn by radflow.studies.cwola_ae.figures.
E14 FVU vs latent size per hidden width, with the nominal 1 - n_latent/n; E15 its decrease
per added latent dimension, with 1/n; E16 max SIC vs latent size at the widest hidden layer,
per member (dots) and of the member-averaged MSE; E17 max SIC of the averaged MSE vs hidden
width for latent sizes 2-4. Error bars: standard error over the independently trained
members."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow.studies.cwola_ae import figures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    for i in (14, 15, 16, 17):
        ap.add_argument(f"--e{i}", nargs=2, required=True)
    args = ap.parse_args(argv)
    s = json.loads(open(args.summary).read())
    figures.fvu_vs_latent(s, "fvu", args.e14)
    figures.fvu_vs_latent(s, "decrease", args.e15)
    figures.max_sic_vs_latent(s, args.e16)
    figures.max_sic_vs_hidden(s, args.e17)


if __name__ == "__main__":
    _bootstrap.run(main)
