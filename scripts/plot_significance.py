"""Figures B6 and B7 (SA-CWoLa paper, Figs. 6-7) from results/{study}/fits.json.

B6: fitted significance vs the fraction eps of SR events a cut keeps, with signal, raw and
residual-corrected.
B7: the same without signal (signed Z), raw and shifted so that 100% efficiency is 0.
Filled markers: asymptotic Z = sqrt(q0); open markers: Z from pseudo-experiments (SR
background b below fits.json's z_toys_below). A point whose value needs a fit that failed
(its own, the background-only partner of a residual correction, or the 100% reference of the
shift) is left out of the mean over repetitions, and every method's legend entry counts
its missing points over all repetitions."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

import _bootstrap  # sys.path, job header, run()
from radflow import plotting


def z_panels(r, case, keys, titles, out, shift=False):
    """Z per method vs the kept SR fraction: mean over the repetitions whose fit converged,
    error bars the standard deviation over them."""
    effs = np.array(r["efficiencies"])
    reps = r["repetitions"]
    fig, axes = plt.subplots(1, 2, figsize=(16, 6.5), gridspec_kw={"wspace": 0.3})
    for ax, key, title in zip(axes, keys, titles):
        any_toys = False
        for m in reps[0][case]["methods"]:
            label, color, ls = plotting.METHOD_STYLE[m]
            fits = [rep[case]["methods"][m] for rep in reps]                   # (R, E) dicts
            z = np.array([[np.nan if f.get(key) is None else f[key] for f in fr] for fr in fits])
            if shift and ax is axes[1]:
                z = z - z[:, [np.argmax(effs)]]
            ok = ~np.isnan(z)
            n_ok = ok.sum(axis=0)
            mean = np.where(n_ok > 0, np.nansum(z, axis=0) / np.maximum(n_ok, 1), np.nan)
            std = np.array([np.std(col[~np.isnan(col)]) if k > 1 else 0.0
                            for col, k in zip(z.T, n_ok)])
            toys = np.array([any(fr[i].get("z_method") == "toys" for fr in fits)
                             for i in range(len(effs))]) & (n_ok > 0)
            any_toys |= bool(toys.any())
            missing = int((~ok).sum())
            note = f" ({missing} of {z.size} missing: failed fit)" if missing else ""
            ax.errorbar(effs, mean, yerr=std, marker="o", markevery=list(~toys), color=color,
                        ls=ls, capsize=2, label=label + note)
            ax.plot(effs[toys], mean[toys], "o", mfc="none", color=color, ls="none")
        handles, _ = ax.get_legend_handles_labels()
        if any_toys:
            handles.append(Line2D([], [], marker="o", mfc="none", color="gray", ls="none",
                                  label=f"open: Z from toys (b < {r['z_toys_below']:g})"))
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.axhline(0, color="gray", lw=1)
        ax.set_xlabel(r"fraction of SR events kept $\epsilon$")
        ax.set_ylabel(r"$Z$ [$\sigma$]")
        ax.set_title(f"{title} (mean $\\pm$ std, {len(reps)} repetitions)", fontsize=15)
        # Below the panel: the curves reach every corner.
        ax.legend(handles=handles, fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=2)
    plotting.save(fig, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fits", required=True)
    for fid in ('b6', 'b7'):
        ap.add_argument(f"--{fid}", nargs=2, required=True, help=f"{fid.upper()} .pdf .png")
    args = ap.parse_args(argv)
    with open(args.fits) as f:
        r = json.load(f)
    z_panels(r, "with_signal", ("z", "z_residual_corrected"),
             ("with signal", "with signal, background-only residual subtracted"), args.b6)
    z_panels(r, "background_only", ("z_signed", "z_signed"),
             ("no signal (signed Z)", r"no signal, $Z - Z(\epsilon = 100\%)$"), args.b7, shift=True)


if __name__ == "__main__":
    _bootstrap.run(main)
