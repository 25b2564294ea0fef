"""Figures B6 and B7 (SA-CWoLa paper, Figs. 6-7) from results/{study}/fits.json.

B6: fitted significance vs background efficiency with signal, raw and residual-corrected.
B7: the same without signal (signed Z), raw and shifted so that 100% efficiency is 0."""
import argparse
import json

import matplotlib.pyplot as plt
import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import plotting


def z_panels(r, case, keys, titles, out, shift=False):
    effs = np.array(r["efficiencies"])
    fig, axes = plt.subplots(1, 2, figsize=(16, 6.5), gridspec_kw={"wspace": 0.25})
    for ax, key, title in zip(axes, keys, titles):
        for m, fits in r["cases"][case]["methods"].items():
            label, color, ls = plotting.METHOD_STYLE[m]
            z = np.array([np.nan if f.get(key) is None else f[key] for f in fits], float)
            if shift and ax is axes[1]:
                z = z - z[np.argmax(effs)]
            failed = int(np.isnan(z).sum())
            ax.plot(effs, z, "o", color=color, ls=ls,
                    label=label + (f" ({failed} failed fit{'s' * (failed > 1)})" if failed else ""))
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.axhline(0, color="gray", lw=1)
        ax.set_xlabel(r"background efficiency $\epsilon_B$ (SR)")
        ax.set_ylabel(r"$Z$ [$\sigma$]")
        ax.set_title(title, fontsize=16)
        ax.legend(fontsize=12)
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
             ("no signal (signed Z)", r"no signal, $Z - Z(\epsilon_B = 100\%)$"), args.b7, shift=True)


if __name__ == "__main__":
    main()
