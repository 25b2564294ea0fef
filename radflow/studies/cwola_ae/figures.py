"""Figures of the CWoLa-vs-autoencoder study kind (catalog: ``kind.yaml`` in this folder, ids
E1-E11 and E14-E17), drawn by scripts/plot_cwola_ae.py and scripts/plot_ae_selection.py.

Every function draws one figure (E8/E9 and E14/E15 one function each, parametrized) and saves
it with :func:`radflow.plotting.save` to ``out``, the (PDF, PNG) paths of the rule. Inputs, as
the scripts load them:

* ``summary``: results/cwola_ae/summary.json (scripts/cwola_ae_summary.py): ``signals``,
  ``runs``, ``study``, ``benchmarks`` {signal: rows of median/MAD stats per S/B benchmark},
  ``model_selection``;
* ``fits``: {signal: results/{study}/fits/run0.json} (scripts/cwola_ae_fits.py): ``edges``
  (GeV), ``signal_region``, ``sidebands``, ``background_fit``, per benchmark the evaluation
  and the fits after each cut;
* ``run0``: {signal: (injection attributes, draw rank of each event, the CWoLa score table,
  {"score": the autoencoder score})} of run 0, all in the event order of the CWoLa table
  (radflow.methods.cwola_hunting.event_table).

S/B is the paper's (at its 9e4 SR background events); medians over runs with MAD bars; a
failed fit is drawn as missing and counted in the legend. Masses in GeV.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from radflow import plotting
from radflow.ml import metrics

#: Method -> (label, colour, marker).
METHODS = {"cwola": ("CWoLa Hunting", "tab:red", "o"), "autoencoder": ("Autoencoder", "tab:blue", "s")}
#: Figure id of the (mj1, mj2) plane of each method's selection.
MJ_PLANE_ID = {"cwola": "E8", "autoencoder": "E9"}
CUT_LABEL = {"sic_optimal": "SIC-optimal cut", "0.01": "1% cut", "0.001": "0.1% cut"}
FEATURE_LABELS = {"tau1b2_ratio": r"$\sqrt{\tau_1^{(2)}/\tau_1^{(1)}}$", "n_trk": r"$n_{trk}$",
                  "tau43": r"$\tau_{43}$", "tau21": r"$\tau_{21}$", "tau32": r"$\tau_{32}$",
                  "mj": r"$m_J$ [GeV]", "pt": r"$p_T$ [GeV]"}
SIGNAL_TITLES = {"sig_3prong_500": r"$m_X$ = 500 GeV", "sig_3prong_300": r"$m_X$ = 300 GeV"}
MJJ_LABEL = r"$m_{JJ}$ [GeV]"
SB_LABEL = "S/B in the SR (paper statistics)"
#: Bins of the (mj1, mj2) planes, GeV.
MJ_BINS = np.linspace(0, 1000, 41)


def feature_label(col):
    """Axis label of a feature column (``tau21_j1``, ``mj1``): symbol, unit and jet."""
    base, jet = col.rsplit("_", 1) if "_j" in col else (col[:-1], "j" + col[-1])
    return FEATURE_LABELS.get(base, col) + f" ({jet})"


def signal_title(signal):
    return SIGNAL_TITLES.get(signal, signal)


def nearest(rows, sb):
    """Index of the benchmark row whose paper S/B is nearest to ``sb``."""
    return min(range(len(rows)), key=lambda j: abs(rows[j]["sb_paper"] - sb))


def errorbar(ax, x, stat, **kw):
    """Medians of summary stats ``stat`` at ``x`` with MAD bars (None: missing)."""
    y = np.array([s["median"] if s["median"] is not None else np.nan for s in stat], float)
    e = np.array([s["mad"] if s["mad"] is not None else np.nan for s in stat], float)
    ax.errorbar(x, y, yerr=e, capsize=3, **kw)


def injected_events(run0, j):
    """(injected, used) bool masks over the events of ``run0`` (one signal's run-0 tuple) at
    benchmark ``j``: the injected signal events, and the data plus those."""
    att, rank, cw, _ = run0
    is_signal = cw["is_signal"].astype(bool)
    inj = is_signal & (rank >= 0) & (rank < att["n_injected"][j])
    return inj, ~is_signal | inj


def cut_selection(run0, j, method, efficiency):
    """The used events of benchmark ``j`` passing ``method``'s cut that keeps the fraction
    ``efficiency`` of the SR background (the threshold is that quantile of the scores of the
    non-injected SR events, applied at all mjj)."""
    _, _, cw, ae = run0
    inj, use = injected_events(run0, j)
    score = cw[f"score_b{j}"] if method == "cwola" else ae["score"]
    bkg_sr = use & ~inj & cw["sr"].astype(bool)
    return use & (score >= np.quantile(score[bkg_sr], 1 - efficiency))


def _label_mj_plane(ax):
    ax.set_xlabel(plotting.LABELS["mj1"])
    ax.set_ylabel(plotting.LABELS["mj2"])


def input_features(summary, fits, features, columns, out):
    """E1: the input features (eq. 3.1) of both jets in the signal region, data (background)
    and both 3-prong signals: one panel per feature column (x: the feature, GeV for masses;
    y: normalized density), 40 bins over the 0.5-99.5% range (unit bins for n_trk).
    ``features``: {sample name: feature columns (mjj, GeV)}; ``columns``: the CWoLa features."""
    signals = summary["signals"]
    lo_sr, hi_sr = fits[signals[0]]["signal_region"]
    ncol = 4
    fig, axes = plt.subplots(-(-len(columns) // ncol), ncol,
                             figsize=(5 * ncol, 4.2 * -(-len(columns) // ncol)))
    for ax, c in zip(axes.flat, columns):
        series = [("data (background)", features["data"], "black")]
        series += [(signal_title(sig), features[sig], col)
                   for sig, col in zip(signals, ("tab:orange", "tab:green"))]
        vals = np.concatenate([f[c][(f["mjj"] > lo_sr) & (f["mjj"] < hi_sr)] for _, f, _ in series])
        lo, hi = np.percentile(vals, [0.5, 99.5])
        bins = (np.arange(np.floor(lo), np.ceil(hi) + 2) - 0.5 if c.startswith("n_trk")
                else np.linspace(lo, hi, 40))
        for label, f, color in series:
            v = f[c][(f["mjj"] > lo_sr) & (f["mjj"] < hi_sr)]
            ax.hist(v, bins=bins, density=True, histtype="step", color=color, lw=1.5, label=label)
        ax.set_xlabel(feature_label(c), fontsize=14)
        ax.set_ylabel("normalized", fontsize=12)
        ax.tick_params(labelsize=11)
    for ax in list(axes.flat)[len(columns):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=10)
    fig.suptitle(f"E1: input features in the SR ({lo_sr:.0f}-{hi_sr:.0f} GeV)", fontsize=16)
    fig.tight_layout()
    plotting.save(fig, out)


def mjj_binned_sr_sb(summary, fits, run0, out):
    """E2: the data's mJJ (GeV, log x) in the fits' log bins (events / bin, log y), with the
    first signal injected at the benchmark nearest S/B = 6e-3 (run 0) stacked on it and the
    signal region and sidebands shaded."""
    sig = summary["signals"][0]
    rows, f0 = summary["benchmarks"][sig], fits[sig]
    edges = np.asarray(f0["edges"])
    counts = np.asarray(f0["background_fit"]["counts"])
    j = nearest(rows, 6e-3)
    inj, _ = injected_events(run0[sig], j)
    sig_counts = np.histogram(run0[sig][2]["mjj"][inj], bins=edges)[0]
    fig, ax = plt.subplots(figsize=(9, 6.5))
    ax.stairs(counts, edges, color="black", label="data (background)")
    ax.stairs(counts + sig_counts, edges, color="tab:orange", baseline=counts, fill=True, alpha=0.7,
              label=f"{signal_title(sig)} injected, S/B = {rows[j]['sb_paper']:g}")
    ax.axvspan(*f0["signal_region"], color="tab:red", alpha=0.1, label="signal region")
    for w in f0["sidebands"]:
        ax.axvspan(*w, color="tab:blue", alpha=0.1)
    ax.axvspan(0, 0, color="tab:blue", alpha=0.1, label="sidebands")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(MJJ_LABEL)
    ax.set_ylabel("events / bin")
    r = rows[j]
    ax.set_title(f"E2: {len(counts)} bins uniform in log $m_{{JJ}}$; in the SR S/B = {r['sb']:.3g} "
                 f"(ours), S/$\\sqrt{{B}}$ = {r['significance_naive']:.2f}", fontsize=13)
    ax.legend(fontsize=12)
    plotting.save(fig, out)


def auc_vs_sb(summary, out):
    """E3: AUC (SR: evaluation signal vs data) vs the paper's S/B in the SR, CWoLa Hunting
    and the autoencoder, one panel per signal; median and MAD over runs."""
    signals, rows = summary["signals"], summary["benchmarks"]
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        x = [r["sb_paper"] for r in rows[sig]]
        for m, (label, color, mk) in METHODS.items():
            errorbar(ax, x, [r["methods"][m]["auc"] for r in rows[sig]], color=color, marker=mk,
                     label=label)
        ax.axhline(0.5, color="gray", ls=":", lw=1)
        ax.set_xlabel(SB_LABEL)
        ax.set_ylabel("AUC (SR: evaluation signal vs data)")
        ax.set_title(f"E3: {signal_title(sig)}, median and MAD over {summary['runs'][sig]} runs",
                     fontsize=13)
        ax.legend(fontsize=12)
    fig.tight_layout()
    plotting.save(fig, out)


def sic_curves(summary, fits, out):
    """E4: SIC = eps_S / sqrt(eps_B) (the paper's definition; stored curves start at
    MIN_BACKGROUND SR data events) vs the signal efficiency eps_S (log x), one curve per S/B
    benchmark (viridis), CWoLa Hunting (left) and the autoencoder (right), one row per signal
    (run 0)."""
    signals = summary["signals"]
    fig, axes = plt.subplots(len(signals), 2, figsize=(14, 6 * len(signals)), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for row, sig in zip(axes, signals):
        bm = fits[sig]["benchmarks"]
        for ax, m in zip(row, METHODS):
            for j, b in enumerate(bm):
                c = b["methods"][m]["evaluation"]["curve"]
                es, eb = np.asarray(c["eff_s"]), np.asarray(c["eff_b"])
                ax.plot(es, metrics.sic(es, eb), color=cmap(j / max(len(bm) - 1, 1)),
                        label=f"S/B = {b['sb_paper']:g}")
            ax.set_xscale("log")
            ax.set_xlabel(r"signal efficiency $\epsilon_S$")
            ax.set_ylabel(r"SIC = $\epsilon_S/\sqrt{\epsilon_B}$")
            ax.set_title(f"E4: {METHODS[m][0]}, {signal_title(sig)} (run 0)", fontsize=13)
        row[0].legend(fontsize=9, ncol=2)
    fig.tight_layout()
    plotting.save(fig, out)


def sic_vs_significance(summary, out):
    """E5: SIC at the fixed signal efficiencies of the summary vs the initial SR S/sqrt(B),
    CWoLa Hunting and the autoencoder (one line style per efficiency, shifted by 0.01 in x
    per efficiency), one panel per signal; median and MAD over runs."""
    signals, rows = summary["signals"], summary["benchmarks"]
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        x = [r["significance_naive"] for r in rows[sig]]
        effs = list(rows[sig][0]["methods"]["cwola"]["sic_at_eff_s"])
        for k, e in enumerate(effs):
            for m, (label, color, mk) in METHODS.items():
                errorbar(ax, np.asarray(x) + 0.01 * k,
                         [r["methods"][m]["sic_at_eff_s"][e] for r in rows[sig]],
                         color=color, marker=mk, alpha=1.0 - 0.25 * k,
                         ls=("-", "--", ":", "-.")[k % 4], label=f"{label}, $\\epsilon_S$ = {e}")
        ax.axhline(1.0, color="gray", ls=":", lw=1)
        ax.set_xlabel(r"S/$\sqrt{B}$ in the SR")
        ax.set_ylabel("SIC")
        ax.set_title(f"E5: {signal_title(sig)}", fontsize=13)
        ax.legend(fontsize=9, ncol=2)
    fig.tight_layout()
    plotting.save(fig, out)


def fits_after_cuts(summary, fits, out):
    """E6: selected mJJ spectra (GeV, log x; events / bin, log y, Poisson errors) with the
    sideband dijet fit after each cut (columns: SIC-optimal, 1%, 0.1%) of CWoLa Hunting
    (top) and the autoencoder (bottom), with Z, n and b of the SR (shaded); first signal at
    the benchmark nearest S/B = 4e-3, run 0. A failed fit shows its spectrum only."""
    sig = summary["signals"][0]
    f0 = fits[sig]
    edges = np.asarray(f0["edges"])
    centres = np.sqrt(edges[:-1] * edges[1:])
    b = f0["benchmarks"][nearest(summary["benchmarks"][sig], 4e-3)]
    cuts = [f["cut"] for f in b["methods"]["cwola"]["fits"]]
    fig, axes = plt.subplots(2, len(cuts), figsize=(6 * len(cuts), 10), squeeze=False)
    for row, m in zip(axes, METHODS):
        for ax, fit in zip(row, b["methods"][m]["fits"]):
            n = np.asarray(fit["counts"])
            ax.errorbar(centres, n, yerr=np.sqrt(n), fmt="o", color="black", ms=4, label="selected events")
            if fit["converged"]:
                ax.stairs(fit["expected"], edges, color=METHODS[m][1], label="dijet fit (SB bins)")
                txt = f"Z = {fit['z']:.2f}, n = {fit['n_sr']}, b = {fit['b']:.1f} $\\pm$ {fit['sigma']:.1f}"
            else:
                txt = "fit failed"
            ax.axvspan(*f0["signal_region"], color="gray", alpha=0.15)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(MJJ_LABEL)
            ax.set_ylabel("events / bin")
            ax.set_title(f"{METHODS[m][0]}, {CUT_LABEL.get(fit['cut'], fit['cut'])}\n"
                         f"(keeps {fit['efficiency']:.3g} of SR events): {txt}", fontsize=11)
            ax.legend(fontsize=9)
    fig.suptitle(f"E6: {signal_title(sig)}, S/B = {b['sb_paper']:g} (run 0)", fontsize=15)
    fig.tight_layout()
    plotting.save(fig, out)


def significance_vs_sb(summary, out):
    """E7: Z of the SR excess vs the paper's S/B after each cut (columns), CWoLa Hunting vs
    the autoencoder, one row per signal, with the no-cut S/sqrt(B) (dashed) and Z = 5
    (dotted); median and MAD over runs, failed fits counted in the legend."""
    signals, rows = summary["signals"], summary["benchmarks"]
    cut_names = list(rows[signals[0]][0]["methods"]["cwola"]["z"])
    fig, axes = plt.subplots(len(signals), len(cut_names),
                             figsize=(6 * len(cut_names), 5.5 * len(signals)), squeeze=False)
    for row, sig in zip(axes, signals):
        x = np.array([r["sb_paper"] for r in rows[sig]])
        for ax, cut in zip(row, cut_names):
            for m, (label, color, mk) in METHODS.items():
                st = [r["methods"][m]["z"][cut] for r in rows[sig]]
                failed = sum(z["n_failed"] for z in st)
                errorbar(ax, x, st, color=color, marker=mk,
                         label=label + (f" ({failed} failed fits)" if failed else ""))
            ax.plot(x, [r["significance_naive"] for r in rows[sig]], color="gray", ls="--",
                    label=r"no cut: S/$\sqrt{B}$")
            ax.axhline(5.0, color="black", ls=":", lw=1)
            ax.set_xlabel(SB_LABEL)
            ax.set_ylabel("Z of the SR excess")
            ax.set_title(f"E7: {signal_title(sig)}, {CUT_LABEL.get(cut, cut)}", fontsize=13)
            ax.legend(fontsize=10)
    fig.tight_layout()
    plotting.save(fig, out)


def mj_plane(summary, run0, method, out):
    """E8 (``method`` "cwola") / E9 ("autoencoder"): event counts in the (mj1, mj2) plane
    (GeV, 40 x 40 bins over 0-1000 GeV) of the events, at all mJJ, passing ``method``'s 1%
    cut, at the benchmarks nearest S/B = 4e-3, 2.8e-3 and 0 (columns), one row per signal
    (its (mX, mX) marked), run 0."""
    signals, rows = summary["signals"], summary["benchmarks"]
    fig, axes = plt.subplots(len(signals), 3, figsize=(18, 5.5 * len(signals)), squeeze=False)
    for row, sig in zip(axes, signals):
        cw = run0[sig][2]
        mx = float(sig.rsplit("_", 1)[-1]) if sig.rsplit("_", 1)[-1].isdigit() else None
        for ax, target in zip(row, (4e-3, 2.8e-3, 0.0)):
            j = nearest(rows[sig], target)
            sel = cut_selection(run0[sig], j, method, 0.01)
            h = ax.hist2d(cw["mj1"][sel], cw["mj2"][sel], bins=[MJ_BINS, MJ_BINS], cmap="viridis")
            fig.colorbar(h[3], ax=ax, label="events")
            if mx is not None:
                ax.plot([mx], [mx], marker="x", color="lime", ms=14, mew=3)
            _label_mj_plane(ax)
            ax.set_title(f"{signal_title(sig)}, S/B = {rows[sig][j]['sb_paper']:g}: "
                         f"{int(sel.sum())} selected", fontsize=12)
    fig.suptitle(f"{MJ_PLANE_ID[method]}: {METHODS[method][0]}, events passing the 1% cut "
                 "(all mjj, run 0)", fontsize=15)
    fig.tight_layout()
    plotting.save(fig, out)


def selection_efficiency(summary, run0, out):
    """E10: in the (mj1, mj2) plane (GeV, 40 x 40 bins over 0-1000 GeV), all events (log
    colour scale) and the per-bin selection efficiency of the 1% and 0.1% cuts, autoencoder
    (top) and CWoLa Hunting (bottom); last signal (300 GeV) at the benchmark nearest
    S/B = 4e-3, run 0."""
    sig = summary["signals"][-1]
    rows = summary["benchmarks"][sig]
    cw = run0[sig][2]
    j = nearest(rows, 4e-3)
    _, use = injected_events(run0[sig], j)
    total = np.histogram2d(cw["mj1"][use], cw["mj2"][use], bins=[MJ_BINS, MJ_BINS])[0]
    fig, axes = plt.subplots(2, 3, figsize=(18, 11))
    for row, m in zip(axes, ("autoencoder", "cwola")):
        h = row[0].pcolormesh(MJ_BINS, MJ_BINS, np.ma.masked_equal(total, 0).T, cmap="viridis",
                              norm=LogNorm())
        fig.colorbar(h, ax=row[0], label="events")
        row[0].set_title(f"{METHODS[m][0]}: all events", fontsize=12)
        for ax, eff in zip(row[1:], (0.01, 0.001)):
            sel = cut_selection(run0[sig], j, m, eff)
            passed = np.histogram2d(cw["mj1"][sel], cw["mj2"][sel], bins=[MJ_BINS, MJ_BINS])[0]
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = np.where(total > 0, passed / total, np.nan)
            h = ax.pcolormesh(MJ_BINS, MJ_BINS, frac.T, cmap="magma", vmin=0,
                              vmax=max(np.nanmax(frac), 1e-3))
            fig.colorbar(h, ax=ax, label="selection efficiency")
            ax.set_title(f"{METHODS[m][0]}: {eff:.1%} cut", fontsize=12)
        for ax in row:
            _label_mj_plane(ax)
    fig.suptitle(f"E10: {signal_title(sig)}, S/B = {rows[j]['sb_paper']:g} (run 0)", fontsize=15)
    fig.tight_layout()
    plotting.save(fig, out)


def background_fit(summary, fits, out):
    """E11: the background-only (S = 0, no cut) mJJ spectrum of run 0 (GeV, log x; events /
    bin) with its sideband dijet fit, deviance and KS p-values, over the pulls
    (n - mu)/sqrt(mu); the SR shaded, not fitted (radflow.plotting.spectrum_fit_figure)."""
    f0 = fits[summary["signals"][0]]
    bf = f0["background_fit"]
    fit_label = (f"dijet fit (SB bins): deviance {bf['deviance']:.1f} / {bf['ndf']}, "
                 f"p = {bf['gof_pvalue']:.2f}\nKS p = {bf['ks']['pvalue']:.2f} "
                 f"({bf['ks']['n_toys']} refitted toys); SR: n = {bf['n_sr']}, "
                 f"b = {bf['b']:.0f} $\\pm$ {bf['sigma']:.0f}") if bf["converged"] else None
    fig, ax, rax = plotting.spectrum_fit_figure(
        np.asarray(f0["edges"]), bf["counts"], bf["expected"] if bf["converged"] else None,
        f0["signal_region"], "data, S = 0, no cut", fit_label)
    ax.set_title("E11: background-only fit (run 0); shaded: SR, not fitted", fontsize=13)
    ax.legend(fontsize=11)
    plotting.save(fig, out)


def _hidden_widths(sel):
    return sorted(sel["hidden"], key=int)


def fvu_vs_latent(summary, what, out):
    """E14 (``what`` "fvu"): the autoencoder's FVU of the background vs n_latent, one line
    per hidden width, with the nominal 1 - n_latent/n (dashed). E15 ("decrease"): the FVU
    decrease from one more latent dimension vs n_latent, with 1/n (dashed). Error bars: the
    standard error over the trained members (none drawn as 0)."""
    sel = summary["model_selection"]
    n = sel["n_features"]
    hiddens = _hidden_widths(sel)
    colors = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(8, 6.5))
    for k, hidden in enumerate(hiddens):
        h = sel["hidden"][hidden]
        if what == "fvu":
            y, e = [f["mean"] for f in h["fvu"]], [f["err"] or 0.0 for f in h["fvu"]]
        else:
            y, e = [d["mean"] for d in h["fvu_decrease"]], [d["err"] or 0.0 for d in h["fvu_decrease"]]
        ax.errorbar(h["latent"], y, yerr=e, marker="o", capsize=3, color=colors(k),
                    label=f"$n_{{hidden}}$ = {hidden}")
    lat = np.arange(0, max(sel["hidden"][hiddens[-1]]["latent"]) + 1)
    if what == "fvu":
        ax.plot(lat, 1 - lat / n, color="gray", ls="--", label=r"$1 - n_{latent}/n$")
        ax.set_ylabel("FVU (background)")
    else:
        ax.axhline(1 / n, color="gray", ls="--", label="1/n")
        ax.set_ylabel("FVU decrease from one more latent dimension", fontsize=14)
    ax.set_xlabel(r"$n_{latent}$")
    fid = "E14" if what == "fvu" else "E15"
    ax.set_title(f"{fid}: {n} input features, {sel['members']} members per point", fontsize=13)
    ax.legend(fontsize=12)
    plotting.save(fig, out)


def max_sic_vs_latent(summary, out):
    """E16: max SIC (SR) vs n_latent at the widest hidden layer, per trained member (blue
    dots) and of the member-averaged MSE (orange), one panel per signal."""
    sel, signals = summary["model_selection"], summary["signals"]
    widest = _hidden_widths(sel)[-1]
    h = sel["hidden"][widest]
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        for i, (lat, members) in enumerate(zip(h["latent"], h["max_sic"][sig])):
            ax.plot([lat] * len(members), members, "o", color="tab:blue", alpha=0.5, ms=5,
                    label="members" if i == 0 else None)
        ax.plot(h["latent"], h["max_sic_mean_mse"][sig], "o", color="tab:orange", ms=9,
                label="member-averaged MSE")
        ax.set_xlabel(r"$n_{latent}$")
        ax.set_ylabel("max SIC (SR)")
        ax.set_title(f"E16: {signal_title(sig)}, $n_{{hidden}}$ = {widest}", fontsize=13)
        ax.legend(fontsize=11)
    fig.tight_layout()
    plotting.save(fig, out)


def max_sic_vs_hidden(summary, out):
    """E17: max SIC (SR) of the member-averaged MSE vs the hidden width (log2 x), one line per
    latent size 2, 3, 4 (where scanned), one panel per signal."""
    sel, signals = summary["model_selection"], summary["signals"]
    hiddens = _hidden_widths(sel)
    colors = plt.get_cmap("tab10")
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        for k, lat in enumerate((2, 3, 4)):
            xs = [int(hd) for hd in hiddens if lat in sel["hidden"][hd]["latent"]]
            ys = [sel["hidden"][str(x)]["max_sic_mean_mse"][sig][sel["hidden"][str(x)]["latent"].index(lat)]
                  for x in xs]
            if xs:
                ax.plot(xs, ys, marker="o", color=colors(k), label=f"$n_{{latent}}$ = {lat}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(r"$n_{hidden}$")
        ax.set_ylabel("max SIC of the averaged MSE (SR)")
        ax.set_title(f"E17: {signal_title(sig)}", fontsize=13)
        ax.legend(fontsize=11)
    fig.tight_layout()
    plotting.save(fig, out)
