"""Mass-hypothesis scan of one study, one part: the observed data, a block of background-only
pseudo-experiments or a block of reference experiments (radflow.stats.mass_scan,
radflow.methods.mass_scan).

The observed scan runs on the study's data (its single repetition's draw, both halves, fit
range; radflow.inject.load_repetition of the nominal injection) with that injection's signal
(both halves) injected, once per training seed (scan.observed_seeds); a pseudo-experiment is
a Poisson(1) bootstrap of the same data events without any signal, seeded by the config seed
and its index; a reference experiment is a Poisson(lambda) bootstrap of the 'extra'
background sample (never used by the pseudo-experiments), lambda = the data's fit-range
count / the extra sample's, so that it holds the data's expected count. Per scan, method and
window the classifiers are trained by k-fold, thresholds keep each efficiency of the
window's SR events (all of them) and the dijet fit gives the local Z.

Writes results/{study}/scan/observed.json (--observed: windows, every fit of every seed, the
injected signal per window), results/{study}/scan/toys{c}.json (--toys FIRST:STOP) or
results/{study}/scan/reference{c}.json (--reference FIRST:STOP: local Z per experiment,
method, window and efficiency; null for a failed fit)."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject, regions
from radflow.methods import mass_scan as scan_methods
from radflow.seeds import derive_seed
from radflow.stats import mass_scan as scan_stats


def load(args, st):
    """Data events of the fit range, (--observed) the injected signal events of the fit range,
    (--reference) the extra background sample of the fit range and (--sim, for SA-CWoLa) the
    simulation of the fit range: x (n, d), mjj (n,) GeV each."""
    cols = st["features"]

    def fit_events(d):
        return (np.column_stack([d[c] for c in cols])[d["fit"]], np.asarray(d["mjj"])[d["fit"]])

    table = {"data": fit_events(inject.load_repetition(*args.data, args.injection, "data", cols))}
    if args.observed:
        s = inject.load_repetition(*args.signal, args.injection, inject.SIGNAL_ROLE, cols)
        injected = (s["injected"] | s["injected_test"]) & s["fit"]
        table["signal"] = (np.column_stack([s[c] for c in cols])[injected],
                           np.asarray(s["mjj"])[injected])
    if args.reference:     # the whole extra pool (the scan's single repetition thins nothing)
        table["extra"] = fit_events(regions.load_study_sample(*args.extra, cols))
    if args.sim:
        table["sim"] = fit_events(inject.load_repetition(*args.sim, args.injection, "sim", cols))
    return table


def train_kw(st, cfg, study, table):
    """The training keywords of :func:`radflow.methods.mass_scan.run_scans` of a study."""
    sc = st["scan"]
    return {"seed": derive_seed(cfg["seed"], study, "scan"), "classifier": sc["classifier"],
            "sim": table.get("sim"), "lam": sc["lambda"], "fit_range": st["fit_range"]}


def z_table(fits):
    """Local Z [scan][method][window][efficiency] (None: failed fit) of run_scans' fits."""
    return [[[[e["z"] for e in entries] for entries in per_window] for per_window in per_method]
            for per_method in fits]


def block_range(text, flag):
    """Experiment indices of 'FIRST:STOP'; SystemExit naming ``flag`` when empty or malformed."""
    try:
        first, stop = (int(v) for v in text.split(":"))
    except ValueError:
        raise SystemExit(f"mass_scan: {flag} {text!r} is not FIRST:STOP") from None
    if stop <= first:
        raise SystemExit(f"mass_scan: {flag} {text} holds no experiment")
    return list(range(first, stop))


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data",))
    ap.add_argument("--signal", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"),
                    help="the injected signal sample (--observed)")
    ap.add_argument("--injection", required=True,
                    help="the nominal injection file: the repetition's events and signal")
    ap.add_argument("--extra", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"),
                    help="the extra background sample (--reference)")
    ap.add_argument("--sim", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"))
    part = ap.add_mutually_exclusive_group(required=True)
    part.add_argument("--observed", action="store_true", help="scan the data with the signal")
    part.add_argument("--toys", metavar="FIRST:STOP",
                      help="scan the pseudo-experiments FIRST..STOP-1")
    part.add_argument("--reference", metavar="FIRST:STOP",
                      help="scan the reference experiments FIRST..STOP-1")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    if args.observed and not args.signal:
        ap.error("--observed needs --signal")
    if args.reference and not args.extra:
        ap.error("--reference needs --extra")
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    sc = st["scan"]
    table = load(args, st)
    xd, md = table["data"]
    wins = regions.study_scan_windows(st)
    edges = regions.log_bins(st["fit_range"], sc["windows"]["n_bins"])
    try:
        scan_stats.check_sidebands(md, wins, f"{args.data[0]} (sample 'data', "
                                   f"studies.{args.study}.scan.windows)")
        if args.reference:
            scan_stats.check_sidebands(table["extra"][1], wins, f"{args.extra[0]} (sample "
                                       f"'extra', studies.{args.study}.scan.windows)")
    except ValueError as err:
        raise SystemExit(f"mass_scan: {err}") from None
    kw = train_kw(st, cfg, args.study, table)
    common = {"study": args.study, "methods": sc["methods"], "efficiencies": sc["efficiencies"]}

    if args.observed:
        xs, ms = table["signal"]
        x, mjj = np.concatenate([xd, xs]), np.concatenate([md, ms])
        is_injected = np.r_[np.zeros(len(md), bool), np.ones(len(ms), bool)]
        obs = scan_methods.observed_scan(x, mjj, is_injected, wins, sc["methods"],
                                         sc["efficiencies"], edges,
                                         n_seeds=sc["observed_seeds"], **kw)
        for w, n_data, n_inj in zip(wins, obs["n_sr_data"], obs["n_sr_injected"]):
            w["n_sr_data"], w["n_sr_injected"] = n_data, n_inj
        result = {**common, "windows": wins, "edges": edges.tolist(),
                  "repetition_seeds": inject.repetition_seeds(args.injection),
                  "n_data": int(len(md)), "n_injected": int(len(ms)),
                  "seeds": [{"index": i, "scan_id": sid} for i, sid in enumerate(obs["ids"])],
                  "best_epoch_mean": float(obs["best_epoch"].mean()),
                  "fits": {m: [per_seed[i] for per_seed in obs["fits"]]
                           for i, m in enumerate(sc["methods"])}}
        label = f"observed ({sc['observed_seeds']} training seeds)"
    elif args.toys:
        ids = block_range(args.toys, "--toys")
        mult = np.stack([np.random.default_rng(derive_seed(cfg["seed"], args.study, "scan toy", i))
                         .poisson(1.0, len(md)) for i in ids])
        fits, best = scan_methods.run_scans(xd, md, mult, ids, wins, sc["methods"],
                                            sc["efficiencies"], edges, **kw)
        z = z_table(fits)
        result = {**common, "toy_ids": ids, "z": z, "best_epoch_mean": float(best.mean()),
                  "n_failed_fits": int(sum(v is None for a in z for b in a for c in b for v in c))}
        label = f"toys {args.toys}"
    else:
        ids = block_range(args.reference, "--reference")
        xe, me = table["extra"]
        rate = len(md) / len(me)
        mult = np.stack([np.random.default_rng(derive_seed(cfg["seed"], args.study,
                                                           "scan reference", i))
                         .poisson(rate, len(me)) for i in ids])
        fits, best = scan_methods.run_scans(xe, me, mult, [f"reference {i}" for i in ids], wins,
                                            sc["methods"], sc["efficiencies"], edges, **kw)
        z = z_table(fits)
        result = {**common, "reference_ids": ids, "rate": rate, "n_extra": int(len(me)),
                  "n_data": int(len(md)), "z": z, "best_epoch_mean": float(best.mean()),
                  "n_failed_fits": int(sum(v is None for a in z for b in a for c in b for v in c))}
        label = f"reference {args.reference}"
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result))
    print(f"scan {args.study} {label}: done")


if __name__ == "__main__":
    _bootstrap.run(main)
