"""SALAD sensitivity at one injection (SALAD paper, Fig. 8): train the ideal, sim-only and
SALAD lines in the SR, evaluate on the test half of the data (background) plus the signal
events that were not injected. Writes metrics (JSON) and test scores (HDF5)."""
import json

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow import cli, regions
from radflow.methods import salad
from radflow.seeds import derive_seed


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim", "signal"))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--dctr", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--scores", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st, tr = cfg["studies"][args.study], cfg["training"]
    cols, n_cls = st["features"], st["injection"]["n_classifiers"]
    d, s, g = (regions.load_study_sample(*p, cols) for p in (args.data, args.sim, args.signal))
    inj = h5io.read_columns(args.injection, ["quarter", "injected"])
    w_sim = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    x = {k: np.column_stack([p[c] for c in cols]) for k, p in (("d", d), ("s", s), ("g", g))}
    q, injected = inj["quarter"], inj["injected"]
    search = np.concatenate([x["d"][d["sr"] & (q == 0)], x["g"][g["sr"] & injected]])
    sim_sel = s["sr"] & ~s["test"]
    ens = salad.train_lines(search, x["d"][d["sr"] & (q == 1)], x["s"][sim_sel], w_sim[sim_sel],
                            seed=derive_seed(cfg["seed"], args.study, "scan", args.injection_name),
                            n_classifiers=n_cls, n_init=tr["n_init"], epochs=tr["epochs"],
                            patience=tr["patience"], batch_size=tr["batch_size"])
    bkg_test, sig_eval = d["sr"] & (q == -1), g["sr"] & ~injected
    x_test = np.concatenate([x["d"][bkg_test], x["g"][sig_eval]])
    y_test = np.r_[np.zeros(bkg_test.sum()), np.ones(sig_eval.sum())]
    scores = salad.classifier_scores(ens.predict(x_test), n_cls, tr["n_init"])
    result = {"injection": args.injection_name, "n_injected_sr": int((g["sr"] & injected).sum()),
              "n_search_background_sr": int((d["sr"] & (q == 0)).sum()),
              "n_test_background": int(bkg_test.sum()), "n_test_signal": int(sig_eval.sum()),
              "lines": {line: salad.line_metrics(sc, y_test) for line, sc in scores.items()}}
    sim_test = s["sr"] & s["test"]
    sim_scores = salad.classifier_scores(ens.predict(x["s"][sim_test]), n_cls, tr["n_init"])
    h5io.write_columns(args.scores, {
        "label": y_test, **{f"score_{k}": v.mean(axis=0) for k, v in scores.items()},
        "sim_score_salad": sim_scores["salad"].mean(axis=0), "sim_w": w_sim[sim_test]})
    with h5io.atomic_output(args.metrics) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: {m: float(np.mean(v)) for m, v in r.items()} for k, r in result["lines"].items()}))


if __name__ == "__main__":
    main()
