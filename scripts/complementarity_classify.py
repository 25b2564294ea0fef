"""The common classifier of a complementarity study in one injection and classifier variant
(nn, hgb, and with '_noise' the added noise features): SR search data (label 1) against
every method's synthetic sample of every generator, against the sample-level combination of
the four (each method 1/4 of the total weight, SALAD's DCTR weights multiplied in) and
against the true SR background (truth vs truth, the idealized detector), all trained as one
vectorized ensemble (radflow.methods.common_classifier), for the runs of one job (``--runs``,
classifier.runs_per_job). Writes the scores of the fixed test set: columns is_signal, mjj and
the features (N_test,), datasets score/<method> (G, R_job, N_test), attribute runs [first,
last + 1]."""
import json

import h5py
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.methods import common_classifier
from radflow.seeds import derive_seed
from radflow.stats import complementarity as comp
from radflow.studies.complementarity import samples


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "signal", "extra"))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--variant", required=True, help="nn, hgb, nn_noise or hgb_noise")
    ap.add_argument("--synthetic", nargs="+", required=True)
    ap.add_argument("--runs", required=True, metavar="FIRST:STOP",
                    help="this job's classifier runs, range(FIRST, STOP)")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    clf = st["classifier"]
    try:
        first, stop = (int(v) for v in args.runs.split(":"))
    except ValueError:
        first = stop = -1
    if not 0 <= first < stop <= clf["runs"]:
        raise SystemExit(f"complementarity_classify: --runs {args.runs} is not a part of the "
                         f"{clf['runs']} runs of studies.{args.study}.classifier.runs")
    cols = st["features"]
    kind, noisy = args.variant.split("_")[0], args.variant.endswith("_noise")
    d, sig, e = (inject.load_repetition(*p, args.injection, role, cols) for p, role in
                 ((args.data, "data"), (args.signal, inject.SIGNAL_ROLE), (args.extra, "extra")))
    search = samples.sr_data(d, sig, cols)
    truth = samples.true_background(d, cols)
    test, is_signal = samples.test_set(e, sig, cols)
    synthetic = samples.read_synthetic(args.synthetic, cols)
    methods = sorted(synthetic)
    n_gen = min(len(v) for v in synthetic.values())
    # Sample-level combination of generator g: the union of the methods' samples of g, each
    # method carrying 1/n_methods of the total weight.
    combined = []
    for g in range(n_gen):
        ws = comp.sample_combination_weights([synthetic[m][g][1] for m in methods])
        combined.append((np.concatenate([synthetic[m][g][0] for m in methods]), np.concatenate(ws)))
    bkg = {**synthetic, "combined": combined, "truth": [(truth.x, truth.w)]}

    x_data, x_test = search.x, test.x
    if noisy:
        n_noise = st["robustness"]["noise_features"]
        seed = derive_seed(cfg["seed"], args.study, "noise", args.injection_name)
        x_data = common_classifier.add_noise_features(x_data, n_noise, derive_seed(seed, "data"))
        x_test = common_classifier.add_noise_features(x_test, n_noise, derive_seed(seed, "test"))
        bkg = {m: [(common_classifier.add_noise_features(x, n_noise, derive_seed(seed, m, g)), w)
                   for g, (x, w) in enumerate(v)] for m, v in bkg.items()}
    settings = ({**clf, "kind": kind} if kind == "nn" else
                {"kind": kind, "runs": clf["runs"], "folds": clf["folds"], **clf["hgb"],
                 "patience": clf["hgb"]["n_iter_no_change"]})
    where = (f"study {args.study}, injection {args.injection_name}, classifier {args.variant}, "
             f"runs {first}:{stop}")
    try:
        result = common_classifier.train_common(
            x_data, bkg, x_test, settings,
            derive_seed(cfg["seed"], args.study, "classifier", kind, args.injection_name),
            runs=range(first, stop))
    except ValueError as err:
        raise SystemExit(f"complementarity_classify: {where}: {err}") from None
    scores = result.scores

    columns = {"is_signal": is_signal, "mjj": test.m,
               **{c: test.x[:, i] for i, c in enumerate(cols)}}
    attrs = {"methods": methods + ["combined"], "classifier": args.variant,
             "noise_features": st["robustness"]["noise_features"] if noisy else 0,
             "n_signal": int((sig["injected"] & sig["sr"]).sum()), "n_sr_data": len(search),
             "n_truth": len(truth), "ensemble": st["classifier"]["ensemble"],
             "runs": [first, stop],
             "repetition": json.dumps(inject.repetition_seeds(args.injection))}
    with h5io.atomic_output(args.output) as tmp:
        h5io.write_columns(tmp, columns, attrs)
        with h5py.File(tmp, "a") as f:
            for name, s in scores.items():
                if not np.isfinite(s).all():
                    raise SystemExit(f"complementarity_classify: {where}: non-finite scores "
                                     f"of {name}")
                f.create_dataset(f"score/{name}", data=np.asarray(s, np.float32))
            for name, v in result.val_loss.items():
                f.create_dataset(f"val_loss/{name}", data=np.asarray(v, np.float64))
                f.create_dataset(f"kept_fold/{name}", data=np.asarray(result.kept_fold[name]))
    print(json.dumps({m: list(np.shape(s)) for m, s in scores.items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
