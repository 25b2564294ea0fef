"""Synthetic SR background of one method (SALAD, CATHODE, CURTAINs or FETA; one template
interface, radflow/templates/) in one injection of a complementarity study: per generator
seed the template is fitted on the shared sideband training data (and the simulation where
the method needs it) and sampled in the SR. Writes the events of all generators (columns:
features, mjj in GeV, weight, generator) and a JSON record (sizes, seeds, times)."""
import json
import time

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.seeds import derive_seed
from radflow.studies.complementarity import samples
from radflow.templates import templates


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "signal"))
    ap.add_argument("--sim", nargs=2, metavar=("FEATURES_H5", "REGIONS_H5"))
    ap.add_argument("--method", required=True)
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--record", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    cols, where = st["features"], f"study {args.study}, injection {args.injection_name}"
    cls = templates().get(args.method)
    if cls is None:
        raise SystemExit(f"complementarity_synthetic: unknown method {args.method!r} "
                         f"(known: {sorted(templates())})")
    if cls.needs and args.sim is None:
        raise SystemExit(f"complementarity_synthetic: {where}: method {args.method} needs the "
                         f"simulation sample (studies.{args.study}.samples.sim); none given")
    d, sig = (inject.load_repetition(*p, args.injection, role, cols)
              for p, role in ((args.data, "data"), (args.signal, inject.SIGNAL_ROLE)))
    sb = samples.sideband_data(d, sig, cols, cfg["seed"], args.study, args.injection_name)
    sr = samples.sr_data(d, sig, cols)
    sim_fit = sim_sr = None
    if cls.needs:
        s = inject.load_repetition(*args.sim, args.injection, "sim", cols)
        sim_fit = samples.simulation(s, cols, cls.sim_regions, cfg["seed"], args.study,
                                     args.injection_name)
        sim_sr = samples.simulation(s, cols, ("sr",), cfg["seed"], args.study,
                                    args.injection_name)

    parts, times = [], []
    for g in range(st["generators"]["seeds"]):
        template = cls.from_config(st.get(args.method, {}), st["signal_region"])
        t0 = time.time()
        try:
            template.fit(sb, derive_seed(cfg["seed"], args.study, args.method, "fit",
                                         args.injection_name, g), sim=sim_fit)
            t1 = time.time()
            ev = template.sample(sr.m, None, derive_seed(cfg["seed"], args.study, args.method,
                                                         "sample", args.injection_name, g),
                                 sim=sim_sr)
        except (ValueError, RuntimeError) as err:   # bad events, a diverged flow, a failed fit
            raise SystemExit(f"complementarity_synthetic: {where}, generator {g}: {err}") from None
        times.append({"fit_seconds": round(t1 - t0, 1), "sample_seconds": round(time.time() - t1, 1),
                      "n_events": len(ev)})
        parts.append((ev, g))
        print(f"generator {g}: {times[-1]}", flush=True)

    x = np.concatenate([ev.x for ev, _ in parts])
    out = {c: x[:, i] for i, c in enumerate(cols)}
    out.update(mjj=np.concatenate([ev.m for ev, _ in parts]),
               weight=np.concatenate([ev.w for ev, _ in parts]).astype(np.float64),
               generator=np.concatenate([np.full(len(ev), g, np.int32) for ev, g in parts]))
    n_fit = int((~sb.val).sum())
    record = {"method": args.method, "injection": args.injection_name,
              "repetition_seeds": inject.repetition_seeds(args.injection),
              "n_sb_train": n_fit, "n_sb_val": int(sb.val.sum()), "n_sr_data": len(sr),
              "n_sim": None if sim_fit is None else len(sim_fit), "generators": times}
    # Outputs only once every generator succeeded: nothing partial is left behind.
    h5io.write_columns(args.output, out, attrs={
        "method": args.method, "n_generators": len(parts), "features": cols,
        "n_sb_train": n_fit, "n_sb_val": int(sb.val.sum()),
        "oversampling": float(st.get(args.method, {}).get("oversampling", 1.0))})
    with h5io.atomic_output(args.record) as tmp:
        tmp.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    _bootstrap.run(main)
