"""results/{study}/summary.json of the complementarity study (arXiv 2307.11157): per
classifier variant, method (SALAD, CATHODE, CURTAINs, FETA, both combinations, truth) and
n_sig the max SIC, SIC at rejection 1e3 and AUC per repetition (median over generators x
ensembled scores) with the figures' 68% bands, SIC curves, score correlations, top-p
overlaps, single-run AUCs at n_sig = 0, the per-feature KS table and the multiclass log
posteriors; and each statement of the paper decided against its error over independent
repetitions (radflow.stats.claims). The true SR background is the scores files' test set."""
import argparse
import json

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.studies.complementarity import summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scores", nargs="+", required=True,
                    help="scores files {injection}_{variant}.h5 of all injections and variants")
    ap.add_argument("--synthetic", nargs="*", default=[],
                    help="synthetic samples {injection}_{method}.h5 (those at n_sig = 0 make the KS table)")
    ap.add_argument("--multiclass", nargs="*", default=[], help="multiclass {injection}.json files")
    ap.add_argument("--records", nargs="*", default=[],
                    help="the synthetic jobs' records {injection}_{method}.json (generator cost)")
    ap.add_argument("--config-json", required=True,
                    help="the config subset as JSON (reads studies.<study>.features)")
    ap.add_argument("--study", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = json.loads(args.config_json)
    result = summary.build(args.scores, args.synthetic, args.multiclass,
                           cfg["studies"][args.study]["features"])
    result["generator_cost"] = summary.generator_cost(
        [json.loads(open(p).read()) for p in args.records])
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v["verdict"] for k, v in result["statements"].items()}))


if __name__ == "__main__":
    _bootstrap.run(main)
