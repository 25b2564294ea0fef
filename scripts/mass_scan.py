"""Mass-hypothesis scan of one study, one part: the observed data or a block of background-only
pseudo-experiments (radflow.stats.mass_scan, radflow.methods.mass_scan).

The observed scan runs on the study's data (its single repetition's draw, both halves, fit
range; radflow.inject.load_repetition of the nominal injection) with that injection's signal
(both halves) injected; a pseudo-experiment is a Poisson(1) bootstrap of the same data events
without any signal, seeded by the config seed and its index.
Per scan, method and window the classifiers are trained by k-fold, thresholds keep each
efficiency of the window's SR events and the dijet fit gives the local Z.

Writes results/{study}/scan/observed.json (--observed: windows, every fit, the injected
signal per window) or results/{study}/scan/toys{c}.json (--toys FIRST:STOP: local Z per
pseudo-experiment, method, window and efficiency; null for a failed fit)."""
import json

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io, inject, regions
from radflow.methods import mass_scan as scan_methods
from radflow.seeds import derive_seed
from radflow.stats import mass_scan as scan_stats


def load(args, st):
    """Data events of the fit range, (--observed) the injected signal events of the fit range
    and (--sim, for SA-CWoLa) the simulation of the fit range: x (n, d), mjj (n,) GeV each."""
    cols = st["features"]
    d = inject.load_repetition(*args.data, args.injection, "data", cols)
    table = {"data": (np.column_stack([d[c] for c in cols])[d["fit"]],
                      np.asarray(d["mjj"])[d["fit"]])}
    if args.observed:
        s = inject.load_repetition(*args.signal, args.injection, inject.SIGNAL_ROLE, cols)
        injected = (s["injected"] | s["injected_test"]) & s["fit"]
        table["signal"] = (np.column_stack([s[c] for c in cols])[injected],
                           np.asarray(s["mjj"])[injected])
    if args.sim:
        sim = inject.load_repetition(*args.sim, args.injection, "sim", cols)
        table["sim"] = (np.column_stack([sim[c] for c in cols])[sim["fit"]],
                        np.asarray(sim["mjj"])[sim["fit"]])
    return table


def run_scans(table, mult, ids, st, cfg, study, keep_fits):
    """Train and fit T scans (multiplicities ``mult`` (T, n)): per scan, the list over methods
    of lists over windows of :func:`radflow.stats.mass_scan.local_significance` entries."""
    sc, cl = st["scan"], st["scan"]["classifier"]
    wins = regions.study_scan_windows(st)
    x, mjj = table["events"]
    scores = scan_methods.train_scores(
        x, mjj, mult, wins, sc["methods"], k=cl["k"], hidden=cl["hidden"], epochs=cl["epochs"],
        patience=cl["patience"], batch_size=cl["batch_size"], sim=table.get("sim"),
        lam=sc["lambda"], fit_range=st["fit_range"], scan_ids=ids,
        seed=derive_seed(cfg["seed"], study, "scan"))
    edges = regions.log_bins(st["fit_range"], sc["windows"]["n_bins"])
    refs, out = {}, []
    for t in range(len(mult)):
        per_method = []
        for method in sc["methods"]:
            per_window = []
            for wi, w in enumerate(wins):
                entries = scan_stats.local_significance(
                    mjj, scores[method][t, wi], mult[t], w, sc["efficiencies"], edges,
                    references=refs.get((method, wi)), keep_fits=keep_fits)
                if all(e["fit"] is not None for e in entries):
                    refs[(method, wi)] = [e["fit"] for e in entries]
                per_window.append(entries)
            per_method.append(per_window)
        out.append(per_method)
    return wins, out, scores["best_epoch"]


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data",))
    ap.add_argument("--signal", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"),
                    help="the injected signal sample (--observed)")
    ap.add_argument("--injection", required=True,
                    help="the nominal injection file: the repetition's events and signal")
    ap.add_argument("--sim", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"))
    part = ap.add_mutually_exclusive_group(required=True)
    part.add_argument("--observed", action="store_true", help="scan the data with the signal")
    part.add_argument("--toys", metavar="FIRST:STOP",
                      help="scan the pseudo-experiments FIRST..STOP-1")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    if args.observed and not args.signal:
        ap.error("--observed needs --signal")
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    sc = st["scan"]
    table = load(args, st)
    xd, md = table["data"]
    wins = regions.study_scan_windows(st)
    try:
        scan_stats.check_sidebands(md, wins, f"{args.data[0]} (sample 'data', "
                                   f"studies.{args.study}.scan.windows)")
    except ValueError as err:
        raise SystemExit(f"mass_scan: {err}") from None

    if args.observed:
        xs, ms = table["signal"]
        table["events"] = (np.concatenate([xd, xs]), np.concatenate([md, ms]))
        mult = np.ones((1, len(md) + len(ms)), np.int64)
        wins, res, best = run_scans(table, mult, ["observed"], st, cfg, args.study, True)
        for per_window in res[0]:
            for entries in per_window:
                for e in entries:
                    e.pop("fit")
        is_sig = np.r_[np.zeros(len(md), bool), np.ones(len(ms), bool)]
        for w in wins:
            sr = regions.window_masks(table["events"][1], w)["sr"]
            w["n_sr_data"], w["n_sr_injected"] = int((sr & ~is_sig).sum()), int((sr & is_sig).sum())
        result = {"study": args.study, "methods": sc["methods"],
                  "repetition_seeds": inject.repetition_seeds(args.injection),
                  "efficiencies": sc["efficiencies"], "windows": wins,
                  "edges": regions.log_bins(st["fit_range"], sc["windows"]["n_bins"]).tolist(),
                  "n_data": int(len(md)), "n_injected": int(len(ms)),
                  "best_epoch_mean": float(best.mean()),
                  "fits": {m: res[0][i] for i, m in enumerate(sc["methods"])}}
    else:
        first, stop = (int(v) for v in args.toys.split(":"))
        ids = list(range(first, stop))
        if not ids:
            raise SystemExit(f"mass_scan: --toys {args.toys} holds no pseudo-experiment")
        mult = np.stack([np.random.default_rng(derive_seed(cfg["seed"], args.study, "scan toy", i))
                         .poisson(1.0, len(md)) for i in ids])
        table["events"] = (xd, md)
        _, res, best = run_scans(table, mult, ids, st, cfg, args.study, False)
        z = [[[[e["z"] for e in entries] for entries in per_window] for per_window in per_method]
             for per_method in res]
        result = {"study": args.study, "toy_ids": ids, "methods": sc["methods"],
                  "efficiencies": sc["efficiencies"], "z": z,
                  "best_epoch_mean": float(best.mean()),
                  "n_failed_fits": int(sum(v is None for a in z for b in a for c in b for v in c))}
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result))
    print(f"scan {args.study} {'observed' if args.observed else args.toys}: done")


if __name__ == "__main__":
    main()
