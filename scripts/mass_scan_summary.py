"""Local and global significance of a study's mass-hypothesis scan (radflow.stats.mass_scan).

From results/{study}/scan/observed.json and the pseudo-experiment blocks toys*.json: the
local Z and p of every method, window and efficiency; the test statistic (largest local Z)
of the data and of each background-only pseudo-experiment; the global p-value and Z with
their binomial error and the number of pseudo-experiments that 10% relative error at
Z_global = 2 needs; the Gross-Vitells cross-check along the windows at the method and
efficiency of the largest local Z, against the pseudo-experiments' global p-value of that
curve alone; the uniformity (KS) of the pseudo-experiments' own global p-values (leave one
out); and whether the most significant window holds the injected signal. Writes
results/{study}/scan/summary.json."""
import argparse
import json

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow.studies.mass_scan import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--observed", required=True)
    ap.add_argument("--toys", nargs="+", required=True)
    ap.add_argument("--n-pseudo", type=int, required=True)
    ap.add_argument("--gv-level", type=float, required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    obs = json.loads(open(args.observed).read())
    blocks = [json.loads(open(p).read()) for p in args.toys]
    result = summary.build(obs, blocks, args.n_pseudo, args.gv_level)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    o, glob, cc = result["observed"], result["global"], result["cross_check"]
    print(f"max local Z {o['max_local_z']:.2f} ({o['method']}, {o['window']}, eff {o['efficiency']}); "
          f"global p {glob['pvalue']:.4g} +- {glob['pvalue_error']:.2g}, Z {glob['z']:.2f}; "
          f"Gross-Vitells p {cc['gross_vitells']['pvalue']:.4g} vs toys {cc['toys']['pvalue']:.4g}")


if __name__ == "__main__":
    main()
