"""Threshold scan and sideband fits of the SA-CWoLa study (SA-CWoLa paper, Figs. 4-7):
for each method and target efficiency (thresholds keep that fraction of all SR events, as a
search would; the truth only reports what they kept), with signal injected and background only, fit the selected mjj
spectrum and compute Z (raw and residual-corrected, per repetition; from pseudo-experiments when the SR
background b < bump_hunt.Z_TOYS_BELOW events). Writes results/{study}/fits.json: ``cases`` of
repetition 0 (B4, B5) and ``repetitions``, the cases of every repetition (B6, B7)."""
import json

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow.stats import bump_hunt
from radflow import cli
from radflow.methods import cwola


def scan_case(path, bh, nominal, edges, sr_mask) -> dict:
    """Threshold scan of every method on one score file (test half of 'data' plus the
    signal injected into it)."""
    sc = h5io.read_columns(path)
    use = ~sc["is_signal"] | sc["injected"]
    mjj, in_sr, injected = sc["mjj"][use], sc["sr"][use], sc["injected"][use]
    return {"n_events": int(use.sum()), "n_injected": int(sc["injected"].sum()),
            "injected_counts": np.histogram(sc["mjj"][sc["injected"]], bins=edges)[0].tolist(),
            "methods": {m: bump_hunt.scan(mjj, sc[f"score_{cwola.resolve(m, nominal)}"][use],
                                          in_sr, bh["efficiencies"], edges, sr_mask,
                                          what=f"{path}: method {m}", injected=injected)
                        for m in bh["methods"]}}


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--with-signal", nargs="+", required=True,
                    help="scores of the signal injection, one file per repetition")
    ap.add_argument("--background-only", nargs="+", required=True,
                    help="scores without signal, one file per repetition (same order)")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    if len(args.with_signal) != len(args.background_only):
        raise SystemExit(f"sacwola_bump_hunt: {len(args.with_signal)} with-signal and "
                         f"{len(args.background_only)} background-only score files")
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    bh, nominal = st["bump_hunt"], st["sa_cwola"]["nominal_lambda"]
    edges = bump_hunt.binning(st["fit_range"], bh["n_bins"])
    sr_mask = bump_hunt.sr_bins(edges, st["signal_region"])
    reps = [{case: scan_case(path, bh, nominal, edges, sr_mask)
             for case, path in (("with_signal", sig), ("background_only", bkg))}
            for sig, bkg in zip(args.with_signal, args.background_only)]
    for rep in reps:
        for m in bh["methods"]:
            for sig, bkg in zip(rep["with_signal"]["methods"][m], rep["background_only"]["methods"][m]):
                sig["z_residual_corrected"] = bump_hunt.residual_corrected(sig, bkg)
    result = {"edges": edges.tolist(), "sr_bins": sr_mask.tolist(),
              "signal_region": st["signal_region"], "sidebands": st["sidebands"],
              "efficiencies": bh["efficiencies"], "nominal_lambda": nominal,
              "z_toys_below": bump_hunt.Z_TOYS_BELOW, "n_toys": bump_hunt.N_TOYS,
              "cases": reps[0], "repetitions": reps}
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    for case, r in reps[0].items():
        for m, fits in r["methods"].items():
            print(case, m, [None if not f["converged"] else round(f["z_signed"], 2) for f in fits])


if __name__ == "__main__":
    _bootstrap.run(main)
