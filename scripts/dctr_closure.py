"""Closure of the DCTR weights (SALAD paper, Figs. 4 and 6) on events the reweighting never
saw: fresh data-vs-sim classifiers, once against unweighted and once against DCTR-weighted
sim, in the sidebands (test halves, split in two: train / evaluate) and in the signal region
(trained on the train halves, evaluated on the test halves); the events and halves are
those of the DCTR's repetition (its injection file). Closure: the weighted AUC
approaches 0.5. Background only: signal-labelled data events are removed."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.ml import metrics, train
from radflow.seeds import derive_seed
from radflow.stats import claims


def closure(x, y, w, fit, evaluate, seed, kw):
    """AUCs (unweighted, DCTR-weighted sim) of classifiers trained on ``fit`` rows and
    evaluated on ``evaluate`` rows, with Hanley-McNeil errors; and the unweighted scores."""
    out, scores = {}, None
    for name, weights in (("raw", None), ("dctr", w)):
        ens = train.fit_classifier(x[fit], y[fit], seed=seed,
                                   weights=None if weights is None else weights[fit], **kw)
        s = ens.predict(x[evaluate]).mean(axis=0)
        auc = metrics.roc_auc(y[evaluate], s, None if weights is None else weights[evaluate])
        n_pos = int(y[evaluate].sum())
        out[f"auc_{name}"] = auc
        out[f"auc_{name}_err"] = claims.auc_error(auc, n_pos, int(len(s) - n_pos))
        scores = s if scores is None else scores
    return out, scores


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim"))
    ap.add_argument("--dctr", required=True, help="output of the dctr rule")
    ap.add_argument("--injection", required=True, help="the DCTR's injection file")
    ap.add_argument("--scores", required=True, help="output: SR test scores (h5)")
    ap.add_argument("--summary", required=True, help="output: closure AUCs (json)")
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    cols, tr = cfg["studies"][args.study]["features"], cfg["training"]
    d, s = (inject.load_repetition(*p, args.injection, role, cols)
            for p, role in ((args.data, "data"), (args.sim, "sim")))
    w_sim = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    kw = dict(arch="salad", n_members=tr["n_init"], epochs=tr["epochs"], patience=tr["patience"],
              batch_size=tr["batch_size"])
    seed = derive_seed(cfg["seed"], args.study, "dctr_closure")
    summary, sr_scores = {}, None
    for region in ("sb", "sr"):
        keep_d, keep_s = d[region] & (d["label"] == 0), s[region]
        x = np.concatenate([np.column_stack([p[c][k] for c in cols])
                            for p, k in ((d, keep_d), (s, keep_s))])
        y = np.r_[np.ones(keep_d.sum()), np.zeros(keep_s.sum())]
        w = np.r_[np.ones(keep_d.sum()), w_sim[keep_s]]
        test = np.r_[d["test"][keep_d], s["test"][keep_s]]
        if region == "sb":      # DCTR trained on the train-half sidebands: use the test halves
            half = np.random.default_rng(derive_seed(seed, "sb_half")).random(len(y)) < 0.5
            fit, evaluate = test & half, test & ~half
        else:
            fit, evaluate = ~test, test
        summary[region], scores = closure(x, y, w, fit, evaluate, seed, kw)
        summary[region].update(n_eval_data=int(y[evaluate].sum()),
                               n_eval_sim=int((1 - y[evaluate]).sum()))
        if region == "sr":
            sr_scores = {"score": scores, "is_data": y[evaluate], "w_dctr": w[evaluate]}
    h5io.write_columns(args.scores, sr_scores)
    with h5io.atomic_output(args.summary) as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    _bootstrap.run(main)
