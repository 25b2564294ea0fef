"""Write results/{study}/inject/{injection}.h5: the data quarters (-1 test, 0 search data,
1 independent data) and the mask of injected signal events for one (S/B, repetition)."""
import argparse

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import config as cfgmod, inject, io


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--study", required=True)
    ap.add_argument("--injection", required=True, help="e.g. sb0.01_rep0")
    ap.add_argument("--data-regions", required=True)
    ap.add_argument("--signal-regions", required=True)
    ap.add_argument("--signal-name", default="sig_xy")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cfgmod.load(args.config)
    sb, rep = inject.parse(args.injection)
    d = io.read_columns(args.data_regions, ["sr", "test"])
    s = io.read_columns(args.signal_regions, ["sr"])
    quarter = inject.data_quarter(d["test"], cfg["seed"], args.study)
    n_bkg = int((d["sr"] & (quarter == 0)).sum())
    mask = inject.draw(s["sr"], n_bkg, sb, cfg["seed"], args.study, rep, args.signal_name)
    io.write_columns(args.output, {"quarter": quarter, "injected": mask},
                     attrs={"sb": sb, "rep": rep, "n_background_sr": n_bkg,
                            "n_injected_sr": int((mask & s["sr"]).sum())})
    print(f"{args.injection}: {int((mask & s['sr']).sum())} signal events injected in the SR "
          f"over {n_bkg} background events ({mask.sum()} in total)")


if __name__ == "__main__":
    main()
