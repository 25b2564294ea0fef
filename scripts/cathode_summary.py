"""results/cathode/summary.json: AUC, max SIC and SIC at 50% signal efficiency of supervised,
idealized AD, CATHODE, CWoLa and ANODE per injected signal count (mean, std and standard error
over repetitions), the flow template's quality at n_sig = 0, flow training times, and each
statement of the CATHODE paper decided against its statistical error (radflow.stats.claims).
Ratios and differences between methods are formed per repetition (same test set and signal
draw) before their spread is taken."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.cathode import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--classifiers", nargs="+", required=True)
    ap.add_argument("--flows", nargs="+", required=True)
    ap.add_argument("--shift-classifiers", nargs="*", default=[])
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    runs, shift = summary.load(args.classifiers), summary.load(args.shift_classifiers)
    flows = [json.loads(open(p).read()) for p in args.flows]
    result = summary.build(runs, shift, flows)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v["verdict"] for k, v in result["statements"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
