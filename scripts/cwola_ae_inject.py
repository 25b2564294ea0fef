"""One run (repetition) of a CWoLa-vs-autoencoder study (radflow.inject.repetition_samples):
the run's data draw and the signal's train/test split, the seeded draw order of the
train-half signal events (``signal_rank``) and, per S/B benchmark (quoted at the paper's
statistics), how many of them are injected (radflow.methods.cwola_hunting). Attributes: the
counts and the seeds (JSON). Writes results/{study}/inject/run{r}.h5, read with
radflow.inject.load_repetition."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.methods import cwola_hunting


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--run", type=int, required=True)
    ap.add_argument("--regions", nargs=3, action="append", required=True,
                    metavar=("ROLE", "SAMPLE", "REGIONS_H5"),
                    help="a sample of the study: its role, name and regions file (repeat)")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    conf = st["injection"]
    reg = {role: h5io.read_columns(path, ["sr", "fit"]) for role, _, path in args.regions}
    missing = {"data", inject.SIGNAL_ROLE} - set(reg)
    if missing:
        raise SystemExit(f"cwola_ae_inject: no --regions for role(s) {sorted(missing)} of "
                         f"studies.{args.study}.samples")
    pools = {role: (name, len(reg[role]["sr"])) for role, name, _ in args.regions}
    cols, seeds = inject.repetition_samples(pools, args.study, args.run, cfg["seed"],
                                            conf["background_fraction"], st["test_fraction"])
    d = {k: v[cols["data_index"]] for k, v in reg["data"].items()}
    s, s_test = reg[inject.SIGNAL_ROLE], cols["signal_test"]
    n_bkg_sr = int((d["sr"] & d["fit"]).sum())
    rank = cwola_hunting.signal_order(~s_test & s["fit"], cfg["seed"], args.study, args.run)
    seeds["injection"] = inject.injection_seed(cfg["seed"], args.study, args.run)
    targets, taken = [], []
    try:
        for sb in conf["sb"]:
            targets.append(cwola_hunting.sr_target(sb, n_bkg_sr, conf["reference_sr_background"],
                                                   conf["scaling"]))
            taken.append(cwola_hunting.n_taken(rank, s["sr"], targets[-1],
                                               st["samples"]["signal"], sb))
    except inject.InjectionError as err:
        raise SystemExit(f"cwola_ae_inject: {dict((r, p) for r, _, p in args.regions)}: "
                         f"{err}") from None
    attrs = {"run": args.run, "benchmarks": np.asarray(conf["sb"], float),
             "n_sr_signal": np.asarray(targets), "n_injected": np.asarray(taken),
             "n_background_sr": n_bkg_sr, "n_data": len(d["sr"]),
             "background_fraction": float(conf["background_fraction"]),
             "test_fraction": float(st["test_fraction"])}
    cols["signal_rank"] = rank
    inject.write_repetition(args.output, cols, pools, seeds, attrs)
    for sb, t, k in zip(conf["sb"], targets, taken):
        print(f"S/B (paper) {sb:g}: {t} SR signal events ({k} injected), S/sqrt(B) = "
              f"{t / np.sqrt(n_bkg_sr):.2f}")


if __name__ == "__main__":
    _bootstrap.run(main)
