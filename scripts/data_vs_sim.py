"""Data-vs-sim validation: AUC of a classifier data vs sim in a study's sidebands, on the
study's features (SALAD: mj1, mj2, tau21 of both jets) and on mjj alone. Trained on the train half,
evaluated on the test half, of the repetition of --injection (radflow.inject.load_repetition:
the study's background-only injection of repetition 0). Writes a JSON summary."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject
from radflow.ml import metrics, train
from radflow.seeds import derive_seed


def sideband_sample(paths, injection, role, columns):
    """The study's columns of a sample's sideband events in the repetition of ``injection``,
    and their test flags."""
    p = inject.load_repetition(*paths, injection, role, columns)
    return {c: p[c][p["sb"]] for c in columns + ["mjj"]}, p["test"][p["sb"]]


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim"))
    ap.add_argument("--injection", required=True, help="the repetition's injection file")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    features = cfg["studies"][args.study]["features"]
    (fd, td), (fs, ts) = (sideband_sample(p, args.injection, role, features)
                          for p, role in ((args.data, "data"), (args.sim, "sim")))
    y = np.r_[np.ones(len(td)), np.zeros(len(ts))]
    test = np.r_[td, ts]
    out = {"study": args.study, "region": "sidebands", "n_data": int(len(td)), "n_sim": int(len(ts))}
    for name, cols in (("features", features), ("mjj", ["mjj"])):
        x = np.column_stack([np.r_[fd[c], fs[c]] for c in cols])
        ens = train.fit_classifier(x[~test], y[~test], epochs=cfg["validation"]["epochs"],
                                   seed=derive_seed(cfg["seed"], "data_vs_sim", name))
        out[f"auc_{name}"] = metrics.roc_auc(y[test], ens.predict(x[test])[0])
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(out, indent=2))
    print(json.dumps(out))


if __name__ == "__main__":
    _bootstrap.run(main)
