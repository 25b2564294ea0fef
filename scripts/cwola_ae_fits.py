"""Evaluation and bump hunts of one run of a CWoLa-vs-autoencoder study (paper Secs. 4-5).

Per S/B benchmark and method (CWoLa Hunting, autoencoder): in the SR, the evaluation signal
(test half, never injected) against the SR data: AUC, SIC curve, max SIC (over thresholds
keeping >= radflow.ml.metrics.MIN_BACKGROUND data events) and its efficiencies, SIC at
fixed signal efficiencies. Then the bump hunt on the data with the benchmark's injected signal, after
cuts keeping fixed fractions of all SR events, the x% most signal-like (the SIC-optimal
fraction, chosen with the evaluation signal as the paper chooses it, and the configured
``cuts.selected_fractions``; thresholds are quantiles of all SR events, applied at all mjj;
the truth only reports what a cut kept): the dijet function fit outside the SR
bins of the log binning, the SR prediction with its uncertainty and Z of the SR excess
(from pseudo-experiments below 20 expected events, where a Z at the toys' reach, 3.72, is
flagged ``z_capped``: a lower bound).
Also the background-only fit without cut, with its KS test (E11). Writes
results/{study}/fits/run{r}.json."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject, regions
from radflow.methods import cwola_hunting
from radflow.ml import metrics
from radflow.seeds import derive_seed
from radflow.stats import bump_hunt, fit as stats, significance

#: Points of the stored SIC curves (log-spaced in eB).
CURVE_POINTS = 60
#: KS pseudo-experiments of the background-only fit.
KS_TOYS = 200
#: The largest Z that bump_hunt's pseudo-experiments can give: norm.isf(1 / (N_TOYS + 1)).
Z_TOY_CAP = significance.z_of_p(1.0 / (bump_hunt.N_TOYS + 1))


def evaluation(scores, labels, signal_efficiencies) -> dict:
    """SR metrics of one method: ``labels`` (N,) True for evaluation signal, False for SR
    data; ``scores`` (N,)."""
    fpr, tpr, _ = metrics.roc_curve(labels, scores)
    n_bkg = int((~labels).sum())
    best, eff_s, eff_b = metrics.max_sic_reliable(labels, scores, **metrics.SIC_DEFINITIONS["cwola_ae"])
    grid = np.geomspace(metrics.MIN_BACKGROUND / n_bkg, 1.0, CURVE_POINTS)
    at = np.searchsorted(fpr, grid).clip(0, len(fpr) - 1)
    return {"auc": metrics.roc_auc(labels, scores), "n_signal": int(labels.sum()),
            "n_background": n_bkg, "max_sic": best, "eff_s_at_max": eff_s, "eff_b_at_max": eff_b,
            "sic_at_eff_s": {f"{e:g}": float(metrics.sic_at_tpr(labels, scores, e))
                             for e in signal_efficiencies},
            "curve": {"eff_b": fpr[at].tolist(), "eff_s": tpr[at].tolist()}}


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--cwola", nargs="+", required=True,
                    help="the run's CWoLa Hunting score files (one per training job)")
    ap.add_argument("--autoencoder", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    cuts = st["cuts"]
    att = h5io.read_attrs(args.injection)
    rank = h5io.read_columns(args.injection, ["signal_rank"])["signal_rank"]
    cw, ae = cwola_hunting.read_scores(args.cwola), h5io.read_columns(args.autoencoder)
    name = st["samples"]["signal"]
    if f"score_{name}" not in ae:
        raise SystemExit(f"cwola_ae_fits: {args.autoencoder} has no scores of signal '{name}'")
    ae_score = np.concatenate([ae["score_data"], ae[f"score_{name}"]])
    if not np.array_equal(cw["mjj"], np.concatenate([ae["mjj_data"], ae[f"mjj_{name}"]])):
        raise SystemExit(f"cwola_ae_fits: {args.cwola[0]} and {args.autoencoder} hold different "
                         "events (rerun both from the same regions)")
    b = st["binning"]
    edges = regions.log_bins(st["fit_range"], b["n_bins"])
    sr_mask = bump_hunt.sr_bins(edges, st["signal_region"])
    is_sig, sr = cw["is_signal"].astype(bool), cw["sr"].astype(bool)
    inj_rank = cwola_hunting.injected_rank({"signal_index": cw["signal_index"]}, rank)
    labels_sel = sr & (~is_sig | cw["evaluation"].astype(bool))
    labels = is_sig[labels_sel]
    data = ~is_sig
    n_bkg_sr = int((data & sr).sum())

    background = bump_hunt.fit_spectrum(cw["mjj"][data], edges, sr_mask)
    if background["converged"]:
        res = stats.fit_sidebands(background["counts"], edges, ~sr_mask)
        background["ks"] = stats.ks_test(background["counts"], res, KS_TOYS,
                                         derive_seed(cfg["seed"], args.study, "ks", att["run"]))

    missing = [j for j in range(len(att["benchmarks"])) if f"score_b{j}" not in cw]
    if missing:
        raise SystemExit(f"cwola_ae_fits: the score files {args.cwola} have no CWoLa Hunting "
                         f"scores of benchmarks {missing} of {args.injection}")
    benchmarks = []
    for j, (sb, n_inj, n_sr_sig) in enumerate(zip(att["benchmarks"], att["n_injected"],
                                                   att["n_sr_signal"])):
        injected = is_sig & (inj_rank >= 0) & (inj_rank < n_inj)
        use = data | injected
        entry = {"sb_paper": float(sb), "n_injected": int(n_inj), "n_injected_sr": int(n_sr_sig),
                 "sb": n_sr_sig / n_bkg_sr, "significance_naive": n_sr_sig / np.sqrt(n_bkg_sr),
                 "methods": {}}
        for method, scores in (("cwola", cw[f"score_b{j}"]), ("autoencoder", ae_score)):
            ev = evaluation(scores[labels_sel], labels, cuts["signal_efficiencies"])
            # The paper's SIC-optimal cut keeps the fraction of SR events that the evaluation's
            # best threshold keeps of the SR data; the others are configured fractions.
            effs = [ev["eff_b_at_max"]] + list(cuts["selected_fractions"])
            fits = bump_hunt.scan(cw["mjj"][use], scores[use], sr[use], effs, edges, sr_mask,
                                  what=f"{args.study} {method} S/B {sb:g}",
                                  injected=injected[use],
                                  seed=derive_seed(cfg["seed"], args.study, method, j, att["run"]))
            for f, cut in zip(fits, ["sic_optimal"] + [f"{e:g}" for e in effs[1:]]):
                f["cut"] = cut
                # A toy-based Z with no toy as extreme is a lower bound (the toys' reach).
                f["z_capped"] = bool(f["converged"] and f["z_method"] == "toys"
                                     and f["z"] >= Z_TOY_CAP - 1e-9)
            entry["methods"][method] = {"evaluation": ev, "fits": fits}
        benchmarks.append(entry)
        print(f"S/B {sb:g}: " + "; ".join(
            f"{m} AUC {v['evaluation']['auc']:.3f} Z " + " ".join(
                "fail" if not f["converged"] else f"{f['z']:.2f}" for f in v["fits"])
            for m, v in entry["methods"].items()))
    out = {"study": args.study, "signal": st["samples"]["signal"], "run": int(att["run"]),
           "repetition_seeds": inject.repetition_seeds(args.injection),
           "edges": edges.tolist(), "sr_bins": sr_mask.tolist(),
           "signal_region": st["signal_region"], "sidebands": st["sidebands"],
           "n_background_sr": n_bkg_sr, "z_toy_cap": Z_TOY_CAP,
           "reference_sr_background": st["injection"]["reference_sr_background"],
           "scaling": st["injection"]["scaling"], "min_background": metrics.MIN_BACKGROUND,
           "background_fit": background, "benchmarks": benchmarks}
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    _bootstrap.run(main)
