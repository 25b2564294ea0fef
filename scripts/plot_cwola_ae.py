"""Figures E1-E11 of the CWoLa-vs-autoencoder study (paper Figs. 1-11).

E1 input features (eq. 3.1) of both 3-prong signals and the data in the SR. E2 the binned mjj
(30 log bins) of the data with SR/SB and the signal injected at the benchmark nearest S/B =
6e-3 (run 0). E3 AUC vs S/B, CWoLa Hunting and the autoencoder. E4 SIC curves per S/B (run 0).
E5 SIC vs S/sqrt(B) at fixed signal efficiencies. E6 selected mjj spectra and fits after the
three cuts with Z (500 GeV signal at S/B nearest 4e-3, run 0). E7 Z vs S/B for the three cuts.
E8/E9 (mj1, mj2) density of the events selected by the 1% cut of CWoLa / the AE at S/B nearest
4e-3, 2.8e-3 and 0 (run 0). E10 selection efficiency maps of the 1% and 0.1% cuts (300 GeV
signal, S/B nearest 4e-3, run 0). E11 background-only fit and residuals with its KS and
deviance p-values. S/B is the paper's (at its 9e4 SR background events); medians over runs with
MAD bars (the summary); a failed fit is drawn as missing and counted in the legend."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io, plotting
from radflow.methods import cwola_hunting
from radflow.ml import metrics

METHODS = {"cwola": ("CWoLa Hunting", "tab:red", "o"), "autoencoder": ("Autoencoder", "tab:blue", "s")}
CUT_LABEL = {"sic_optimal": "SIC-optimal cut", "0.01": "1% cut", "0.001": "0.1% cut"}
FEATURE_LABELS = {"tau1b2_ratio": r"$\sqrt{\tau_1^{(2)}/\tau_1^{(1)}}$", "n_trk": r"$n_{trk}$",
                  "tau43": r"$\tau_{43}$", "tau21": r"$\tau_{21}$", "tau32": r"$\tau_{32}$",
                  "mj": r"$m_J$ [GeV]", "pt": r"$p_T$ [GeV]"}


def feature_label(col):
    base, jet = col.rsplit("_", 1) if "_j" in col else (col[:-1], "j" + col[-1])
    return FEATURE_LABELS.get(base, col) + f" ({jet})"


def nearest(rows, sb):
    return min(range(len(rows)), key=lambda j: abs(rows[j]["sb_paper"] - sb))


def signal_title(signal):
    return {"sig_3prong_500": r"$m_X$ = 500 GeV", "sig_3prong_300": r"$m_X$ = 300 GeV"}.get(signal, signal)


def errorbar(ax, x, stat, **kw):
    y = np.array([s["median"] if s["median"] is not None else np.nan for s in stat], float)
    e = np.array([s["mad"] if s["mad"] is not None else np.nan for s in stat], float)
    ax.errorbar(x, y, yerr=e, capsize=3, **kw)


def load_run0(files, study, signal):
    """Run 0 of ``study``: injection attributes, the draw rank of each event, the CWoLa
    score file and {'score': the AE score} in the same event order."""
    inj = [f for f in files["inject"] if f"/{study}/" in f][0]
    cw = h5io.read_columns([f for f in files["cwola"] if f"/{study}/" in f][0])
    ae = h5io.read_columns(files["autoencoder"])
    rank = cwola_hunting.injected_rank(cw, h5io.read_columns(inj, ["rank"])["rank"])
    return h5io.read_attrs(inj), rank, cw, {"score": np.r_[ae["score_data"], ae[f"score_{signal}"]]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--fits", nargs="+", required=True, help="run-0 fits of every study")
    ap.add_argument("--inject", nargs="+", required=True, help="run-0 injections of every study")
    ap.add_argument("--cwola", nargs="+", required=True, help="run-0 CWoLa scores of every study")
    ap.add_argument("--autoencoder", required=True, help="run-0 autoencoder scores")
    ap.add_argument("--features", nargs="+", required=True, help="features of data and signals")
    ap.add_argument("--features-list", required=True, help="JSON list of the CWoLa features")
    for i in range(1, 12):
        ap.add_argument(f"--e{i}", nargs=2, required=True)
    args = ap.parse_args(argv)
    s = json.loads(open(args.summary).read())
    signals, rows = s["signals"], s["benchmarks"]
    fits = {f["signal"]: f for f in (json.loads(open(p).read()) for p in args.fits)}
    files = {"inject": args.inject, "cwola": args.cwola, "autoencoder": args.autoencoder}
    run0 = {sig: load_run0(files, s["study"][sig], sig) for sig in signals}
    f0 = fits[signals[0]]
    edges, sr_mask = np.asarray(f0["edges"]), np.asarray(f0["sr_bins"], bool)
    centres = np.sqrt(edges[:-1] * edges[1:])

    # E1: features in the SR, data vs both signals.
    cols = json.loads(args.features_list)
    feats = {p.rsplit("/", 1)[-1][:-3]: h5io.read_columns(p) for p in args.features}
    lo_sr, hi_sr = f0["signal_region"]
    ncol = 4
    fig, axes = plt.subplots(-(-len(cols) // ncol), ncol, figsize=(5 * ncol, 4.2 * -(-len(cols) // ncol)))
    for ax, c in zip(axes.flat, cols):
        series = [("data (background)", feats["data"], "black")]
        series += [(signal_title(sig), feats[sig], col) for sig, col in zip(signals, ("tab:orange", "tab:green"))]
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
    for ax in list(axes.flat)[len(cols):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=10)
    fig.suptitle(f"E1: input features in the SR ({lo_sr:.0f}-{hi_sr:.0f} GeV)", fontsize=16)
    fig.tight_layout()
    plotting.save(fig, args.e1)

    # E2: binned mjj with SR / SB and the injected signal at S/B ~ 6e-3.
    fig, ax = plt.subplots(figsize=(9, 6.5))
    counts = np.asarray(f0["background_fit"]["counts"])
    att, rank, cw, _ = run0[signals[0]]
    j = nearest(rows[signals[0]], 6e-3)
    inj = cw["is_signal"].astype(bool) & (rank >= 0) & (rank < att["n_injected"][j])
    sig_counts = np.histogram(cw["mjj"][inj], bins=edges)[0]
    ax.stairs(counts, edges, color="black", label="data (background)")
    ax.stairs(counts + sig_counts, edges, color="tab:orange", baseline=counts, fill=True, alpha=0.7,
              label=f"{signal_title(signals[0])} injected, S/B = {rows[signals[0]][j]['sb_paper']:g}")
    ax.axvspan(*f0["signal_region"], color="tab:red", alpha=0.1, label="signal region")
    for w in f0["sidebands"]:
        ax.axvspan(*w, color="tab:blue", alpha=0.1)
    ax.axvspan(0, 0, color="tab:blue", alpha=0.1, label="sidebands")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(r"$m_{JJ}$ [GeV]")
    ax.set_ylabel("events / bin")
    r = rows[signals[0]][j]
    ax.set_title(f"E2: {len(counts)} bins uniform in log $m_{{JJ}}$; in the SR S/B = {r['sb']:.3g} "
                 f"(ours), S/$\\sqrt{{B}}$ = {r['significance_naive']:.2f}", fontsize=13)
    ax.legend(fontsize=12)
    plotting.save(fig, args.e2)

    # E3: AUC vs S/B.
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        x = [r["sb_paper"] for r in rows[sig]]
        for m, (label, color, mk) in METHODS.items():
            errorbar(ax, x, [r["methods"][m]["auc"] for r in rows[sig]], color=color, marker=mk,
                     label=label)
        ax.axhline(0.5, color="gray", ls=":", lw=1)
        ax.set_xlabel("S/B in the SR (paper statistics)")
        ax.set_ylabel("AUC (SR: evaluation signal vs data)")
        ax.set_title(f"E3: {signal_title(sig)}, median and MAD over {s['runs'][sig]} runs", fontsize=13)
        ax.legend(fontsize=12)
    fig.tight_layout()
    plotting.save(fig, args.e3)

    # E4: SIC curves per S/B (run 0).
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
            ax.set_ylabel(r"SIC = $\epsilon_S/\sqrt{\epsilon_B + 10^{-4}}$")
            ax.set_title(f"E4: {METHODS[m][0]}, {signal_title(sig)} (run 0)", fontsize=13)
        row[0].legend(fontsize=9, ncol=2)
    fig.tight_layout()
    plotting.save(fig, args.e4)

    # E5: SIC at fixed signal efficiencies vs S/sqrt(B).
    fig, axes = plt.subplots(1, len(signals), figsize=(7 * len(signals), 6), squeeze=False)
    for ax, sig in zip(axes[0], signals):
        x = [r["significance_naive"] for r in rows[sig]]
        effs = list(rows[sig][0]["methods"]["cwola"]["sic_at_eff_s"])
        for k, e in enumerate(effs):
            for m, (label, color, mk) in METHODS.items():
                errorbar(ax, np.asarray(x) + 0.01 * k, [r["methods"][m]["sic_at_eff_s"][e] for r in rows[sig]],
                         color=color, marker=mk, alpha=1.0 - 0.25 * k,
                         ls=("-", "--", ":", "-.")[k % 4], label=f"{label}, $\\epsilon_S$ = {e}")
        ax.axhline(1.0, color="gray", ls=":", lw=1)
        ax.set_xlabel(r"S/$\sqrt{B}$ in the SR")
        ax.set_ylabel("SIC")
        ax.set_title(f"E5: {signal_title(sig)}", fontsize=13)
        ax.legend(fontsize=9, ncol=2)
    fig.tight_layout()
    plotting.save(fig, args.e5)

    # E6: fits after the cuts (500 GeV signal, S/B ~ 4e-3, run 0).
    sig = signals[0]
    j = nearest(rows[sig], 4e-3)
    b = fits[sig]["benchmarks"][j]
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
            ax.set_xlabel(r"$m_{JJ}$ [GeV]")
            ax.set_ylabel("events / bin")
            ax.set_title(f"{METHODS[m][0]}, {CUT_LABEL.get(fit['cut'], fit['cut'])}\n"
                         f"($\\epsilon_B$ = {fit['efficiency']:.3g}): {txt}", fontsize=11)
            ax.legend(fontsize=9)
    fig.suptitle(f"E6: {signal_title(sig)}, S/B = {b['sb_paper']:g} (run 0)", fontsize=15)
    fig.tight_layout()
    plotting.save(fig, args.e6)

    # E7: Z vs S/B per cut.
    cut_names = list(rows[signals[0]][0]["methods"]["cwola"]["z"])
    fig, axes = plt.subplots(len(signals), len(cut_names), figsize=(6 * len(cut_names), 5.5 * len(signals)),
                             squeeze=False)
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
            ax.set_xlabel("S/B in the SR (paper statistics)")
            ax.set_ylabel("Z of the SR excess")
            ax.set_title(f"E7: {signal_title(sig)}, {CUT_LABEL.get(cut, cut)}", fontsize=13)
            ax.legend(fontsize=10)
    fig.tight_layout()
    plotting.save(fig, args.e7)

    # E8 / E9: (mj1, mj2) of the events selected by the 1% cut.
    mbins = np.linspace(0, 1000, 41)
    for out, m in ((args.e8, "cwola"), (args.e9, "autoencoder")):
        fig, axes = plt.subplots(len(signals), 3, figsize=(18, 5.5 * len(signals)), squeeze=False)
        for row, sig in zip(axes, signals):
            att, rank, cw, ae = run0[sig]
            mx = float(sig.rsplit("_", 1)[-1]) if sig.rsplit("_", 1)[-1].isdigit() else None
            for ax, target in zip(row, (4e-3, 2.8e-3, 0.0)):
                j = nearest(rows[sig], target)
                inj = cw["is_signal"].astype(bool) & (rank >= 0) & (rank < att["n_injected"][j])
                use = ~cw["is_signal"].astype(bool) | inj
                score = cw[f"score_b{j}"] if m == "cwola" else ae["score"]
                bkg_sr = use & ~inj & cw["sr"].astype(bool)
                sel = use & (score >= np.quantile(score[bkg_sr], 0.99))
                h = ax.hist2d(cw["mj1"][sel], cw["mj2"][sel], bins=[mbins, mbins], cmap="viridis")
                fig.colorbar(h[3], ax=ax, label="events")
                if mx is not None:
                    ax.plot([mx], [mx], marker="x", color="lime", ms=14, mew=3)
                ax.set_xlabel(r"$m_{j1}$ [GeV]")
                ax.set_ylabel(r"$m_{j2}$ [GeV]")
                ax.set_title(f"{signal_title(sig)}, S/B = {rows[sig][j]['sb_paper']:g}: "
                             f"{int(sel.sum())} selected", fontsize=12)
        fig.suptitle(f"{'E8' if m == 'cwola' else 'E9'}: {METHODS[m][0]}, events passing the 1% cut "
                     "(all mjj, run 0)", fontsize=15)
        fig.tight_layout()
        plotting.save(fig, out)

    # E10: selection efficiency maps (300 GeV signal at S/B ~ 4e-3).
    sig = signals[-1]
    att, rank, cw, ae = run0[sig]
    j = nearest(rows[sig], 4e-3)
    inj = cw["is_signal"].astype(bool) & (rank >= 0) & (rank < att["n_injected"][j])
    use = ~cw["is_signal"].astype(bool) | inj
    fig, axes = plt.subplots(2, 3, figsize=(18, 11))
    for row, m in zip(axes, ("autoencoder", "cwola")):
        score = cw[f"score_b{j}"] if m == "cwola" else ae["score"]
        bkg_sr = use & ~inj & cw["sr"].astype(bool)
        total = np.histogram2d(cw["mj1"][use], cw["mj2"][use], bins=[mbins, mbins])[0]
        h = row[0].pcolormesh(mbins, mbins, np.ma.masked_equal(total, 0).T, cmap="viridis",
                              norm=matplotlib_lognorm())
        fig.colorbar(h, ax=row[0], label="events")
        row[0].set_title(f"{METHODS[m][0]}: all events", fontsize=12)
        for ax, eff in zip(row[1:], (0.01, 0.001)):
            sel = use & (score >= np.quantile(score[bkg_sr], 1 - eff))
            passed = np.histogram2d(cw["mj1"][sel], cw["mj2"][sel], bins=[mbins, mbins])[0]
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = np.where(total > 0, passed / total, np.nan)
            h = ax.pcolormesh(mbins, mbins, frac.T, cmap="magma", vmin=0, vmax=max(np.nanmax(frac), 1e-3))
            fig.colorbar(h, ax=ax, label="selection efficiency")
            ax.set_title(f"{METHODS[m][0]}: {eff:.1%} cut", fontsize=12)
        for ax in row:
            ax.set_xlabel(r"$m_{j1}$ [GeV]")
            ax.set_ylabel(r"$m_{j2}$ [GeV]")
    fig.suptitle(f"E10: {signal_title(sig)}, S/B = {rows[sig][j]['sb_paper']:g} (run 0)", fontsize=15)
    fig.tight_layout()
    plotting.save(fig, args.e10)

    # E11: background-only fit and residuals.
    bf = f0["background_fit"]
    fit_label = (f"dijet fit (SB bins): deviance {bf['deviance']:.1f} / {bf['ndf']}, "
                 f"p = {bf['gof_pvalue']:.2f}\nKS p = {bf['ks']['pvalue']:.2f} "
                 f"({bf['ks']['n_toys']} refitted toys); SR: n = {bf['n_sr']}, "
                 f"b = {bf['b']:.0f} $\\pm$ {bf['sigma']:.0f}") if bf["converged"] else None
    fig, ax, rax = plotting.spectrum_fit_figure(
        edges, bf["counts"], bf["expected"] if bf["converged"] else None, f0["signal_region"],
        "data, S = 0, no cut", fit_label)
    ax.set_title("E11: background-only fit (run 0); shaded: SR, not fitted", fontsize=13)
    ax.legend(fontsize=11)
    plotting.save(fig, args.e11)


def matplotlib_lognorm():
    from matplotlib.colors import LogNorm
    return LogNorm()


if __name__ == "__main__":
    main()
