"""Figures D2-D14 of the complementarity study (arXiv 2307.11157, issue #24; catalog ids of
docs/DESIGN.md), drawn by scripts/plot_complementarity.py. One function per figure: data in,
matplotlib Figure out (no file reading, no saving).

Inputs, as the script loads them:

* ``table``: one classifier variant of results/{study}/summary.json, ``per_variant[variant]``
  (radflow.studies.complementarity.summary.variant_table, JSON keys: n_sig and repetitions as
  strings): ``metrics``, ``curves``, ``auc_single_runs``, ``pearson``, ``top_p_overlap``,
  ``repetitions``; ``tables``: {variant: table};
* the events of one scores file: the ensembled score (N,) of each method (generator 0, the
  first ``ensemble`` runs averaged) and ``is_signal`` (N,);
* the synthetic samples of one n_sig = 0 repetition and that repetition's true SR background
  (the scores file's test-set background);
* the multiclass JSON dicts of the n_sig = 0 repetitions.

Names: the four methods ``salad``, ``cathode``, ``curtains``, ``feta``; ``combined_samples``
(sample-level combination, the scores file's ``combined``); ``combined_scores`` (per-event
mean of the methods' ensembled scores); ``truth`` (SR data vs an independent true SR
background: truth vs truth at n_sig = 0, the idealized detector above). Bands: the summary's
median and 68% (16-84 percentile) over repetitions x generators x ensembled scores, as the
paper. n_sig is the LHC-Olympics-equivalent count of the injection label ``nsig{n}_rep{r}``.
Masses in GeV; SIC = eS / sqrt(eB), drawn only where eB N_bkg >= 1 / 0.4^2.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import mplhep as hep
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D

from radflow import plotting
from radflow.stats import complementarity as cs

METHODS = ("salad", "cathode", "curtains", "feta")
COMBINATIONS = ("combined_samples", "combined_scores")
#: Name -> (label, colour, line style, marker).
STYLE = {"salad": ("SALAD", "tab:blue", "-", "o"),
         "cathode": ("CATHODE", "tab:purple", "-", "s"),
         "curtains": ("CURTAINs", "tab:green", "-", "^"),
         "feta": ("FETA", "tab:orange", "-", "v"),
         "combined_samples": ("combined (samples)", "black", "-", "D"),
         "combined_scores": ("combined (scores)", "tab:red", "--", "P"),
         "truth": ("idealized (truth)", "tab:gray", "--", "x")}
FEATURE_LABELS = {**plotting.LABELS, "delta_R_jj": r"$\Delta R_{jj}$"}
NSIG_LABEL = r"$n_{sig}$ (LHCO-equivalent injected signal)"
BAND_NOTE = "median and 68% band over repetitions x generators x ensembled scores"
SIC_LABEL = r"SIC = $\epsilon_S/\sqrt{\epsilon_B}$"
VARIANT_LABEL = {"nn": "NN (the paper's classifier)", "hgb": "HistGradientBoosting",
                 "nn_noise": "NN + 10 noise features", "hgb_noise": "HGB + 10 noise features"}


def label(name):
    return STYLE[name][0] if name in STYLE else name


def ordered(names):
    """``names`` in the figures' order (methods, combinations, truth), unknown ones last."""
    names = list(names)
    order = (*METHODS, *COMBINATIONS, "truth")
    return [n for n in order if n in names] + [n for n in names if n not in order]


def _key(n) -> str:
    """JSON key of an n_sig or repetition (750 -> '750')."""
    return str(int(n)) if float(n).is_integer() else str(n)


def _array(values) -> np.ndarray:
    """JSON list (null = NaN) as a float array."""
    return np.array([np.nan if v is None else v for v in values], float)


def _band(b: dict) -> tuple:
    return _array(b["median"]), _array(b["p16"]), _array(b["p84"])


def _n_repetitions(table, n) -> int:
    return len(table["repetitions"][_key(n)])


def _legend_outside(ax, fontsize=13, **kw):
    ax.legend(fontsize=fontsize, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, **kw)


def _title(ax, text, fontsize=14):
    ax.set_title(text, fontsize=fontsize, loc="left")


def _curve(ax, x, band: dict, name, fill=True):
    med, lo, hi = _band(band)
    lab, color, ls, _ = STYLE[name]
    ax.plot(x, med, color=color, ls=ls, lw=2.2, label=lab)
    if fill:
        ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0)


# -------------------------------------------------------------------------------------- figures

def sic_vs_efficiency(table: dict, n_sig):
    """D2 (paper Fig. 13, single methods): SIC vs signal efficiency eS of the four methods at ``n_sig`` (the
    largest), median line and 68% band; the truth (idealized) classifier dashed; a random
    classifier's SIC sqrt(eS) dotted. ``table``: the summary of one classifier variant."""
    eff = _array(table["curves"]["signal_efficiency"])
    fig, ax = plt.subplots(figsize=(10, 7))
    for k in ordered(table["curves"]):
        if (k in METHODS or k == "truth") and _key(n_sig) in table["curves"][k]:
            _curve(ax, eff, table["curves"][k][_key(n_sig)]["sic_vs_efficiency"]["band"], k,
                   fill=k != "truth")
    x = np.linspace(0.0, 1.0, 101)
    ax.plot(x, np.sqrt(x), color="gray", ls=":", lw=2, label=r"random: $\sqrt{\epsilon_S}$")
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(r"signal efficiency $\epsilon_S$")
    ax.set_ylabel(SIC_LABEL)
    _title(ax, f"D2: n_sig = {n_sig:g}, SR test set; {BAND_NOTE}\n"
               f"({_n_repetitions(table, n_sig)} repetitions); drawn where "
               r"$\epsilon_B N_{bkg} \geq 1/0.4^2$", fontsize=13)
    _legend_outside(ax)
    return fig


def marginals(synthetic: dict, truth: dict, features, ks: dict, rep, n_sig=0):
    """D3 (paper Fig. 4 and Table 3): normalized marginals of each method's synthetic SR
    sample (all generators, its event weights: SALAD's DCTR weights) vs the true SR background
    (the test set's background events), one panel per feature and mjj (GeV), with the ratio
    method / truth, and a table of the weighted KS statistic of each sample vs truth in
    repetition ``rep`` with the paper's Table 3 value in parentheses. ``synthetic``: {method:
    {column: (n,), "weight": (n,)}}; ``truth``: {column: (m,)}; ``ks``: the summary's ``ks``
    ({sample: {column: {"per_repetition": {rep: statistic}, "paper": value or None}}})."""
    columns = [*features, "mjj"]
    methods = ordered(synthetic)
    rows = [m for m in ordered(ks)]
    ncol = 3
    nrow = -(-len(columns) // ncol)
    fig = plt.figure(figsize=(7 * ncol, 7.6 * nrow + 0.4 * (len(rows) + 1) + 1.2))
    gs = GridSpec(3 * nrow + 1, ncol, figure=fig, hspace=0.06, wspace=0.3, top=0.935, bottom=0.02,
                  height_ratios=[*[3, 1, 1.0] * nrow, 0.3 * (len(rows) + 1)])
    for i, c in enumerate(columns):
        r, k = divmod(i, ncol)
        ax = fig.add_subplot(gs[3 * r, k])
        rax = fig.add_subplot(gs[3 * r + 1, k], sharex=ax)
        lo, hi = np.percentile(truth[c], [0.5, 99.5])
        bins = np.linspace(lo, hi, 31)
        ref, ref_err = plotting.normalized_hist(truth[c], bins)
        hep.histplot(ref, bins, yerr=ref_err, ax=ax, histtype="errorbar", color="black", ms=4,
                     label="true SR background")
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(ref > 0, ref_err / ref, np.nan)
            rax.stairs(1 + rel, bins, baseline=1 - rel, fill=True, color="tab:gray", alpha=0.35,
                       label="truth stat. error")
            for m in methods:
                h, _ = plotting.normalized_hist(synthetic[m][c], bins, synthetic[m].get("weight"))
                ax.stairs(h, bins, color=STYLE[m][1], lw=1.6, label=label(m))
                rax.stairs(np.where(ref > 0, h / ref, np.nan), bins, color=STYLE[m][1], lw=1.6,
                           baseline=None)
        rax.axhline(1.0, color="black", ls="--", lw=1)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.1)
        ax.set_ylabel("normalized density", fontsize=15)
        ax.tick_params(labelbottom=False, labelsize=13)
        rax.set_ylim(0.75, 1.25)
        rax.set_ylabel("sample / truth", fontsize=13)
        rax.set_xlabel(FEATURE_LABELS.get(c, c), fontsize=17)
        rax.tick_params(labelsize=13)
        if i == 0:
            handles, labels = ax.get_legend_handles_labels()
            rh, rl = rax.get_legend_handles_labels()
    fig.legend(handles + rh, labels + rl, loc="upper center", ncol=len(labels) + 1, fontsize=15,
               frameon=False, bbox_to_anchor=(0.5, 0.975))
    tab = fig.add_subplot(gs[-1, :])
    tab.axis("off")
    rk = _key(rep)

    def cell(m, c):
        d = ks[m].get(c)
        if d is None or rk not in d["per_repetition"]:
            return "-"
        own = f"{d['per_repetition'][rk]:.4f}"
        return own + (f" ({d['paper']:.4f})" if d.get("paper") is not None else "")

    table = tab.table(cellText=[[cell(m, c) for c in columns] for m in rows],
                      rowLabels=[label(m) for m in rows], loc="upper center", cellLoc="center",
                      colLabels=[FEATURE_LABELS.get(c, c).replace(" [GeV]", "") for c in columns])
    table.auto_set_font_size(False)
    table.set_fontsize(14)
    table.scale(1, 1.7)
    tab.set_title(f"KS statistic sup|F_sample - F_truth| (weighted ECDF), repetition {rep}; "
                  "in parentheses: the paper's Table 3", fontsize=15)
    fig.suptitle(f"D3: synthetic SR samples vs true SR background, n_sig = {n_sig:g}, repetition "
                 f"{rep} (all generators)", fontsize=18, y=0.995)
    return fig


def auc_at_zero(table: dict):
    """D5 (paper Figs. 5 and 18): ROC AUC on the SR test set (signal vs background) of every
    single classifier run (not ensembled) at n_sig = 0, per method and the combined samples:
    the runs as points, their median and 68% as a marker with bars; the truth-vs-truth runs'
    68% spread as a grey band with their median dashed. ``table``: the summary of one
    classifier variant (``auc_single_runs`` {name: {rep: [AUC per run]}})."""
    runs = {k: np.concatenate([_array(v) for v in per.values()])
            for k, per in table["auc_single_runs"].items()}
    names = [k for k in ordered(runs) if k not in ("truth", "combined_scores")]
    fig, ax = plt.subplots(figsize=(10.5, 7))
    if "truth" in runs:
        t = cs.band(runs["truth"])
        ax.axhspan(t["p16"], t["p84"], color="tab:gray", alpha=0.3,
                   label=f"truth vs truth: 68% of {len(runs['truth'])} runs")
        ax.axhline(t["median"], color="black", ls="--", lw=2.5, label="truth vs truth: median")
    jitter = np.random.default_rng(0)          # horizontal jitter of the drawn points only
    for i, k in enumerate(names):
        v = runs[k]
        ax.plot(i + 0.3 * (jitter.random(len(v)) - 0.5), v, ".", color=STYLE[k][1], alpha=0.35,
                ms=7)
        b = cs.band(v)
        ax.errorbar([i], [b["median"]], yerr=[[b["median"] - b["p16"]], [b["p84"] - b["median"]]],
                    fmt=STYLE[k][3], color=STYLE[k][1], mec="black", ms=12, capsize=7, lw=2.5)
    ax.set_xticks(range(len(names)), [label(k).replace(" (", "\n(") for k in names], fontsize=15)
    ax.minorticks_off()
    ax.tick_params(axis="y", which="both", labelsize=14)
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylabel("AUC (SR test set: signal vs background)", fontsize=17)
    shown = np.concatenate([runs[k] for k in (*names, "truth") if k in runs])
    lo, hi = shown.min(), shown.max()
    ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.45 * (hi - lo))
    n_rep = len(table["auc_single_runs"][names[0]])
    _title(ax, f"D5: n_sig = 0; points: single classifier runs ({n_rep} repetitions x generators "
               "x runs);\nmarkers: their median and 68%", fontsize=13)
    ax.legend(fontsize=13, loc="upper right", ncol=2, frameon=False)
    return fig


def score_scatter(scores: dict, is_signal, which: str, fid: str, n_sig, pearson: dict | None = None):
    """D6 / D9 / D10 (paper Figs. 6, 9, 10, 19): standardized ensembled scores ((s - mean) /
    std over all test events) of every method pair on the test set's ``which`` events
    ("background" or "signal"), one panel per pair (2-d histogram, log colour), with the
    Pearson r of the shown events and, from the summary (``pearson``: {"a|b": {"spread"}}),
    r's mean and error over the repetitions. ``scores``: {method: (N,)}, one ensembled score
    per method; ``is_signal`` (N,)."""
    events = np.asarray(is_signal, bool) if which == "signal" else ~np.asarray(is_signal, bool)
    methods = [m for m in METHODS if m in scores]
    z = {m: cs.standardized(scores[m])[events] for m in methods}
    pairs = [(a, b) for i, a in enumerate(methods) for b in methods[i + 1:]]
    ncol = min(3, len(pairs))
    nrow = -(-len(pairs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.4 * ncol + 1.5, 5.9 * nrow + 0.6), squeeze=False,
                             gridspec_kw={"wspace": 0.35, "hspace": 0.3})
    shown = np.concatenate(list(z.values()))
    pad = 0.01 * (shown.max() - shown.min())
    bins = np.linspace(shown.min() - pad, shown.max() + pad, 50)     # every shown event drawn
    image = None
    for ax, (a, b) in zip(axes.flat, pairs):
        image = ax.hist2d(z[a], z[b], bins=[bins, bins], cmap="viridis", norm=LogNorm(), cmin=1)[3]
        ax.axhline(0, color="gray", lw=0.8, ls=":")
        ax.axvline(0, color="gray", lw=0.8, ls=":")
        r = cs.pearson(z[a], z[b])
        text = f"r = {r:.3f}"
        sp = (pearson or {}).get(f"{a}|{b}")
        if sp is not None:
            text += f"   (all reps: {sp['spread']['mean']:.3f} $\\pm$ {sp['spread']['err']:.3f})"
        ax.set_title(text, fontsize=14, loc="left")
        ax.set_xlabel(f"{label(a)} standardized score", fontsize=15)
        ax.set_ylabel(f"{label(b)} standardized score", fontsize=15)
        ax.tick_params(labelsize=12)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    cbar = fig.colorbar(image, ax=axes.ravel().tolist(), pad=0.02)
    cbar.set_label(f"{which} events / bin", fontsize=17)
    fig.suptitle(f"{fid}: {which} events of the SR test set ({int(events.sum())}), n_sig = {n_sig:g}\n"
                 "ensembled scores standardized over the test set (repetition 0, generator 0)\n"
                 "r: Pearson r of the shown events; all reps: its mean and error over repetitions",
                 fontsize=15 if ncol == 3 else 12, y=1.02)
    return fig


def overlap_excess(table: dict, which: str, fid: str, n_sig):
    """D7 / D11 / D12 (paper Figs. 7, 11a, 11b, 20): fraction of the top-p ``which``
    ("background" / "signal") test events of one method that are also in the other's (pairs)
    or in all others' (all four), minus the random baseline (p for pairs, p^(k - 1) for all k),
    vs p (log x); median and 68% band. ``table``: the summary of one classifier variant
    (``top_p_overlap``)."""
    p = _array(table["top_p_overlap"]["p"])
    data = table["top_p_overlap"][which][_key(n_sig)]
    pairs = [k for k in data if k != "all"]
    n_methods = len({m for k in pairs for m in k.split("|")})
    every = {2: "both", 3: "all three", 4: "all four"}.get(n_methods, f"all {n_methods}")
    fig, ax = plt.subplots(figsize=(11, 7))
    colors = plt.get_cmap("tab10")
    for i, k in enumerate(pairs):
        a, b = k.split("|")
        med, lo, hi = _band(data[k]["excess_band"])
        ax.plot(p, med, color=colors(i), marker="o", ms=5, lw=1.8, label=f"{label(a)} & {label(b)}")
        ax.fill_between(p, lo, hi, color=colors(i), alpha=0.12, lw=0)
    if "all" in data:
        med, lo, hi = _band(data["all"]["excess_band"])
        ax.plot(p, med, color="black", lw=3, marker="s", ms=6, label=every)
        ax.fill_between(p, lo, hi, color="black", alpha=0.15, lw=0)
    ax.axhline(0, color="gray", ls=":", lw=1.5)
    ax.set_xscale("log")
    ax.set_xlabel("score percentile p (top fraction of the events)")
    ax.set_ylabel("overlap - random baseline", fontsize=20)
    _title(ax, f"{fid}: top-p {which} test events, n_sig = {n_sig:g}; baseline p (pairs), "
               f"$p^{{{n_methods - 1}}}$ ({every});\n{BAND_NOTE} ({_n_repetitions(table, n_sig)} repetitions)",
           fontsize=13)
    _legend_outside(ax)
    return fig


def multiclass(posteriors):
    """D8 (paper Fig. 8): multiclass log posterior LP(model i | samples j) of eq. (3.1), mean
    and standard deviation over the classifier runs pooled over the n_sig = 0 repetitions;
    rows the models i, columns the samples j (the methods', then the true SR background); each
    row's largest value among the methods' samples framed (eq. 3.2 expects the diagonal).
    ``posteriors``: the multiclass JSON dicts {"methods", "log_posterior": {model_i:
    {samples_j: [value per run]}}}."""
    methods = list(posteriors[0]["methods"])
    samples = [*methods, "truth"]
    runs = {(i, j): np.concatenate([_array(p["log_posterior"][i][j]) for p in posteriors])
            for i in methods for j in samples}
    mean = np.array([[runs[i, j].mean() for j in samples] for i in methods])
    std = np.array([[runs[i, j].std(ddof=1) if len(runs[i, j]) > 1 else 0.0 for j in samples]
                    for i in methods])
    fig, ax = plt.subplots(figsize=(12, 8))
    im = ax.imshow(mean, cmap="viridis", aspect="auto")
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label(r"LP(model $i$ | samples $j$)", fontsize=18)
    cbar.ax.tick_params(labelsize=14)
    mid = 0.5 * (mean.min() + mean.max())
    for a in range(len(methods)):
        for b in range(len(samples)):
            ax.text(b, a, f"{mean[a, b]:.3f}\n$\\pm$ {std[a, b]:.3f}", ha="center", va="center",
                    fontsize=14, color="white" if mean[a, b] < mid else "black")
        best = int(np.argmax(mean[a, :len(methods)]))
        ax.add_patch(plt.Rectangle((best - 0.5, a - 0.5), 1, 1, fill=False, ec="tab:red", lw=3.5))
    ax.axvline(len(methods) - 0.5, color="white", lw=5)
    ax.set_xticks(range(len(samples)), [label(s) if s != "truth" else "truth\n(true SR bkg)"
                                        for s in samples], fontsize=15)
    ax.set_yticks(range(len(methods)), [label(m) for m in methods], fontsize=15)
    ax.minorticks_off()
    ax.set_xlabel("samples $j$")
    ax.set_ylabel("model $i$")
    n = len(next(iter(runs.values())))
    _title(ax, f"D8: multiclass log posterior, n_sig = 0: mean $\\pm$ std over {n} classifier "
               f"runs ({len(posteriors)} repetitions);\nred frame: each row's largest value "
               "among the methods' samples", fontsize=13)
    return fig


def _nsig_panel(ax, table: dict, metric: str, noise: dict | None):
    """One D13 panel: ``metric`` of every method and combination vs n_sig, median line and
    68% band (the summary's bands); ``noise``: the noise-feature variant's table, drawn as
    stars with 68% bars at its n_sig."""
    ns = sorted(int(n) for n in table["n_sig"])
    names = [k for k in ordered(table["metrics"]) if k != "truth"]
    for k in names:
        b = [table["metrics"][k].get(_key(n), {}).get(metric, {}).get("band") for n in ns]
        med, lo, hi = (np.array([np.nan if x is None or x[q] is None else x[q] for x in b], float)
                       for q in ("median", "p16", "p84"))
        lab, color, ls, mk = STYLE.get(k, (k, None, "-", "o"))
        ax.plot(ns, med, color=color, ls=ls, marker=mk, lw=2, ms=7, label=lab)
        ax.fill_between(ns, lo, hi, color=color, alpha=0.1, lw=0)
    if noise:
        span = (max(ns) - min(ns)) if len(ns) > 1 else 1.0
        for n in sorted(int(x) for x in noise["n_sig"]):
            shown = [k for k in names if _key(n) in noise["metrics"].get(k, {})]
            for j, k in enumerate(shown):
                b = noise["metrics"][k][_key(n)][metric]["band"]
                ax.errorbar([n + span * 0.015 * (j - (len(shown) - 1) / 2)], [b["median"]],
                            yerr=[[b["median"] - b["p16"]], [b["p84"] - b["median"]]],
                            fmt="*", color=STYLE[k][1], mec="black", mew=1, ms=15, capsize=3)


def metrics_vs_nsig(tables: dict, reference: dict, n_background: int | None = None):
    """D13 (paper Fig. 13): max SIC (top) and SIC at background rejection 1e3 (bottom) vs
    n_sig, each method and both combinations, median and 68% band; one column per common
    classifier in ``tables`` ({variant: summary table}: nn, hgb, ...), a ``<variant>_noise``
    table (10 added noise features) drawn in its classifier's column as stars with 68%
    bars; the paper's median max SIC (``reference``: the summary's ``reference``,
    {"max_sic": {n_sig: {name: value}}, "supervised_max_sic"}) as large open markers and its
    supervised classifier dashed. ``n_background``: the test set's background count; where
    eB = 1e-3 keeps fewer than 1/0.4^2 of them the bottom panels say so (below the floor
    of max SIC: those values rest on a few events)."""
    base = [v for v in ("nn", "hgb") if v in tables]
    base += sorted(v for v in tables if v not in ("nn", "hgb")
                   and not (v.endswith("_noise") and v[:-len("_noise")] in tables))
    fig, axes = plt.subplots(2, len(base), figsize=(9.5 * len(base) + 3, 12), squeeze=False,
                             sharex=True, gridspec_kw={"hspace": 0.08, "wspace": 0.22})
    for col, v in zip(axes.T, base):
        noise = tables.get(f"{v}_noise")
        for ax, metric, ylab in zip(col, ("max_sic", "sic_at_rejection"),
                                    ("max SIC", r"SIC at $1/\epsilon_B = 10^3$")):
            _nsig_panel(ax, tables[v], metric, noise)
            ax.axhline(1.0, color="gray", lw=1, ls=":")
            ax.set_ylabel(ylab)
        for n, ref in reference.get("max_sic", {}).items():
            for k, val in ref.items():
                if k not in tables[v]["metrics"]:      # a method that did not run
                    continue
                col[0].plot([float(n)], [val], STYLE[k][3], mfc="none", mec=STYLE[k][1], ms=16, mew=2)
        if reference.get("supervised_max_sic"):
            col[0].axhline(reference["supervised_max_sic"], color="gray", ls="--", lw=1.5)
        col[1].set_xlabel(NSIG_LABEL, fontsize=18)
        if n_background is not None and n_background * 1e-3 < 1 / 0.4 ** 2:
            col[1].text(0.02, 0.95, f"at $\\epsilon_B = 10^{{-3}}$: {n_background * 1e-3:.1f} test "
                        "background events\n(< 6.25: fluctuation-dominated)",
                        transform=col[1].transAxes, va="top", fontsize=13, color="firebrick")
        note = ""
        if noise:
            note = (";\nstars: with 10 noise features (n_sig = "
                    + ", ".join(f"{int(n)}" for n in noise["n_sig"]) + ")")
        _title(col[0], f"{VARIANT_LABEL.get(v, v)}{note}", fontsize=14)
    top = max(ax.get_ylim()[1] for ax in axes[0])
    for ax in axes.flat:
        ax.set_ylim(bottom=0)
    for ax in axes[0]:
        ax.set_ylim(0, top)
    handles, labels = axes[0, -1].get_legend_handles_labels()
    handles += [Line2D([], [], ls="none", marker="o", mfc="none", mec="black", ms=14, mew=2),
                Line2D([], [], color="gray", ls="--")]
    labels += ["paper (NN): median max SIC", "paper: supervised max SIC"]
    if any(f"{v}_noise" in tables for v in base):
        handles.append(Line2D([], [], ls="none", marker="*", color="gray", mec="black", mew=1, ms=15))
        labels.append("with 10 noise features")
    axes[0, -1].legend(handles, labels, fontsize=13, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       frameon=False)
    fig.subplots_adjust(top=0.88)
    fig.suptitle(f"D13: {BAND_NOTE}", fontsize=16, y=0.975)
    return fig


def sic_curves(table: dict, n_sig):
    """D14 (paper Fig. 14): SIC vs signal efficiency eS (left) and vs background rejection
    1/eB (right, log x) at ``n_sig`` (the study's nearest to 750), each method and both
    combinations, median and 68% band; a random classifier dotted. ``table``: the summary of
    one classifier variant."""
    eff = _array(table["curves"]["signal_efficiency"])
    rej = _array(table["curves"]["rejection"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(20, 7.5), gridspec_kw={"wspace": 0.22})
    drawn = np.zeros(len(rej), bool)
    for k in ordered(table["curves"]):
        if k in ("truth", "signal_efficiency", "rejection") or _key(n_sig) not in table["curves"][k]:
            continue
        c = table["curves"][k][_key(n_sig)]
        _curve(a1, eff, c["sic_vs_efficiency"]["band"], k)
        _curve(a2, rej, c["sic_vs_rejection"]["band"], k)
        drawn |= np.isfinite(_array(c["sic_vs_rejection"]["band"]["median"]))
    x = np.linspace(0.0, 1.0, 101)
    a1.plot(x, np.sqrt(x), color="gray", ls=":", lw=2, label=r"random: $\sqrt{\epsilon_S}$")
    a2.plot(rej, 1 / np.sqrt(rej), color="gray", ls=":", lw=2, label=r"random: $\sqrt{\epsilon_B}$")
    a1.set_xlim(0, 1)
    a1.set_xlabel(r"signal efficiency $\epsilon_S$")
    a2.set_xscale("log")
    a2.set_xlim(1, 1.5 * rej[np.nonzero(drawn)[0].max()] if drawn.any() else rej[-1])
    a2.set_xlabel(r"background rejection $1/\epsilon_B$")
    for a in (a1, a2):
        a.set_ylabel(SIC_LABEL)
        a.set_ylim(bottom=0)
    fig.suptitle(f"D14: n_sig = {n_sig:g}, SR test set; {BAND_NOTE} "
                 f"({_n_repetitions(table, n_sig)} repetitions); drawn where "
                 r"$\epsilon_B N_{bkg} \geq 1/0.4^2$", fontsize=15, y=0.97)
    handles, labels = a2.get_legend_handles_labels()
    a2.legend(handles, labels, fontsize=13, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              frameon=False)
    return fig
