"""CWoLa Hunting, one run of a CWoLa-vs-autoencoder study (paper Sec. 3.1): for every S/B
benchmark, SR-vs-SB classifiers trained with the nested k-fold (k x (k-1) x n_init members per
benchmark, all benchmarks of the run in one vectorized ensemble) and region weights (sidebands
equal, SR = sum of sidebands). Every event of the fit range, the data and the signal (injected
or evaluation), is scored only by the models of its own outer fold. Writes per-event scores
(HDF5, one column ``score_b{j}`` per benchmark j of ``--benchmarks``, default all) in the event
order of radflow.methods.cwola_hunting.event_table, over the run's data draw (radflow.inject.
load_repetition). Folds are seeded per run, each member by (run, benchmark, folds,
initialization): a job with part of the benchmarks trains their members as the whole run
would."""
import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject, regions
from radflow.methods import cwola_hunting
from radflow.ml import train
from radflow.seeds import derive_seed


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "signal"))
    ap.add_argument("--injection", required=True)
    ap.add_argument("--benchmarks", default=None,
                    help="FIRST:STOP, the S/B benchmarks of this job (default: all)")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    ch = st["cwola_hunting"]
    d, s = (inject.load_repetition(*p, args.injection, role, st["features"])
            for p, role in ((args.data, "data"), (args.signal, inject.SIGNAL_ROLE)))
    table = cwola_hunting.event_table(d, s, st["features"])
    n_inj = h5io.read_attrs(args.injection)["n_injected"]
    first, stop = ((0, len(n_inj)) if args.benchmarks is None
                   else map(int, args.benchmarks.split(":")))
    if not 0 <= first < stop <= len(n_inj):
        raise SystemExit(f"cwola_hunting: --benchmarks {args.benchmarks} outside the "
                         f"{len(n_inj)} benchmarks of {args.injection}")
    ids = range(first, stop)
    rank = cwola_hunting.injected_rank(table, s["rank"])
    weights = np.stack([cwola_hunting.training_weights(
        table["sr"], table["sb_low"], table["sb_high"],
        ~table["is_signal"] | ((rank >= 0) & (rank < n_inj[j]))) for j in ids])
    run = int(h5io.read_attrs(args.injection)["run"])
    seed = derive_seed(cfg["seed"], args.study, "cwola_hunting", run)
    # Folds drawn bin by bin of the study's log binning (the paper's split).
    edges = regions.log_bins(st["fit_range"], st["binning"]["n_bins"])
    mjj_bin = np.searchsorted(edges, table["mjj"], side="right")
    res = train.nested_kfold(table["x"], table["sr"].astype(float), seed, "cwola_hunting",
                             weights, k=ch["k"], n_init=ch["n_init"], epochs=ch["epochs"],
                             patience=ch["patience"], batch_size=ch["batch_size"], fpr=ch["fpr"],
                             strata=mjj_bin, benchmark_ids=ids)
    cols = {c: table[c] for c in cwola_hunting.TABLE_COLUMNS}
    cols.update(rank=rank, fold=res.fold)
    cols.update({f"score_b{j}": sc for j, sc in zip(ids, res.scores)})
    h5io.write_columns(args.output, cols, attrs={"n_members": len(res.members)})
    print(f"{len(res.members)} members; selected per benchmark and outer fold: "
          f"{res.selected.reshape(len(ids), -1).tolist()}")


if __name__ == "__main__":
    _bootstrap.run(main)
