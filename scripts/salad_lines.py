"""SALAD sensitivity at one injection (SALAD paper, Fig. 8): train the ideal, sim-only and
SALAD lines in the SR, evaluate on the test half of the repetition's data draw (background)
plus the signal events that were not injected (radflow.inject.load_repetition). Writes metrics (JSON) and test scores (HDF5)."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject
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
    d, s, sig = (inject.load_repetition(*p, args.injection, role, cols) for p, role in
                 ((args.data, "data"), (args.sim, "sim"), (args.signal, inject.SIGNAL_ROLE)))
    w_sim = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    x = {k: np.column_stack([p[c] for c in cols]) for k, p in (("d", d), ("s", s), ("sig", sig))}
    q, injected = d["quarter"], sig["injected"]
    rep = inject.parse(args.injection_name)[2]
    search = np.concatenate([x["d"][d["sr"] & (q == 0)], x["sig"][sig["sr"] & injected]])
    independent = x["d"][d["sr"] & (q == 1)]
    # Sim with the SR background count of the ideal line's independent data (SALAD paper,
    # footnote 3), drawn anew in every repetition.
    sim_pool = np.nonzero(s["sr"] & ~s["test"])[0]
    if len(sim_pool) < len(independent):
        raise SystemExit(f"salad_lines: {len(sim_pool)} sim SR train events, fewer than the "
                         f"{len(independent)} of the independent data; generate more sim")
    sim_rows = np.sort(np.random.default_rng(derive_seed(cfg["seed"], args.study, "sim", rep))
                       .choice(sim_pool, len(independent), replace=False))
    ens = salad.train_lines(search, independent, x["s"][sim_rows], w_sim[sim_rows],
                            seed=derive_seed(cfg["seed"], args.study, "scan", args.injection_name),
                            n_classifiers=n_cls, n_init=tr["n_init"], epochs=tr["epochs"],
                            patience=tr["patience"], batch_size=tr["batch_size"])
    bkg_test, sig_eval = d["sr"] & (q == -1), sig["sr"] & ~injected
    x_test = np.concatenate([x["d"][bkg_test], x["sig"][sig_eval]])
    y_test = np.r_[np.zeros(bkg_test.sum()), np.ones(sig_eval.sum())]
    scores = salad.classifier_scores(ens, x_test)
    result = {"injection": args.injection_name, "repetition": rep,
              "repetition_seeds": inject.repetition_seeds(args.injection),
              "n_injected_sr": int((sig["sr"] & injected).sum()),
              "n_search_background_sr": int((d["sr"] & (q == 0)).sum()),
              "n_independent_sr": len(independent), "n_sim_sr": len(sim_rows),
              "n_test_background": int(bkg_test.sum()), "n_test_signal": int(sig_eval.sum()),
              "lines": {line: salad.line_metrics(sc, y_test) for line, sc in scores.items()}}
    # Background estimate (eq. 2.4, A9): one classifier (the first) on the test halves;
    # the predicted data count is norm * sum of w over selected SR sim, with norm the
    # data/sim ratio of the test-half sideband counts (the normalization DCTR's weights
    # carry into the SR).
    sim_test = s["sr"] & s["test"]
    sim_scores = salad.classifier_scores(ens, x["s"][sim_test])
    norm = (d["sb"] & d["test"]).sum() / (s["sb"] & s["test"]).sum()
    h5io.write_columns(args.scores, {
        "label": y_test, **{f"score_{k}": v[0] for k, v in scores.items()},
        "sim_score_salad": sim_scores["salad"][0], "sim_w": w_sim[sim_test]},
        attrs={"sideband_norm": float(norm)})
    with h5io.atomic_output(args.metrics) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: {m: float(np.mean(v)) for m, v in r.items()} for k, r in result["lines"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
