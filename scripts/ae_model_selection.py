"""The autoencoder's model selection of the CWoLa-vs-autoencoder paper (App. C, Figs. 14-17):
for every hidden width and latent size of the scan, an ensemble of independently initialized
autoencoders, each on its own random background subsample (the autoencoder settings
otherwise). FVU_EVENTS random background-only data events of the fit range are held out
(no member trains on them; the rest is the training pool), and every number is measured on
them: per member, the fraction of variance unexplained (FVU) and, for each signal, the max SIC
of its MSE in the signal region (signal against the held-out SR data); and the max SIC of the
member-averaged MSE. Writes results/cwola_ae/model_selection.json (``fvu_events``: the
held-out events, ``n_background_sr``: those of them in the SR)."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, regions
from radflow.methods import autoencoder
from radflow.ml import metrics
from radflow.seeds import derive_seed

#: Background events the FVU is evaluated on (at most a third of the data).
FVU_EVENTS = 10_000


def region_events(paths, features, region):
    """x (N, d) of ``features`` of a sample's events in ``region`` ("fit", "sr"), and (N,)
    bool: which of them are in the SR."""
    s = regions.load_study_sample(*paths, features)
    mask = np.asarray(s[region], bool)
    return np.column_stack([s[c] for c in features])[mask], np.asarray(s["sr"], bool)[mask]


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data",))
    ap.add_argument("--signal", nargs=3, action="append", required=True,
                    metavar=("NAME", "FEATURES_H5", "REGIONS_H5"))
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    ae, ms = st["autoencoder"], st["model_selection"]
    bkg, in_sr = region_events(args.data, ae["features"], "fit")
    # A held-out background set for the FVU and the SIC: no member trains on it.
    order = np.random.default_rng(derive_seed(cfg["seed"], "model_selection", "fvu_events")
                                  ).permutation(len(bkg))
    n_fvu = min(FVU_EVENTS, len(bkg) // 3)
    fvu_x, bkg = bkg[order[:n_fvu]], bkg[order[n_fvu:]]
    bkg_sr = fvu_x[in_sr[order[:n_fvu]]]
    sig_sr = {name: region_events(paths, ae["features"], "sr")[0] for name, *paths in args.signal}
    points = []
    for hidden in ms["hidden"]:
        for latent in ms["latent"]:
            ens = autoencoder.train(
                bkg, ms["members"], ms["subsample"],
                derive_seed(cfg["seed"], "model_selection", hidden, latent),
                epochs=ae["epochs"], batch_size=ae["batch_size"], hidden=hidden, latent=latent,
                learning_rate=ae["learning_rate"])
            mse_bkg = ens.member_mse(bkg_sr)
            point = {"hidden": hidden, "latent": latent, "fvu": ens.fvu(fvu_x).tolist(),
                     "max_sic": {}, "max_sic_mean_mse": {}}
            for name, x in sig_sr.items():
                mse = np.concatenate([mse_bkg, ens.member_mse(x)], axis=1)
                labels = np.r_[np.zeros(len(bkg_sr), bool), np.ones(len(x), bool)]
                sic = metrics.SIC_DEFINITIONS["cwola_ae"]
                point["max_sic"][name] = [metrics.max_sic_reliable(labels, m, **sic)[0] for m in mse]
                point["max_sic_mean_mse"][name] = metrics.max_sic_reliable(labels, mse.mean(axis=0), **sic)[0]
            points.append(point)
            print(f"hidden {hidden} latent {latent}: FVU {np.mean(point['fvu']):.3f}, max SIC "
                  f"{point['max_sic_mean_mse']}", flush=True)
    out = {"n_features": len(ae["features"]), "features": ae["features"],
           "members": ms["members"], "subsample": ms["subsample"], "fvu_events": len(fvu_x),
           "n_background_sr": len(bkg_sr), "n_signal_sr": {k: len(v) for k, v in sig_sr.items()},
           "points": points}
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    _bootstrap.run(main)
