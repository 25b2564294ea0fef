"""Autoencoder ensemble, one run of the CWoLa-vs-autoencoder studies (paper Sec. 3.2): members
trained on the run's background-only data draw (S = 0; radflow.inject.load_repetition of the
reference study's run, which every study of the kind shares) in the whole fit range, each on
its own random subsample (radflow.methods.autoencoder). The autoencoder never sees signal, so
one ensemble per run serves every signal, as in the paper.

Every score is held out: the data events are split into k folds (k from
radflow.methods.autoencoder.choose_folds) and the members into k groups, group f training
only on events outside fold f; a data event of fold f is scored by the M / k members of group
f, none of which trained on it, and each signal event by the group of a random fold. The
default config (10 members of 16k events each, ~24k events per run) gives k = 5: each member
holds out a fifth of the data and 2 members score each event. Writes the score (mean MSE over
those members) of every event of the fit range of the data (``score_data``, with its fold
``fold_data``) and of each signal (``score_{name}``), with their mjj (GeV); attributes
``fvu_heldout`` (M,), each member's FVU on its held-out fold, ``folds``,
``members_per_event`` and ``subsample`` (training events per member)."""
import numpy as np

import _bootstrap  # sys.path, job header, run()
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
    folds = autoencoder.choose_folds(len(bkg), ae["members"], ae["subsample"], ae["val_events"])
    seed = derive_seed(cfg["seed"], "autoencoder", args.run)
    ens = autoencoder.train(bkg, ae["members"], ae["subsample"], seed, epochs=ae["epochs"],
                            batch_size=ae["batch_size"], hidden=ae["hidden"],
                            latent=ae["latent"], learning_rate=ae["learning_rate"],
                            val_events=ae["val_events"], folds=folds)
    cols = {"score_data": ens.heldout_score, "fold_data": ens.fold, "mjj_data": mjj}
    for name, *paths in args.signal:
        x, m = fit_events(paths, ae["features"])
        fold = autoencoder.assign_folds(len(x), folds, derive_seed(seed, "signal_folds", name))
        cols[f"score_{name}"], cols[f"mjj_{name}"] = ens.fold_score(x, fold), m
    per_event = ae["members"] // folds
    h5io.write_columns(args.output, cols, attrs={
        "fvu_heldout": ens.heldout_fvu, "folds": folds, "members_per_event": per_event,
        "subsample": ens.subsample, "run": args.run})
    print(f"{ae['members']} members in {folds} folds ({per_event} score each event, none trained "
          f"on it), {ens.subsample} training events each; held-out FVU "
          f"{np.mean(ens.heldout_fvu):.3f} +- {np.std(ens.heldout_fvu):.3f}")


if __name__ == "__main__":
    _bootstrap.run(main)
