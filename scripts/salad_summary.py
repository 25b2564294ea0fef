"""results/salad/summary.json: the SALAD paper's Fig. 8 metrics per S/B and line (mean, std
and standard error over repetitions, each repetition the mean over its classifiers), the
Fig. 9 background estimate (eq. 2.4, one classifier trained without signal), the DCTR
closure, and each paper statement decided against its statistical error
(radflow.stats.claims)."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.salad import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--metrics", nargs="+", required=True, help="salad_lines metric files")
    ap.add_argument("--background-only-scores", required=True, help="scores of sb0_rep0")
    ap.add_argument("--closure", required=True, help="closure.json of the dctr_closure rule")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    runs = []
    for p in args.metrics:
        with open(p) as f:
            runs.append(json.load(f))
    with open(args.closure) as f:
        closure = json.load(f)
    sc = h5io.read_columns(args.background_only_scores)
    norm = h5io.read_attrs(args.background_only_scores)["sideband_norm"]
    result = summary.build(runs, closure, sc, norm)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v["verdict"] for k, v in result["statements"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
