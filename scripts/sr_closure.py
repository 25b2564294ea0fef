"""SR closure of the interpolated DCTR weights (SALAD paper, Fig. 6): a data-vs-sim
classifier trained in the signal region (train half, sim unweighted) is evaluated on the
test half; a fresh classifier trained against DCTR-weighted sim gives the closure AUC
(background only: signal-labelled events are removed)."""
import json

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow import cli, regions
from radflow.ml import metrics, train
from radflow.seeds import derive_seed


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim"))
    ap.add_argument("--dctr", required=True, help="output of the dctr rule")
    ap.add_argument("--scores", required=True, help="output: SR test scores (h5)")
    ap.add_argument("--summary", required=True, help="output: closure AUCs (json)")
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    cols, tr = cfg["studies"][args.study]["features"], cfg["training"]
    d = regions.load_study_sample(*args.data, cols)
    s = regions.load_study_sample(*args.sim, cols)
    w_sim = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    keep_d, keep_s = d["sr"] & (d["label"] == 0), s["sr"]
    x = np.concatenate([np.column_stack([p[c][k] for c in cols]) for p, k in ((d, keep_d), (s, keep_s))])
    y = np.r_[np.ones(keep_d.sum()), np.zeros(keep_s.sum())]
    w = np.r_[np.ones(keep_d.sum()), w_sim[keep_s]]
    test = np.r_[d["test"][keep_d], s["test"][keep_s]]
    kw = dict(arch="salad", n_members=tr["n_init"], epochs=tr["epochs"], patience=tr["patience"],
              batch_size=tr["batch_size"])
    seed = derive_seed(cfg["seed"], args.study, "sr_closure")
    raw = train.fit_classifier(x[~test], y[~test], seed=seed, **kw)
    closure = train.fit_classifier(x[~test], y[~test], seed=seed, weights=w[~test], **kw)
    s_raw = raw.predict(x[test]).mean(axis=0)
    s_closure = closure.predict(x[test]).mean(axis=0)
    h5io.write_columns(args.scores, {"score": s_raw, "is_data": y[test], "w_dctr": w[test]})
    summary = {
        "auc_sim_vs_data_sr": metrics.roc_auc(y[test], s_raw),
        "auc_sim_dctr_vs_data_sr": metrics.roc_auc(y[test], s_closure, w[test]),
        "n_test_data": int((y[test] == 1).sum()), "n_test_sim": int((y[test] == 0).sum()),
    }
    with h5io.atomic_output(args.summary) as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
