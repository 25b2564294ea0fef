"""Threshold scan and sideband fits of the SA-CWoLa study (SA-CWoLa paper, Figs. 4-7):
for each method and target background efficiency, with signal injected and background
only, fit the selected mjj spectrum and compute Z (raw and residual-corrected). Writes
results/{study}/fits.json."""
import json

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import h5io
from radflow.stats import bump_hunt
from radflow import cli
from radflow.methods import cwola


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--study", required=True)
    ap.add_argument("--with-signal", required=True, help="scores of the signal injection")
    ap.add_argument("--background-only", required=True, help="scores without signal")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    bh, nominal = st["bump_hunt"], st["sa_cwola"]["nominal_lambda"]
    edges = bump_hunt.binning(st["fit_range"], bh["n_bins"])
    sr_mask = bump_hunt.sr_bins(edges, st["signal_region"])
    result = {"edges": edges.tolist(), "sr_bins": sr_mask.tolist(),
              "signal_region": st["signal_region"], "sidebands": st["sidebands"],
              "efficiencies": bh["efficiencies"], "nominal_lambda": nominal, "cases": {}}
    for case, path in (("with_signal", args.with_signal), ("background_only", args.background_only)):
        sc = h5io.read_columns(path)
        # The bump-hunt data: the test half of 'data' plus the signal injected into it.
        use = ~sc["is_signal"] | sc["injected"]
        mjj, in_sr = sc["mjj"][use], sc["sr"][use]
        result["cases"][case] = {
            "n_events": int(use.sum()), "n_injected": int(sc["injected"].sum()),
            "injected_counts": np.histogram(sc["mjj"][sc["injected"]], bins=edges)[0].tolist(),
            "methods": {m: bump_hunt.scan(mjj, sc[f"score_{cwola.resolve(m, nominal)}"][use],
                                          in_sr, bh["efficiencies"], edges, sr_mask,
                                          what=f"{path}: method {m}")
                        for m in bh["methods"]}}
    for m in bh["methods"]:
        for sig, bkg in zip(result["cases"]["with_signal"]["methods"][m],
                            result["cases"]["background_only"]["methods"][m]):
            sig["z_residual_corrected"] = bump_hunt.residual_corrected(sig, bkg)
    with h5io.atomic_output(args.output) as tmp:
        tmp.write_text(json.dumps(result, indent=1))
    for case, r in result["cases"].items():
        for m, fits in r["methods"].items():
            print(case, m, [None if not f["converged"] else round(f["z_signed"], 2) for f in fits])


if __name__ == "__main__":
    main()
