"""Figures S1-S3 of the mass-hypothesis scan (radflow's own) from
results/{study}/scan/observed.json and summary.json.

S1: local Z vs SR-window centre, one curve per efficiency (per method a panel): the median
over the observed scan's training seeds with each seed's value as a marker, and the median
and 16-84% band of the background-only pseudo-experiments' local Z.
S2: distribution of the largest local Z over the pseudo-experiments (and over the reference
experiments of the calibration), the observed value of each training seed and their median,
the global p-value with its binomial error and its spread over seeds (with its
Gross-Vitells cross-check).
S3: selected mjj spectrum of the most significant window at its efficiency for the median
training seed, the dijet fit outside its SR and the pulls."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter, ScalarFormatter

import _bootstrap  # sys.path, job header, run()
from radflow import plotting
from radflow.stats import significance

LEGEND_SIZE, TITLE_SIZE = 12, 15
EFF_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--observed", required=True)
    ap.add_argument("--summary", required=True)
    for fid in ("s1", "s2", "s3"):
        ap.add_argument(f"--{fid}", nargs=2, required=True)
    args = ap.parse_args(argv)
    obs = json.loads(open(args.observed).read())
    summ = json.loads(open(args.summary).read())
    methods, effs, wins = summ["methods"], summ["efficiencies"], summ["windows"]
    centres = np.array([w["centre"] for w in wins])
    pe = summ["pseudo_experiments"]
    q = {k: np.array(v, float) for k, v in pe["local_z_quantiles"].items()}     # (M, W, E)
    o, g = summ["observed"], summ["global"]
    seed_z = np.array([x["max_local_z"] for x in o["seeds"]])                     # (S,)
    zs = o["max_local_z_spread"]
    # Long annotations go into legend titles below the axes (one fact per line), never
    # over the data.
    glob_lines = (f"global $p$ = {g['pvalue']:.3g} $\\pm$ {g['pvalue_error']:.2g} (binomial), "
                  f"$Z$ = {g['z']:.2f}{' (bound)' if g['bound'] else ''}; median of "
                  f"{o['n_seeds']} training seeds, {g['n_pseudo']} toys\n"
                  f"MAD of global $p$ over seeds: {g['seed_spread']['mad']:.2g}")
    z_line = (f"max local $Z$ = {o['max_local_z']:.2f} (median; seeds {seed_z.min():.2f}$-$"
              f"{seed_z.max():.2f}, MAD {zs['mad']:.2f})")
    best_where = f"{o['method']}, {o['window']}, $\\epsilon$ = {o['efficiency']:g}"
    plt.rcParams.update({"axes.labelsize": 17, "xtick.labelsize": 15, "ytick.labelsize": 15,
                         "legend.fontsize": LEGEND_SIZE, "legend.title_fontsize": LEGEND_SIZE,
                         "axes.titlesize": TITLE_SIZE})

    # S1: the scan sky map.
    fig, axes = plt.subplots(1, len(methods), figsize=(8.5 * len(methods), 6), squeeze=False,
                             gridspec_kw={"wspace": 0.3})
    for a, (m, ax) in enumerate(zip(methods, axes[0])):
        for e, eff in enumerate(effs):
            c = EFF_COLOURS[e % len(EFF_COLOURS)]
            z = np.array([np.nan if w[e]["z"] is None else w[e]["z"] for w in summ["local"][m]])
            per_seed = np.array([[np.nan if v is None else v for v in w[e]["z_seeds"]]
                                 for w in summ["local"][m]])                      # (W, S)
            ax.plot(centres, z, "o-", color=c, label=f"data, $\\epsilon$ = {eff:g} (median over seeds)")
            ax.plot(np.repeat(centres, per_seed.shape[1]), per_seed.ravel(), "_", color=c,
                    ms=12, mew=1.5, alpha=0.7)
            ax.fill_between(centres, q["0.16"][a, :, e], q["0.84"][a, :, e], color=c, alpha=0.12)
            ax.plot(centres, q["0.5"][a, :, e], ls=":", color=c)
        sig = wins[summ["signal"]["window_index"]]
        ax.axvspan(*sig["signal_region"], color="gray", alpha=0.12,
                   label=f"SR of window with most injected signal ({sig['n_sr_injected']} events)")
        # Proxy entries for the styles shared by all efficiencies.
        handles, labels = ax.get_legend_handles_labels()
        handles += [Line2D([], [], color="gray", ls="", marker="_", ms=12, mew=1.5),
                    Line2D([], [], color="gray", ls=":"),
                    Patch(color="gray", alpha=0.25)]
        labels += ["each training seed", f"background-only toys ({pe['n']}): median",
                   "background-only toys: 16-84%"]
        ax.set_xlabel(r"SR window centre (geometric mean of its edges) [GeV]")
        ax.set_ylabel(r"local $Z$ [$\sigma$]")
        ax.set_ylim(bottom=0)
        ax.set_title(f"S1: local significance scan, {plotting.METHOD_STYLE[m][0]}")
        below_legend(ax, handles, labels, title=f"{z_line} at {best_where}\n{glob_lines}")
    plotting.save(fig, args.s1)

    # S2: the look-elsewhere effect: the distribution of the largest local Z and its tail.
    t = np.array([v for v in pe["max_local_z"] if v is not None])
    cc = summ["cross_check"]
    tc = np.array([v for v in cc["max_local_z"] if v is not None])
    fig, (ax, sx) = plt.subplots(1, 2, figsize=(16, 6), gridspec_kw={"wspace": 0.28})
    fig.suptitle("S2: global significance (look-elsewhere effect)", fontsize=TITLE_SIZE + 2,
                 y=0.99)
    bins = np.linspace(0, max(t.max(), seed_z.max()) * 1.05, 40)
    ax.hist(t, bins=bins, histtype="step", color="black", density=True,
            label=f"background-only pseudo-experiments ({len(t)})")
    cal = summ["calibration"]
    if cal is not None:
        tr = np.array([v for v in cal["max_local_z"] if v is not None])
        ax.hist(tr, bins=bins, histtype="step", color="tab:green", density=True,
                label=f"reference experiments of the extra sample ({len(tr)}; KS $p$ = "
                      f"{cal['ks_pvalue']:.2g})")
    for v in seed_z:
        ax.axvline(v, color="tab:red", lw=0.8, alpha=0.6)
    ax.axvline(o["max_local_z"], color="tab:red", lw=2,
               label=f"data: median over seeds ({best_where})")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="tab:red", lw=0.8, alpha=0.6))
    labels.append("data: each training seed")
    ax.set_xlabel(r"largest local $Z$ over windows and efficiencies [$\sigma$]")
    ax.set_ylabel("fraction of experiments / bin")
    ax.set_title("distribution of the largest local $Z$")
    below_legend(ax, handles, labels, title=f"{z_line}\n{glob_lines}", ncol=1)
    z = np.linspace(0, bins[-1], 200)
    for values, label, ls in ((t, "all windows and efficiencies (toys)", "-"),
                              (tc, f"curve {cc['method']}, $\\epsilon$ = {cc['efficiency']:g} (toys)", "--")):
        sx.plot(z, [(values >= v).mean() for v in z], color="black", ls=ls, label=label)
    gv = cc["gross_vitells"]
    sx.plot(z, np.minimum(significance.p_of_z(z) + gv["mean_upcrossings"]
                          * np.exp(-(z**2 - gv["level"]) / 2), 1), color="tab:blue",
            label=f"Gross-Vitells for that curve ($\\langle N(u_0 = {gv['level']:g})\\rangle$ = "
                  f"{gv['mean_upcrossings']:.2f})")
    sx.plot(z, significance.p_of_z(z), color="gray", ls=":", label="local $p$ (no look-elsewhere)")
    sx.axvspan(seed_z.min(), seed_z.max(), color="tab:red", alpha=0.15,
               label="data: range over training seeds")
    sx.axvline(o["max_local_z"], color="tab:red", lw=2, label="data: median seed")
    sx.axhline(1.0 / len(t), color="gray", lw=0.8, ls="-.", label="1 / number of toys")
    sx.set_yscale("log")
    sx.set_ylim(0.5 / len(t), 1.5)
    sx.set_xlabel(r"$Z$ [$\sigma$]")
    sx.set_ylabel(r"$p(\max Z_{\mathrm{local}} \geq Z)$")
    sx.set_title("tail: fraction of experiments with largest local $Z \\geq Z$")
    below_legend(sx, *sx.get_legend_handles_labels(), ncol=1)
    plotting.save(fig, args.s2)

    # S3: the most significant window.
    best = obs["fits"][o["method"]][o["median_seed"]][o["window_index"]][effs.index(o["efficiency"])]
    w = obs["windows"][o["window_index"]]
    fig, ax, rax = plotting.spectrum_fit_figure(
        np.array(obs["edges"]), best["counts"], best["expected"], w["signal_region"],
        f"data + injected signal, {o['method']} $\\epsilon$ = {o['efficiency']:g} "
        f"(median training seed {o['median_seed']})",
        f"dijet fit outside the SR (fit $p$ = {best['gof_pvalue']:.2f})")
    for a in (ax, rax):
        plotting.region_lines(a, w["signal_region"], w["sidebands"])
        a.xaxis.set_major_formatter(ScalarFormatter())
        a.xaxis.set_minor_formatter(NullFormatter())
    rax.set_xticks([3000, 3500, 4000, 4500, 5000])
    rax.set_ylabel(r"$(n - \mu)/\sqrt{\mu}$", fontsize=15)
    ax.set_title(f"S3: most significant window {w['name']} (SR {w['signal_region'][0]:.0f}-"
                 f"{w['signal_region'][1]:.0f} GeV, shaded)")
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color="gray", ls="--", lw=1), Line2D([], [], color="gray", ls=":", lw=1)]
    labels += ["SR edges", "sideband edges"]
    below_legend(rax, handles, labels, ncol=2, offset=0.6,
                 title=f"SR: $n$ = {best['n_sr']}, $b$ = {best['b']:.0f} $\\pm$ "
                       f"{best['sigma']:.0f}, local $Z$ = {best['z']:.2f}")
    plotting.save(fig, args.s3)


def below_legend(ax, handles, labels, title=None, ncol=2, offset=0.17):
    """Legend (and its multi-line ``title``) in a box centred below ``ax``, clear of the
    x-axis label; ``offset``: its top, in ``ax`` heights below the axis."""
    leg = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -offset), ncol=ncol,
                    title=title, frameon=True, fancybox=False, edgecolor="0.6",
                    borderaxespad=0)
    leg._legend_box.align = "left"
    return leg


if __name__ == "__main__":
    _bootstrap.run(main)
