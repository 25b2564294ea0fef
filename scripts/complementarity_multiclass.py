"""The which-method classifier of a complementarity study at n_sig = 0 (arXiv:2307.11157,
Sec. 3.1): a softmax classifier over the methods trained on their synthetic samples (up to
``multiclass.events`` per method, all generators pooled, SALAD's DCTR weights carried), and
the average log posterior of eq. (3.1) of every model i on held-out samples of every method j
and on the true SR background. Writes {"methods", "log_posterior": {i: {j: [per run]}}}."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.methods import common_classifier
from radflow.seeds import derive_seed
from radflow.studies.complementarity import samples


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data",))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--synthetic", nargs="+", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    cols, mc = st["features"], st["multiclass"]
    seed = derive_seed(cfg["seed"], args.study, "multiclass", args.injection_name)
    rng = np.random.default_rng(derive_seed(seed, "subsample"))
    pooled = {}
    for method, gens in sorted(samples.read_synthetic(args.synthetic, cols).items()):
        x = np.concatenate([x for x, _ in gens])
        w = np.concatenate([w for _, w in gens])
        keep = np.sort(rng.permutation(len(x))[:mc["events"]])
        pooled[method] = (x[keep], w[keep])
    d = inject.load_repetition(*args.data, args.injection, "data", cols)
    truth = samples.true_background(d, cols)
    settings = {**mc, "learning_rate": st["classifier"]["learning_rate"]}
    where = f"study {args.study}, injection {args.injection_name}"
    try:
        model = common_classifier.train_multiclass(pooled, settings, seed)
        table = common_classifier.log_posterior_table(model, (truth.x, truth.w))
    except ValueError as err:
        raise SystemExit(f"complementarity_multiclass: {where}: {err}") from None
    table.update(injection=args.injection_name, events_per_method={m: len(v[1]) for m, v in pooled.items()},
                 n_truth=len(truth), repetition_seeds=inject.repetition_seeds(args.injection))
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(table, indent=1))
    print(json.dumps({i: {j: float(np.mean(v)) for j, v in row.items()}
                      for i, row in table["log_posterior"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
