"""Autoencoder ensemble, one run of the CWoLa-vs-autoencoder studies (paper Sec. 3.2): members
trained on the run's background-only data draw (S = 0; radflow.inject.load_repetition of the
reference study's run, which every study of the kind shares) in the whole fit range, each on
its own random subsample (radflow.methods.autoencoder). The autoencoder never sees signal, so one ensemble
per run serves every signal, as in the paper. Writes the score (member-mean MSE) of every
event of the fit range of the data (``score_data``) and of each signal (``score_{name}``),
with their mjj (GeV), and the members' FVU on the data as an attribute."""
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io, inject, regions
from radflow.methods import autoencoder
from radflow.seeds import derive_seed


def fit_events(paths, features, injection=None):
    """x (N, d) of ``features`` and mjj (N,) GeV of a sample's events in the fit range: the
    whole pool, or (``injection``: a run's file) the run's data draw."""
    s = (regions.load_study_sample(*paths, features) if injection is None
         else inject.load_repetition(*paths, injection, "data", features))
    fit = np.asarray(s["fit"], bool)
    return np.column_stack([s[c] for c in features])[fit], np.asarray(s["mjj"])[fit]


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data",))
    ap.add_argument("--signal", nargs=3, action="append", required=True,
                    metavar=("NAME", "FEATURES_H5", "REGIONS_H5"))
    ap.add_argument("--run", type=int, required=True)
    ap.add_argument("--injection", required=True, help="the reference study's run file")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    ae = cfg["studies"][args.study]["autoencoder"]
    bkg, mjj = fit_events(args.data, ae["features"], args.injection)
    ens = autoencoder.train(bkg, ae["members"], ae["subsample"],
                            derive_seed(cfg["seed"], "autoencoder", args.run),
                            epochs=ae["epochs"], batch_size=ae["batch_size"], hidden=ae["hidden"],
                            latent=ae["latent"], learning_rate=ae["learning_rate"])
    mse = ens.member_mse(bkg)
    cols = {"score_data": mse.mean(axis=0), "mjj_data": mjj}
    for name, *paths in args.signal:
        x, m = fit_events(paths, ae["features"])
        cols[f"score_{name}"], cols[f"mjj_{name}"] = ens.score(x), m
    fvu = ens.fvu(bkg, mse)
    h5io.write_columns(args.output, cols, attrs={"fvu": fvu, "run": args.run})
    print(f"{ae['members']} members, FVU on the data {np.mean(fvu):.3f} +- {np.std(fvu):.3f}")


if __name__ == "__main__":
    main()
