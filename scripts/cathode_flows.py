"""ANODE and CATHODE flows of one injection: p_data(x|m) on signal-region data and p_bkg(x|m)
on sideband data (train half of the repetition's data draw, radflow.inject.load_repetition;
injected signal included), trained as one vectorized model.
Writes the log-densities of both flows for every SR test event (ANODE), CATHODE's background
template in the SR (masses from a KDE of the SR data's mjj, ``cathode.oversampling`` times the
SR training count, plus a held-out template as large as the SR test background for the
sample-quality checks) and the training record (JSON)."""
import json
import time

import _bootstrap  # sys.path, job header, run()
from radflow import cli, h5io, inject
from radflow.ml import flows
from radflow.seeds import derive_seed
from radflow.templates import cathode


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "signal"))
    ap.add_argument("--injection-name", required=True)
    ap.add_argument("--injection", required=True)
    ap.add_argument("--test-densities", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--record", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    st = cfg["studies"][args.study]
    cols, spec = st["features"], flows.FlowSpec.from_config(st["flow"])
    d, sig = (inject.load_repetition(*p, args.injection, role, cols)
              for p, role in ((args.data, "data"), (args.signal, inject.SIGNAL_ROLE)))

    # Training pool: data train half plus the injected signal, SR or sidebands.
    pool = cathode.flow_training_pool(d, sig, sig["injected"], cols)
    where = f"study {args.study}, injection {args.injection_name}"
    try:
        cathode.check_training_counts(pool, st["flow"]["min_events"], where,
                                      f"studies.{args.study}.flow.min_events")
    except ValueError as err:
        raise SystemExit(f"cathode_flows: {err}") from None
    prep = cathode.flow_preprocessing(d, sig, cols)
    t0 = time.time()
    trained = cathode.train_sr_and_sideband_flows(
        pool, spec, derive_seed(cfg["seed"], args.study, "flows", args.injection_name), where, prep)
    train_s = time.time() - t0
    test = cathode.sr_test_densities(trained, d, sig, sig["injected_test"], cols)

    # CATHODE template, plus a held-out part as large as the SR test background.
    n_holdout = int((~test["is_signal"]).sum())
    t1 = time.time()
    events, n_main = cathode.sample_sr_template(
        trained, pool, st["cathode"]["oversampling"], n_holdout, st["signal_region"],
        st["cathode"]["kde_bandwidth"],
        seed=derive_seed(cfg["seed"], args.study, "sample", args.injection_name),
        mass_seed=derive_seed(cfg["seed"], args.study, "kde", args.injection_name))
    sample_s = time.time() - t1
    # Outputs only once everything succeeded: nothing partial is left behind.
    h5io.write_columns(args.test_densities, test, attrs={"features": cols})
    h5io.write_columns(args.template, cathode.template_columns(events, n_main, cols),
                       attrs={"features": cols})

    record = {"injection": args.injection_name,
              "repetition_seeds": inject.repetition_seeds(args.injection),
              "n_train": {"sr": len(pool.rows[cathode.SR_FLOW]),
                          "sb": len(pool.rows[cathode.SB_FLOW])},
              "n_injected_sr": int((sig["injected"] & sig["sr"]).sum()),
              "n_template": n_main, "n_holdout": n_holdout, "train_seconds": round(train_s, 1),
              "sample_seconds": round(sample_s, 1), "epochs": spec.epochs,
              **cathode.loss_record(trained)}
    with h5io.atomic_output(args.record) as tmp:
        tmp.write_text(json.dumps(record, indent=1))
    print(json.dumps({k: record[k] for k in ("n_train", "train_seconds", "sample_seconds")}))


if __name__ == "__main__":
    _bootstrap.run(main)
