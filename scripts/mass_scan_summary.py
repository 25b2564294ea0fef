"""Local and global significance of a study's mass-hypothesis scan (radflow.stats.mass_scan).

From results/{study}/scan/observed.json (one scan per training seed), the pseudo-experiment
blocks toys*.json and the reference blocks reference*.json: per seed and as median with the
spread over seeds, the local Z and p of every method, window and efficiency, the largest
local Z, the global p-value and Z with their binomial error and the Gross-Vitells
cross-check; the number of pseudo-experiments that 10% relative error at Z_global = 2 needs;
the calibration (reference experiments' global p-values: coverage and KS); the statements
(radflow.studies.mass_scan.summary). Writes results/{study}/scan/summary.json."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.mass_scan import summary


def read(path):
    """JSON of ``path`` (a list of them for a list); SystemExit naming a bad file."""
    if isinstance(path, list):
        return [read(p) for p in path]
    try:
        return json.loads(open(path).read())
    except (OSError, json.JSONDecodeError) as err:
        raise SystemExit(f"mass_scan_summary: cannot read {path}: {err}") from None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--observed", required=True)
    ap.add_argument("--toys", nargs="+", required=True)
    ap.add_argument("--n-pseudo", type=int, required=True)
    ap.add_argument("--reference", nargs="+", default=[], help="reference blocks")
    ap.add_argument("--n-reference", type=int, default=0)
    ap.add_argument("--gv-level", type=float, required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    obs, blocks, reference = (read(p) for p in (args.observed, args.toys, args.reference))
    if "seeds" not in obs:
        raise SystemExit(f"mass_scan_summary: {args.observed} has no 'seeds' (an observed scan "
                         "from before training seeds; rerun rule mass_scan_observed)")
    result = summary.build(obs, blocks, args.n_pseudo, args.gv_level, reference, args.n_reference)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    o, glob, cc = result["observed"], result["global"], result["cross_check"]
    print(f"max local Z {o['max_local_z']:.2f} (median of {o['n_seeds']} seeds, MAD "
          f"{o['max_local_z_spread']['mad']:.2f}; {o['method']}, {o['window']}, eff "
          f"{o['efficiency']}); global p {glob['pvalue']:.4g} +- {glob['pvalue_error']:.2g} "
          f"(binomial), MAD over seeds {glob['seed_spread']['mad']:.2g}, Z {glob['z']:.2f}; "
          f"Gross-Vitells p {cc['gross_vitells']['pvalue']:.4g} vs toys {cc['toys']['pvalue']:.4g}")
    print({k: v["verdict"] for k, v in result["statements"].items()})


if __name__ == "__main__":
    _bootstrap.run(main)
