"""Write results/{study}/inject/{injection}.h5, one repetition of a study
(radflow.inject.repetition_samples): per sample role the pool indices of the repetition's
events (``{role}_index``) and their train/test split (``{role}_test``); the data quarters
(``data_quarter``: -1 test, 0 search data, 1 independent data); the signal injected into the
train half (``signal_injected``) and, for fixed-count injections, into the test half
(``signal_injected_test``). Attributes: counts, the background fraction and the seeds of the
background draws, splits, quarters and signal draw (JSON). Read with
radflow.inject.load_repetition."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--injection", required=True, help="e.g. sb0.01_rep0 or nsig1500_rep0")
    ap.add_argument("--regions", nargs=3, action="append", required=True,
                    metavar=("ROLE", "SAMPLE", "REGIONS_H5"),
                    help="a sample of the study: its role, name and regions file (repeat)")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    conf = st["injection"]
    kind, value, rep = inject.parse(args.injection)
    sr = {role: h5io.read_columns(path, ["sr"])["sr"] for role, _, path in args.regions}
    missing = {"data", inject.SIGNAL_ROLE} - set(sr)
    if missing:
        raise SystemExit(f"inject: no --regions for role(s) {sorted(missing)} of "
                         f"studies.{args.study}.samples")
    pools = {role: (name, len(sr[role])) for role, name, _ in args.regions}
    cols, seeds = inject.repetition_samples(pools, args.study, rep, cfg["seed"],
                                            conf["background_fraction"], st["test_fraction"])
    d_sr = sr["data"][cols["data_index"]]
    s_sr, s_test = sr[inject.SIGNAL_ROLE], cols["signal_test"]
    signal_name = pools[inject.SIGNAL_ROLE][0]
    if kind == "sb":
        quarter = inject.data_quarter(cols["data_test"], cfg["seed"], args.study, rep)
        seeds["quarter"] = inject.quarter_seed(cfg["seed"], args.study, rep)
    else:                       # the whole train half is the search data
        quarter = np.where(cols["data_test"], -1, 0).astype(np.int8)
    n_bkg = int((d_sr & (quarter == 0)).sum())
    try:
        if kind == "sb":
            injected = inject.draw(s_sr, n_bkg, value, cfg["seed"], args.study, rep, signal_name)
            injected_test = np.zeros_like(injected)
            seeds["injection"] = inject.injection_seed(cfg["seed"], args.study, rep)
        else:
            n = inject.scaled_count(value, len(d_sr), conf["reference_events"], conf["scaling"])
            drawn = inject.draw_count(len(s_sr), n, cfg["seed"], args.study, rep, signal_name)
            injected, injected_test = drawn & ~s_test, drawn & s_test
            seeds["injection"] = inject.injection_seed(cfg["seed"], args.study, rep, n)
    except inject.InjectionError as err:
        raise SystemExit(f"inject: studies.{args.study}.injection, {args.injection}: {err}") from None
    cols.update(data_quarter=quarter, signal_injected=injected, signal_injected_test=injected_test)
    attrs = {"kind": kind, "value": value, "rep": rep, "n_background_sr": n_bkg,
             "n_data": len(d_sr), "background_fraction": float(conf["background_fraction"]),
             "test_fraction": float(st["test_fraction"]),
             "n_injected": int(injected.sum()), "n_injected_sr": int((injected & s_sr).sum()),
             "n_injected_test": int(injected_test.sum())}
    inject.write_repetition(args.output, cols, pools, seeds, attrs)
    print(f"{args.injection}: {attrs}; seeds {seeds}")


if __name__ == "__main__":
    _bootstrap.run(main)
