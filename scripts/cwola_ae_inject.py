"""Signal benchmarks of one run of a CWoLa-vs-autoencoder study: the seeded draw order of the
train-half signal events (``rank``) and, per S/B benchmark (quoted at the paper's statistics),
how many of them are injected (radflow.methods.cwola_hunting). Writes
results/{study}/inject/run{r}.h5."""
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io, inject
from radflow.methods import cwola_hunting


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--run", type=int, required=True)
    ap.add_argument("--data-regions", required=True)
    ap.add_argument("--signal-regions", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    conf = st["injection"]
    d = h5io.read_columns(args.data_regions, ["sr", "fit"])
    s = h5io.read_columns(args.signal_regions, ["sr", "fit", "test"])
    n_bkg_sr = int((d["sr"] & d["fit"]).sum())
    rank = cwola_hunting.signal_order(~s["test"] & s["fit"], cfg["seed"], args.study, args.run)
    targets, taken = [], []
    try:
        for sb in conf["sb"]:
            targets.append(cwola_hunting.sr_target(sb, n_bkg_sr, conf["reference_sr_background"],
                                                   conf["scaling"]))
            taken.append(cwola_hunting.n_taken(rank, s["sr"], targets[-1],
                                               st["samples"]["signal"], sb))
    except inject.InjectionError as err:
        raise SystemExit(f"cwola_ae_inject: {args.signal_regions}: {err}") from None
    attrs = {"run": args.run, "benchmarks": np.asarray(conf["sb"], float),
             "n_sr_signal": np.asarray(targets), "n_injected": np.asarray(taken),
             "n_background_sr": n_bkg_sr}
    h5io.write_columns(args.output, {"rank": rank}, attrs=attrs)
    for sb, t, k in zip(conf["sb"], targets, taken):
        print(f"S/B (paper) {sb:g}: {t} SR signal events ({k} injected), S/sqrt(B) = "
              f"{t / np.sqrt(n_bkg_sr):.2f}")


if __name__ == "__main__":
    main()
