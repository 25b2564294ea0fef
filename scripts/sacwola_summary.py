"""results/sacwola/summary.json: classifier performance and the lambda scan as mean, std
and standard error over repetitions, the bump-hunt significances per repetition summary,
and each statement of the SA-CWoLa paper decided against its statistical error
(radflow.stats.claims). Failed fits count the same way for every method: as failed, with no
number."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.sacwola import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--with-signal", nargs="+", required=True, help="metrics JSON per repetition")
    ap.add_argument("--background-only", nargs="+", required=True, help="metrics JSON per repetition")
    ap.add_argument("--fits", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    sig, bkg = ([json.loads(open(p).read()) for p in paths]
                for paths in (args.with_signal, args.background_only))
    with open(args.fits) as f:
        fits = json.load(f)
    result = summary.build(sig, bkg, fits)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v["verdict"] for k, v in result["statements"].items()}))
    print("AUC", {k: round(v["mean"], 3) for k, v in result["auc"].items()})


if __name__ == "__main__":
    _bootstrap.run(main)
