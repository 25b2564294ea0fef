"""Figures D2-D14 of the complementarity study (arXiv 2307.11157, Figs. 2, 4-14), drawn by
radflow.studies.complementarity.figures (one function per figure) from the study's summary
and, where events are shown, its scores, synthetic and multiclass files.

D2 SIC vs eS of the four methods at the largest n_sig. D3 synthetic-sample marginals vs the
true SR background with ratio panels and the per-feature KS table (n_sig = 0, lowest
repetition). D5 single-run AUCs at n_sig = 0 vs the truth-vs-truth spread. D6 standardized
background-score scatter per method pair with Pearson r (n_sig = 0). D7 top-p overlap excess
of background events (n_sig = 0). D8 multiclass log posterior. D9/D10 score scatter of
background / signal events and D11/D12 their top-p overlaps at the largest n_sig. D13 max SIC
and SIC at rejection 1e3 vs n_sig, one column per common classifier (nn, hgb) with the
noise-feature variants and the paper's medians. D14 SIC vs eS and vs rejection at the n_sig
nearest 750. Bands: median and 68% over repetitions x generators x ensembled scores. All but
D13 use the summary's primary classifier variant (nn); scatters use repetition 0's (the
lowest) generator 0 and first ensembled score."""
import argparse
import json
from pathlib import Path

import _bootstrap  # sys.path, job header, run()
from radflow import h5io, inject, plotting
from radflow.stats import complementarity as cs
from radflow.studies.complementarity import figures, summary as comp_summary


def first_ensembled(paths, methods) -> tuple[dict, object]:
    """({method: ensembled score (N,) of generator 0 and the first ``ensemble`` runs},
    is_signal (N,)) of the part files of one injection and classifier variant."""
    attrs, is_signal, data = comp_summary.read_score_parts(paths)
    size = int(attrs.get("ensemble", 1))
    try:
        scores = {m: cs.ensembled(data[m][:1, :size], size)[0, 0] for m in methods if m in data}
    except ValueError as err:
        raise h5io.InputError(f"{paths[0]}: {err}") from err
    return scores, is_signal


def pick(paths, n_sig, variant):
    """The parts of the scores of the lowest repetition at ``n_sig`` and classifier
    ``variant``: (repetition, [part paths]), or (None, None)."""
    found = sorted((inject.parse(inj)[2], parts)
                   for (inj, v), parts in comp_summary.score_groups(paths).items()
                   if int(inject.parse(inj)[1]) == n_sig and v == variant)
    return found[0] if found else (None, None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True, help="results/{study}/summary.json")
    ap.add_argument("--scores", nargs="+", required=True,
                    help="scores files {injection}_{variant}.h5 (all, or at least n_sig = 0 and the "
                         "largest n_sig of the primary variant)")
    ap.add_argument("--synthetic", nargs="+", required=True,
                    help="synthetic samples {injection}_{method}.h5 at n_sig = 0 (D3 uses the lowest "
                         "repetition)")
    ap.add_argument("--multiclass", nargs="+", required=True, help="multiclass {injection}.json files")
    for fid in (2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14):
        ap.add_argument(f"--d{fid}", nargs="+", required=True, metavar="PATH",
                        help=f"output(s) of D{fid} (.png, .pdf)")
    args = ap.parse_args(argv)
    s = json.loads(Path(args.summary).read_text())
    variant = s["primary_variant"]
    table = s["per_variant"][variant]
    ns = sorted(int(n) for n in table["n_sig"])
    n_max, n_750 = ns[-1], min(ns, key=lambda n: (abs(n - 750), n))
    methods = s["methods"]

    plotting.save(figures.sic_vs_efficiency(table, n_max), args.d2)

    rep, truth_parts = pick(args.scores, 0, variant)
    if truth_parts is None:
        raise h5io.InputError(f"no scores file of nsig0 and classifier {variant} among --scores")
    synthetic = {suffix: h5io.read_columns(p, [*s["features"], "mjj", "weight"])
                 for p in args.synthetic
                 for _, n, r, suffix in [comp_summary.file_label(p, "synthetic")]
                 if n == 0 and r == rep}
    if not synthetic:
        raise h5io.InputError(f"no synthetic sample of nsig0_rep{rep} among --synthetic")
    truth = comp_summary.truth_background(truth_parts[0], [*s["features"], "mjj"])
    plotting.save(figures.marginals(synthetic, truth, s["features"], s["ks"], rep), args.d3)

    plotting.save(figures.auc_at_zero(table), args.d5)
    plotting.save(figures.multiclass([json.loads(Path(p).read_text()) for p in sorted(args.multiclass)]),
                  args.d8)

    for n, drawn in ((0, [("D6", "background", args.d6), ("D7", "background", args.d7)]),
                     (n_max, [("D9", "background", args.d9), ("D10", "signal", args.d10),
                              ("D11", "background", args.d11), ("D12", "signal", args.d12)])):
        _, path = pick(args.scores, n, variant)
        if path is None:
            raise h5io.InputError(f"no scores file of nsig{n} and classifier {variant} among --scores")
        scores, is_signal = first_ensembled(path, methods)
        for fid, which, out in drawn:
            if fid in ("D6", "D9", "D10"):
                pearson = table["pearson"].get(which, {}).get(str(n))
                fig = figures.score_scatter(scores, is_signal, which, fid, n, pearson)
            else:
                fig = figures.overlap_excess(table, which, fid, n)
            plotting.save(fig, out)

    plotting.save(figures.metrics_vs_nsig(s["per_variant"], s["reference"],
                                                       s["n_test"]["background"]), args.d13)
    plotting.save(figures.sic_curves(table, n_750), args.d14)


if __name__ == "__main__":
    _bootstrap.run(main)
