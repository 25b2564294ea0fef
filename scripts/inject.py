"""Write results/{study}/inject/{injection}.h5: the data quarters (-1 test, 0 search data,
1 independent data), the mask of signal events injected into the train half (``injected``)
and, for fixed-count injections, into the test half (``injected_test``)."""

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow import cli, inject


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--injection", required=True, help="e.g. sb0.01_rep0 or nsig1500_rep0")
    ap.add_argument("--data-regions", required=True)
    ap.add_argument("--signal-regions", required=True)
    ap.add_argument("--signal-name", default="sig_xy")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    kind, value, rep = inject.parse(args.injection)
    d = h5io.read_columns(args.data_regions, ["sr", "test"])
    s = h5io.read_columns(args.signal_regions, ["sr", "test"])
    if kind == "sb":
        quarter = inject.data_quarter(d["test"], cfg["seed"], args.study, rep)
    else:                       # the whole train half is the search data
        quarter = np.where(d["test"], -1, 0).astype(np.int8)
    n_bkg = int((d["sr"] & (quarter == 0)).sum())
    if kind == "sb":
        injected = inject.draw(s["sr"], n_bkg, value, cfg["seed"], args.study, rep, args.signal_name)
        injected_test = np.zeros_like(injected)
    else:
        conf = cfg["studies"][args.study]["injection"]
        n = inject.scaled_count(value, len(d["sr"]), conf["reference_events"], conf["scaling"])
        drawn = inject.draw_count(len(s["sr"]), n, cfg["seed"], args.study, rep, args.signal_name)
        injected, injected_test = drawn & ~s["test"], drawn & s["test"]
    attrs = {"kind": kind, "value": value, "rep": rep, "n_background_sr": n_bkg,
             "n_injected": int(injected.sum()), "n_injected_sr": int((injected & s["sr"]).sum()),
             "n_injected_test": int(injected_test.sum())}
    h5io.write_columns(args.output, {"quarter": quarter, "injected": injected,
                                   "injected_test": injected_test}, attrs=attrs)
    print(f"{args.injection}: {attrs}")


if __name__ == "__main__":
    main()
