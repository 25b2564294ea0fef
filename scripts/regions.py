"""Write results/{study}/regions/{sample}.h5: SR/SB/long-SB/fit masks and the alpha-shifted
jet masses of one sample in one study (the train/test split is per repetition: the inject
rule's). Fails, writing nothing,
if a background sample (data, sim) has no events in the SR or in a sideband window."""

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, regions


def main(argv=None):
    ap = cli.study_parser(__doc__)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    study = cfg["studies"][args.study]
    feats = h5io.read_columns(args.features, ["mjj", "mj1", "mj2"])
    regions.check_regions(feats["mjj"], study, args.study, args.sample, args.features)
    cols = regions.region_columns(feats, study)
    h5io.write_columns(args.output, cols, attrs={"study": args.study, "sample": args.sample,
                                               "alpha": float(study["alpha"])})
    print(f"{args.study}/{args.sample}: SR {cols['sr'].sum()}, SB {cols['sb'].sum()}, "
          f"fit range {cols['fit'].sum()} of {len(cols['sr'])}")


if __name__ == "__main__":
    _bootstrap.run(main)
