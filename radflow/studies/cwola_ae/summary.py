"""The CWoLa-vs-autoencoder summary (results/cwola_ae/summary.json) from its inputs.

- :func:`per_benchmark`: per study (signal), S/B benchmark and method (CWoLa Hunting,
  autoencoder) the AUC, max SIC, background efficiency at max SIC, SIC at fixed signal
  efficiencies (dimensionless) and the SR-excess significance Z (standard deviations) after
  each cut, each a :func:`radflow.stats.claims.robust` over runs (median and MAD, mean and
  standard error; a failed fit is counted in n_failed, never a number).
- :func:`model_selection`: the autoencoder's FVU (fraction of variance unexplained) per
  hidden width and latent size (spread over ensemble members) with its decrease per added
  latent dimension, and max SIC per latent size.
- :func:`crossing_claim`, :func:`discovery_claim`, :func:`autoencoder_claim`,
  :func:`spurious_claim`, :func:`flattening_claim`: each statement of the CWoLa-vs-autoencoder
  paper decided against its statistical error (radflow.stats.claims: mean and standard error
  over runs).
- :func:`build`: the summary dict written as JSON.
"""
import math

from radflow import inject
from radflow.stats import claims
from radflow.stats.claims import claim, robust

#: The paper's AUC crossing of CWoLa Hunting and the autoencoder (S/B in the SR).
CROSSING_SB = 3e-3
#: 'near': within this factor of CROSSING_SB.
CROSSING_FACTOR = 1.5
#: 'CWoLa Hunting breaches 5 sigma for S/B >~ 4e-3'.
DISCOVERY_SB, DISCOVERY_Z = 4e-3, 5.0
#: 'the AE raises the 500 GeV signal to 2-3 sigma where CWoLa lacks sensitivity'.
EVIDENCE_Z = 2.0
#: 'spurious significance below ~1 sigma at S = 0' (paper 0.89 / 0.56 / 1.06).
SPURIOUS_Z = 1.0
#: Autoencoder model selection: 'FVU flattens after n_latent = 2-3'.
FLATTENS_AFTER = (2, 3)


def any_of(results):
    """True if any result is True, None if none is but some are undecided, else False."""
    results = list(results)
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) or not results else False


def per_benchmark(runs) -> list:
    """[{sb_paper, sb, significance_naive, methods: {m: {auc, max_sic, sic_at_eff_s, z}}}]
    over the runs of one study (errors corrected for the background the runs share)."""
    out, overlap = [], inject.shared_fraction(runs)
    for j, first in enumerate(runs[0]["benchmarks"]):
        entries = [r["benchmarks"][j] for r in runs]
        row = {k: first[k] for k in ("sb_paper", "n_injected_sr", "sb", "significance_naive")}
        row["methods"] = {}
        for m in first["methods"]:
            ev = [e["methods"][m]["evaluation"] for e in entries]
            fits = [e["methods"][m]["fits"] for e in entries]
            row["methods"][m] = {
                "auc": robust([e["auc"] for e in ev], overlap=overlap),
                "max_sic": robust([e["max_sic"] for e in ev], overlap=overlap),
                "eff_b_at_max": robust([e["eff_b_at_max"] for e in ev], overlap=overlap),
                "sic_at_eff_s": {k: robust([e["sic_at_eff_s"][k] for e in ev], overlap=overlap)
                                 for k in ev[0]["sic_at_eff_s"]},
                "z": {f["cut"]: robust([run[i]["z"] if run[i]["converged"] else None
                                        for run in fits],
                                       [run[i].get("z_capped", False) for run in fits], overlap)
                      for i, f in enumerate(fits[0])}}
        out.append(row)
    return out


def auc_crossing(rows) -> dict:
    """S/B where CWoLa's mean AUC overtakes the autoencoder's (linear interpolation between
    benchmarks), with the AUC difference (CWoLa - AE) and its error at each S/B > 0."""
    pts = [(r["sb_paper"], claims.difference(r["methods"]["cwola"]["auc"],
                                             r["methods"]["autoencoder"]["auc"]))
           for r in rows if r["sb_paper"] > 0]
    cross = None
    for (s0, (d0, _)), (s1, (d1, _)) in zip(pts, pts[1:]):
        if d0 < 0 <= d1:
            cross = s0 + (s1 - s0) * (-d0) / (d1 - d0)
    return {"sb_crossing": cross, "difference": [[s, d, e] for s, (d, e) in pts]}


def crossing_claim(rows_by_signal) -> dict:
    measured, results = {}, []
    for signal, rows in rows_by_signal.items():
        c = auc_crossing(rows)
        (s_lo, d_lo, e_lo), (s_hi, d_hi, e_hi) = c["difference"][0], c["difference"][-1]
        near = (None if c["sb_crossing"] is None else
                CROSSING_SB / CROSSING_FACTOR <= c["sb_crossing"] <= CROSSING_SB * CROSSING_FACTOR)
        measured[signal] = {"sb_crossing": c["sb_crossing"],
                            f"auc_cwola_minus_ae_at_{s_lo:g}": [d_lo, e_lo],
                            f"auc_cwola_minus_ae_at_{s_hi:g}": [d_hi, e_hi]}
        ends = [claims.below(d_lo, e_lo, 0.0), claims.above(d_hi, e_hi, 0.0)]
        crossing = None if None in ends else (False if c["sb_crossing"] is None else near)
        results.append(claims.all_of(ends + [crossing]))
    return claim("The AUCs of CWoLa Hunting and the autoencoder cross at S/B ~ 3e-3 (Fig. 3)",
                 measured,
                 f"per signal: the AE's AUC above CWoLa's at the lowest S/B and below it at the "
                 f"highest (each by > {claims.N_SIGMA:g} standard errors over runs), crossing "
                 f"within a factor {CROSSING_FACTOR} of {CROSSING_SB:g}",
                 claims.all_of(results))


def best_cut(z: dict) -> dict:
    """The cut (of SIC-optimal, 1%, 0.1%) with the largest mean Z over runs, its name added
    (the paper's Fig. 7 statements are about what a method reaches with one of them). Only
    cuts with a standard error (>= 2 converged runs) and at most half of their fits failed
    compete; ``capped``: some run's Z is a lower bound (the toys' reach)."""
    cuts = {c: v for c, v in z.items()
            if v["err"] is not None and v["n_failed"] <= v["n"]}
    if not cuts:
        return {"mean": None, "err": None, "n": 0, "cut": None, "capped": False}
    name = max(cuts, key=lambda c: cuts[c]["mean"])
    return dict(cuts[name], cut=name, capped=cuts[name]["n_capped"] > 0)


def reaches(z: dict, bound: float):
    """Z reaches ``bound`` within errors: True / False, or None when the verdict is False
    but some run's Z was only a lower bound (the toys' reach)."""
    verdict = claims.at_least(z["mean"], z["err"], bound)
    return None if verdict is False and z.get("n_capped", z.get("capped", 0)) else verdict


def cut_summary(z: dict) -> dict:
    return {k: z[k] for k in ("mean", "err", "n", "cut", "capped") if k in z}


def discovery_claim(rows_by_signal) -> dict:
    """Per benchmark with S/B >= DISCOVERY_SB: True if some cut's Z reaches 5 within errors,
    undecided if a cut's Z is only a lower bound below it, else False; all benchmarks."""
    measured, results = {}, []
    for signal, rows in rows_by_signal.items():
        for r in rows:
            if r["sb_paper"] >= DISCOVERY_SB - 1e-12:
                zs = r["methods"]["cwola"]["z"]
                measured[f"{signal} S/B {r['sb_paper']:g}"] = cut_summary(best_cut(zs))
                results.append(any_of(reaches(z, DISCOVERY_Z) for z in zs.values()
                                      if z["err"] is not None))
    return claim("CWoLa Hunting raises the SR excess to >= 5 sigma for S/B >~ 4e-3 (Fig. 7)",
                 measured, f"at every S/B >= {DISCOVERY_SB:g}, both signals: Z after one of the "
                 f"three cuts >= {DISCOVERY_Z:g} within {claims.N_SIGMA:g} standard errors (a Z "
                 "at the pseudo-experiments' reach, 3.72, is a lower bound: undecided)",
                 claims.all_of(results))


def autoencoder_claim(rows_by_signal, signals) -> dict:
    """At the benchmarks where CWoLa lacks sensitivity (its best-cut Z below EVIDENCE_Z by
    more than N_SIGMA errors), the AE's best-cut Z: reaches EVIDENCE_Z (within errors) at some
    benchmark for the 500 GeV signal, is never above it (by more than N_SIGMA errors) for the
    300 GeV one."""
    measured, results = {}, []
    for signal in signals:
        weak = []
        for r in rows_by_signal[signal]:
            zc = best_cut(r["methods"]["cwola"]["z"])
            if r["sb_paper"] > 0 and claims.below(zc["mean"], zc["err"], EVIDENCE_Z):
                weak.append((r["sb_paper"], best_cut(r["methods"]["autoencoder"]["z"])))
        measured[signal] = ({f"S/B {sb:g}": cut_summary(z) for sb, z in weak}
                            or "CWoLa not below 2 sigma at any S/B")
        if not weak:
            results.append(None)
        elif "500" in signal:
            results.append(any_of(reaches(z, EVIDENCE_Z) for _, z in weak))
        else:
            results.append(claims.all_of(None if z["err"] is None else
                                         not claims.above(z["mean"], z["err"], EVIDENCE_Z)
                                         for _, z in weak))
    return claim("The autoencoder raises the 500 GeV signal to 2-3 sigma where CWoLa Hunting "
                 "lacks sensitivity, but not the 300 GeV signal (Fig. 7)", measured,
                 f"at the S/B where CWoLa's Z (best of the three cuts) is below {EVIDENCE_Z:g} by "
                 f"> {claims.N_SIGMA:g} errors: the AE's best-cut Z >= {EVIDENCE_Z:g} within "
                 f"errors at some S/B for the 500 GeV signal, never above {EVIDENCE_Z:g} by "
                 f"> {claims.N_SIGMA:g} errors for the 300 GeV one",
                 claims.all_of(results))


def spurious_claim(rows_by_signal) -> dict:
    measured, results = {}, []
    for signal, rows in rows_by_signal.items():
        zero = next(r for r in rows if r["sb_paper"] == 0)
        for m, v in zero["methods"].items():
            for cut, z in v["z"].items():
                measured[f"{signal} {m} {cut}"] = z
                results.append(claims.at_most(z["mean"], z["err"], SPURIOUS_Z))
    return claim("At S = 0 neither method sculpts a significant bump: the spurious "
                 "significance is ~1 sigma or less (paper: AE 0.89 / 0.56 / 1.06 sigma for the "
                 "SIC-based / 1% / 0.1% cuts, CWoLa 0)", measured,
                 f"Z at S = 0 <= {SPURIOUS_Z:g} within {claims.N_SIGMA:g} standard errors, every "
                 "method, cut and signal (failed fits counted in n_failed)",
                 claims.all_of(results))


def model_selection(sel) -> dict:
    """Per hidden width: FVU and its decrease per added latent dimension (mean +- error over
    members), and per signal the max SIC per latent size (members and averaged MSE)."""
    out = {"n_features": sel["n_features"], "members": sel["members"], "hidden": {}}
    for p in sorted(sel["points"], key=lambda p: (p["hidden"], p["latent"])):
        h = out["hidden"].setdefault(str(p["hidden"]), {"latent": [], "fvu": [], "max_sic": {},
                                                         "max_sic_mean_mse": {}})
        h["latent"].append(p["latent"])
        h["fvu"].append(claims.spread(p["fvu"]))
        for sig, v in p["max_sic"].items():
            h["max_sic"].setdefault(sig, []).append(v)
            h["max_sic_mean_mse"].setdefault(sig, []).append(p["max_sic_mean_mse"][sig])
    for h in out["hidden"].values():
        prev = [{"mean": 1.0, "err": 0.0}] + h["fvu"][:-1]      # FVU = 1 without a latent space
        h["fvu_decrease"] = [[a["mean"] - b["mean"], math.hypot(a["err"], b["err"])
                              if a["err"] is not None and b["err"] is not None else None]
                             for a, b in zip(prev, h["fvu"])]
    return out


def flattening_claim(sel) -> dict:
    """With the widest hidden layer: the first latent size whose FVU decrease is not above 1/n
    (the paper: n_latent = 1, 2, 3 add information, beyond that not)."""
    n = sel["n_features"]
    widest = max(sel["hidden"], key=int)
    h = sel["hidden"][widest]
    flat = [lat for lat, (d, e) in zip(h["latent"], h["fvu_decrease"])
            if e is not None and not claims.above(d, e, 1.0 / n)]
    first = min(flat) if flat else None
    undecided = any(e is None for _, e in h["fvu_decrease"])
    return claim("The FVU flattens after n_latent = 2-3: further latent dimensions decrease it "
                 "by no more than 1/n (Figs. 14-15)",
                 {"hidden": int(widest), "first_latent_with_decrease_le_1/n": first,
                  "fvu_decrease": dict(zip(map(str, h["latent"]), h["fvu_decrease"]))},
                 f"hidden = {widest} (widest scanned): the first latent size whose FVU decrease "
                 f"is not above 1/n = {1 / n:.2g} by > {claims.N_SIGMA:g} errors (spread over "
                 "members) is 3 or 4",
                 None if undecided else (first is not None and first - 1 in FLATTENS_AFTER))



def build(fits, selection) -> dict:
    """The summary: ``fits`` the cwola_ae_fits dicts in the order of the config's studies
    (one per study and run), ``selection`` the model-selection dict."""
    by_study = {}
    for r in fits:
        by_study.setdefault(r["signal"], []).append(r)
    signals = list(by_study)             # the order of --fits: the studies sorted by name
    rows = {s: per_benchmark(sorted(runs, key=lambda r: r["run"])) for s, runs in by_study.items()}
    sel = model_selection(selection)
    out = {"signals": signals, "runs": {s: len(by_study[s]) for s in signals},
           "study": {s: by_study[s][0]["study"] for s in signals},
           "n_background_sr": by_study[signals[0]][0]["n_background_sr"],
           "reference_sr_background": by_study[signals[0]][0]["reference_sr_background"],
           "scaling": by_study[signals[0]][0]["scaling"],
           "benchmarks": rows,
           "background_fit": {s: [{"gof_pvalue": r["background_fit"].get("gof_pvalue"),
                                   "ks": r["background_fit"].get("ks")} for r in by_study[s]]
                              for s in signals},
           "model_selection": sel,
           "repetition_seeds": {s: inject.summary_seeds(by_study[s]) for s in signals},
           "statements": {"auc_crossing": crossing_claim(rows),
                          "cwola_discovery": discovery_claim(rows),
                          "autoencoder_500_not_300": autoencoder_claim(rows, signals),
                          "spurious_significance": spurious_claim(rows),
                          "fvu_flattens": flattening_claim(sel)}}
    return out
