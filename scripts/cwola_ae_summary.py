"""results/cwola_ae/summary.json: per signal (study), S/B benchmark and method (CWoLa
Hunting, autoencoder), the median and MAD over runs of the AUC, max SIC, SIC at fixed signal
efficiencies and the SR-excess significance Z after each cut (a failed fit is reported as
failed: counted, never a number); the background-only fits' KS p-values; the autoencoder's
model selection (FVU and max SIC vs latent size and hidden width); and each statement of the
CWoLa-vs-autoencoder paper decided against its statistical error (radflow.stats.claims:
mean and standard error over runs)."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.cwola_ae import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fits", nargs="+", required=True)
    ap.add_argument("--model-selection", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    fits = [json.loads(open(p).read()) for p in args.fits]
    out = summary.build(fits, json.loads(open(args.model_selection).read()))
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(out, indent=1))
    for k, st in out["statements"].items():
        print(f"{k}: {st['verdict']}")


if __name__ == "__main__":
    _bootstrap.run(main)
