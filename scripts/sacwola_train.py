"""SA-CWoLa study, one injection (SA-CWoLa paper, Figs. 2-3): train CWoLa, SA-CWoLa at every
lambda (eq. 2.3 and the flipped variant), optimal CWoLa (against the extra background-only
sample), data vs sim, SALAD and the supervised classifier on the train half of the
repetition's samples (radflow.inject.load_repetition; a bootstrap per repetition) as one
ensemble; score the test half. Writes per-event test scores (HDF5) and metrics (JSON):
signal vs background in the SR, and SR vs SB on background-only test data."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject
from radflow.ml import metrics
from radflow.methods import sacwola
from radflow.seeds import derive_seed


def block(sample, x, mask, kind, signal=False, w_dctr=None) -> dict:
    """Training-table columns (see radflow.sacwola.Rows) of the events ``mask`` of a sample."""
    n = int(mask.sum())
    return {"x": x[mask], "kind": np.full(n, kind), "signal": np.full(n, signal),
            "sr": sample["sr"][mask], "sb_low": sample["sb_low"][mask],
            "sb_high": (sample["sb"] & ~sample["sb_low"])[mask],
            "w_dctr": np.ones(n) if w_dctr is None else w_dctr[mask]}


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim", "signal", "extra"))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--dctr", required=True)
    ap.add_argument("--arch", default="sacwola")
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--scores", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st, tr = cfg["studies"][args.study], cfg["training"]
    cols = st["features"]
    d, s, sig, e = (inject.load_repetition(*p, args.injection, role, cols) for p, role in
                    ((args.data, "data"), (args.sim, "sim"), (args.signal, inject.SIGNAL_ROLE),
                     (args.extra, "extra")))
    rep = inject.parse(args.injection_name)[2]
    w_sim = h5io.read_columns(args.dctr, ["w_sim"])["w_sim"]
    x = {k: np.column_stack([p[c] for c in cols]) for k, p in (("d", d), ("s", s), ("sig", sig), ("e", e))}
    used = {k: p["sr"] | p["sb"] for k, p in (("d", d), ("s", s), ("sig", sig))}

    # Training rows: data and injected signal (train half), sim (train half), and the
    # never-injected train-half signal in the SR (labelled Monte Carlo for 'supervised').
    sel_d, sel_s = used["d"] & ~d["test"], used["s"] & ~s["test"]
    sel_inj = used["sig"] & sig["injected"]
    sel_mc = sig["sr"] & ~sig["test"] & ~sig["injected"]
    # Optimal CWoLa's background: as many SR events of the extra background-only sample as
    # the data train half has in the SR, drawn anew in every repetition.
    n_sr = int((sel_d & d["sr"]).sum() + (sel_inj & sig["sr"]).sum())
    sel_e = np.zeros(len(e["sr"]), bool)
    try:
        sel_e[inject.extra_background(e["sr"], n_sr, cfg["seed"], args.study, rep,
                                      "optimal CWoLa")] = True
    except inject.InjectionError as err:
        raise SystemExit(f"sacwola_train: {err}") from None
    blocks = [block(d, x["d"], sel_d, sacwola.DATA),
              block(sig, x["sig"], sel_inj, sacwola.DATA, signal=True),
              block(s, x["s"], sel_s, sacwola.SIM, w_dctr=w_sim),
              block(sig, x["sig"], sel_mc, sacwola.SIGNAL_MC, signal=True),
              block(e, x["e"], sel_e, sacwola.EXTRA)]
    rows = sacwola.Rows(**{k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]})
    methods = sacwola.method_names(st["sa_cwola"]["lambdas"], st["sa_cwola"]["forms"])
    ens = sacwola.train(rows, methods, tr["n_init"],
                        seed=derive_seed(cfg["seed"], args.study, "train", args.injection_name),
                        bootstrap_seed=derive_seed(cfg["seed"], args.study, "bootstrap", rep),
                        arch=args.arch, epochs=tr["epochs"], patience=tr["patience"],
                        batch_size=tr["batch_size"])

    # Test half: all data events in the fit range, and every test-half signal event
    # (those injected into the test half feed the bump hunt, the rest the ROC curves).
    td, tg = d["test"] & d["fit"], sig["test"] & sig["fit"]
    x_test = np.concatenate([x["d"][td], x["sig"][tg]])
    scores = ens.scores(x_test)
    out = {"is_signal": np.r_[np.zeros(td.sum()), np.ones(tg.sum())].astype(bool),
           "injected": np.r_[np.zeros(td.sum(), bool), sig["injected_test"][tg]],
           **{k: np.r_[d[k][td], sig[k][tg]] for k in ("mjj", "sr", "sb")},
           **{f"score_{m}": v for m, v in scores.items()}}
    h5io.write_columns(args.scores, out, attrs={"methods": methods, "features": cols})

    roc_sel = out["sr"] & ~out["injected"]
    bkg = ~out["is_signal"] & (out["sr"] | out["sb"])
    result = {"injection": args.injection_name, "methods": methods,
              "repetition_seeds": inject.repetition_seeds(args.injection),
              "n_train": {k: int(m.sum()) for k, m in (("data", sel_d), ("injected_signal", sel_inj),
                                                      ("sim", sel_s), ("signal_mc", sel_mc),
                                                      ("extra", sel_e))},
              "n_injected_train_sr": int((sel_inj & sig["sr"]).sum()),
              "n_train_data_sr": int((sel_d & d["sr"]).sum()),
              "n_test": {"background_sr": int((roc_sel & ~out["is_signal"]).sum()),
                         "signal_sr": int((roc_sel & out["is_signal"]).sum())},
              "best_epoch": ens.best_epoch.tolist(),
              "signal_vs_background": {}, "sr_vs_sb": {}}
    for m, sc in scores.items():
        result["signal_vs_background"][m] = metrics.classifier_summary(
            out["is_signal"][roc_sel], sc[roc_sel], "sacwola")
        result["sr_vs_sb"][m] = metrics.classifier_summary(out["sr"][bkg], sc[bkg], "sacwola")
    with h5io.atomic_output(args.metrics) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({m: round(v["auc"], 3) for m, v in result["signal_vs_background"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
