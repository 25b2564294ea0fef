"""Supervised benchmark (SALAD paper, Fig. 3): signal vs 'data' background in the signal
region, trained on the train half, scored on the test half, of the repetition of --injection
(the study's background-only injection of repetition 0: radflow.inject.load_repetition).
Writes per-event test scores."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject
from radflow.ml import metrics, train
from radflow.seeds import derive_seed


def main(argv=None):
    ap = cli.study_parser(__doc__, ("background", "signal"))
    ap.add_argument("--injection", required=True, help="the repetition's injection file")
    ap.add_argument("--arch", default="salad")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    study, tr = cfg["studies"][args.study], cfg["training"]
    cols = study["features"]
    parts = [inject.load_repetition(*paths, args.injection, role, cols)
             for paths, role in ((args.background, "data"), (args.signal, inject.SIGNAL_ROLE))]
    parts = [{k: v[p["sr"]] for k, v in p.items()} for p in parts]
    x = np.concatenate([np.column_stack([p[c] for c in cols]) for p in parts])
    y = np.r_[np.zeros(len(parts[0]["sr"])), np.ones(len(parts[1]["sr"]))]
    test = np.concatenate([p["test"] for p in parts])
    ens = train.fit_classifier(x[~test], y[~test], seed=derive_seed(cfg["seed"], args.study, "supervised"),
                               arch=args.arch, n_members=tr["n_init"], epochs=tr["epochs"],
                               patience=tr["patience"], batch_size=tr["batch_size"])
    members = ens.predict(x[test])
    score = metrics.combine_initializations(members)
    h5io.write_columns(args.output, {"score": score, "label": y[test], "mjj": np.concatenate(
        [p["mjj"] for p in parts])[test], "score_members": members},
        attrs={"features": cols, "arch": args.arch})
    print(f"supervised: AUC {metrics.roc_auc(y[test], score):.4f}, "
          f"max SIC {metrics.max_sic_reliable(y[test] == 1, score, **metrics.SIC_DEFINITIONS['salad'])[0]:.2f}"
          f" on {test.sum()} test events")


if __name__ == "__main__":
    _bootstrap.run(main)
