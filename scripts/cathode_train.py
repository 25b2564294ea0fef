"""CATHODE study, one injection: the classifiers of the CATHODE paper's comparison trained as
one vectorized ensemble on the train half, each with balanced class weights,
``training.n_init`` initializations (averaged per event, as the CATHODE paper
averages its classifier runs) and the schedule of ``studies.<study>.classifier``:
CATHODE (SR data vs the flow's SR template), idealized anomaly detector (SR data vs as many
SR events of the independent background sample), CWoLa (SR data vs sideband data) and
supervised (signal vs independent background). ANODE's
log R comes from the flows. Every method scores the same test set (test-half SR data and
signal); writes the scores (HDF5) and metrics (JSON), with the template's quality: per-feature
KS against the SR test background and the CATHODE classifier's AUC between them."""
import json

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.methods import anode, cathode


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
    d, sig, e = (inject.load_repetition(*p, args.injection, role, cols) for p, role in
                 ((args.data, "data"), (args.signal, inject.SIGNAL_ROLE), (args.extra, "extra")))
    tmpl = h5io.read_columns(args.template)

    rep = inject.parse(args.injection_name)[2]
    try:
        blocks, control = cathode.training_blocks(d, sig, sig["injected"], tmpl, e, cols,
                                                  cfg["seed"], args.study, rep)
    except inject.InjectionError as err:
        raise SystemExit(f"cathode_train: {err}") from None
    ens = cathode.train_classifiers(blocks, tr["n_init"], cfg["seed"], args.study,
                                    args.injection_name, **st["classifier"])

    dens = h5io.read_columns(args.test_densities)
    x_test = cathode.feature_matrix(dens, cols)
    holdout = cathode.feature_matrix(tmpl, cols)[tmpl["holdout"]]
    scores, holdout_score = cathode.score_test_set(ens, x_test, holdout)
    control_score = ens.scores(control)["idealized"]
    scores["anode"] = anode.log_likelihood_ratio(dens["log_p_data"], dens["log_p_bkg"])
    h5io.write_columns(args.scores, {
        "is_signal": dens["is_signal"], "injected": dens["injected"], "mjj": dens["mjj"],
        "log_p_bkg": dens["log_p_bkg"], **{f"score_{m}": v for m, v in scores.items()}},
        attrs={"methods": list(scores), "features": cols})

    bkg = ~dens["is_signal"]
    n_test, per_method = cathode.signal_vs_background(dens["is_signal"], dens["injected"], scores)
    result = {"injection": args.injection_name, "methods": list(scores),
              "repetition_seeds": inject.repetition_seeds(args.injection),
              "n_train": {k: len(v) for k, v in blocks.items()},
              "n_injected_train_sr": int((sig["injected"] & sig["sr"]).sum()),
              "n_test": n_test,
              "best_epoch": ens.best_epoch.tolist(),
              "template_quality": cathode.template_quality(
                  holdout, x_test[bkg], holdout_score, scores["cathode"][bkg], cols,
                  scores["idealized"][bkg], control_score),
              "signal_vs_background": per_method}
    with h5io.atomic_output(args.metrics) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({m: round(v["max_sic"], 2) for m, v in result["signal_vs_background"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
