"""CATHODE study, one injection: the classifiers of the CATHODE paper's comparison trained as
one vectorized ensemble on the train half, each with balanced class weights and
``training.n_init`` initializations (combined per event by the truncated mean,
radflow.ml.ensemble.MethodEnsemble.scores): CATHODE (SR data vs the flow's SR template), idealized
anomaly detector (SR data vs as many SR events of the independent background sample),
CWoLa (SR data vs sideband data) and supervised (signal vs independent background). ANODE's
log R comes from the flows. Every method scores the same test set (test-half SR data and
signal); writes the scores (HDF5) and metrics (JSON), with the template's quality: per-feature
KS against the SR test background and the CATHODE classifier's AUC between them."""
import json

import numpy as np
from scipy import stats

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io, inject, regions
from radflow.methods import anode, cathode
from radflow.ml import ensemble, metrics, models
from radflow.seeds import derive_seed

METHODS = ("cathode", "idealized", "cwola", "supervised")


def summary(labels, scores) -> dict:
    """AUC, FPR and SIC at 50% signal efficiency, and the max SIC over thresholds that keep
    >= radflow.ml.metrics.MIN_BACKGROUND background events (labels (N,) bool, scores (N,))."""
    out = metrics.classifier_summary(labels, scores)
    out["max_sic"] = metrics.max_sic_reliable(labels, scores)[0]
    return out


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "signal", "extra"))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--test-densities", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--scores", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st, tr = cfg["studies"][args.study], cfg["training"]
    cols = st["features"]
    d, sig, e = (regions.load_study_sample(*p, cols) for p in (args.data, args.signal, args.extra))
    inj = h5io.read_columns(args.injection)
    tmpl = h5io.read_columns(args.template)
    x = {k: np.column_stack([p[c] for c in cols]) for k, p in (("d", d), ("sig", sig), ("e", e))}
    x_tmpl = np.column_stack([tmpl[c] for c in cols])

    sel_inj = inj["injected"] & (sig["sr"] | sig["sb"])
    blocks = {  # name -> events (rows of the shared table)
        "data_sr": np.r_[x["d"][~d["test"] & d["sr"]], x["sig"][sel_inj & sig["sr"]]],
        "data_sb": np.r_[x["d"][~d["test"] & d["sb"]], x["sig"][sel_inj & sig["sb"]]],
        "template": x_tmpl[~tmpl["holdout"]],
        "signal_mc": x["sig"][~sig["test"] & sig["sr"] & ~inj["injected"]]}
    n_sr = len(blocks["data_sr"])
    rep = inject.parse(args.injection_name)[2]
    try:
        pick = inject.extra_background(e["sr"], n_sr, cfg["seed"], args.study, rep,
                                       "the idealized detector")
    except inject.InjectionError as err:
        raise SystemExit(f"cathode_train: {err}") from None
    blocks["background_sr"] = x["e"][pick]
    names = list(blocks)
    table = np.concatenate([blocks[k] for k in names])
    which = np.concatenate([np.full(len(blocks[k]), i) for i, k in enumerate(names)])
    pairs = {"cathode": ("data_sr", "template"), "idealized": ("data_sr", "background_sr"),
             "cwola": ("data_sr", "data_sb"), "supervised": ("signal_mc", "background_sr")}
    n_init = tr["n_init"]
    tasks = {}
    for mi, method in enumerate(METHODS):
        pos, neg = (names.index(k) for k in pairs[method])
        is_pos, used = which == pos, (which == pos) | (which == neg)
        w = np.where(used, cathode.balanced_weights(is_pos, len(blocks[pairs[method][0]]),
                                                   len(blocks[pairs[method][1]])), 0.0)
        # One validation split per initialization.
        splits = [ensemble.validation_split(
            w, derive_seed(cfg["seed"], args.study, "val", args.injection_name, mi, i))
            for i in range(n_init)]
        tasks[method] = (is_pos.astype(float), *map(np.array, zip(*splits)))
    ens = ensemble.train_methods(
        table, tasks, models.get("cathode"), n_init,
        derive_seed(cfg["seed"], args.study, "train", args.injection_name),
        epochs=tr["epochs"], patience=tr["patience"], batch_size=tr["batch_size"])

    dens = h5io.read_columns(args.test_densities)
    x_test = np.column_stack([dens[c] for c in cols])
    n_test = len(x_test)
    combined = ens.scores(np.r_[x_test, x_tmpl[tmpl["holdout"]]])
    scores = {m: combined[m][:n_test] for m in METHODS}
    scores["anode"] = anode.log_likelihood_ratio(dens["log_p_data"], dens["log_p_bkg"])
    h5io.write_columns(args.scores, {
        "is_signal": dens["is_signal"], "injected": dens["injected"], "mjj": dens["mjj"],
        "log_p_bkg": dens["log_p_bkg"], **{f"score_{m}": v for m, v in scores.items()}},
        attrs={"methods": list(scores), "features": cols})

    roc = ~dens["injected"]
    bkg = ~dens["is_signal"]
    holdout = x_tmpl[tmpl["holdout"]]
    quality = {"ks": {c: dict(zip(("statistic", "pvalue"),
                                  map(float, stats.ks_2samp(holdout[:, i], x_test[bkg, i]))))
                      for i, c in enumerate(cols)},
               # CATHODE's score on the SR test background vs the held-out template.
               "classifier_auc": metrics.roc_auc(np.r_[np.ones(bkg.sum()), np.zeros(len(holdout))],
                                                 np.r_[scores["cathode"][bkg], combined["cathode"][n_test:]]),
               "n_template_holdout": len(holdout), "n_background_test": int(bkg.sum())}
    result = {"injection": args.injection_name, "methods": list(scores),
              "n_train": {k: len(v) for k, v in blocks.items()},
              "n_injected_train_sr": int((sel_inj & sig["sr"]).sum()),
              "n_test": {"background_sr": int((roc & bkg).sum()),
                         "signal_sr": int((roc & ~bkg).sum())},
              "best_epoch": ens.best_epoch.tolist(),
              "template_quality": quality,
              "signal_vs_background": {m: summary(dens["is_signal"][roc], v[roc])
                                       for m, v in scores.items()}}
    with h5io.atomic_output(args.metrics) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({m: round(v["max_sic"], 2) for m, v in result["signal_vs_background"].items()}))


if __name__ == "__main__":
    main()
