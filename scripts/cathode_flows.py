"""ANODE and CATHODE flows of one injection: p_data(x|m) on signal-region data and p_bkg(x|m)
on sideband data (train half, injected signal included), trained as one vectorized model.
Writes the log-densities of both flows for every SR test event (ANODE), CATHODE's background
template in the SR (masses from a KDE of the SR data's mjj, ``cathode.oversampling`` times the
SR training count, plus a held-out template as large as the SR test background for the
sample-quality checks) and the training record (JSON)."""
import json
import time

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow import cli, h5io, regions
from radflow.ml import flows
from radflow.seeds import derive_seed
from radflow.templates.cathode import CathodeTemplate


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
    d, sig = (regions.load_study_sample(*p, cols) for p in (args.data, args.signal))
    inj = h5io.read_columns(args.injection)
    x = {k: np.column_stack([p[c] for c in cols]) for k, p in (("d", d), ("sig", sig))}

    # Training pool: data train half plus the injected signal, SR or sidebands.
    sel_d = ~d["test"] & (d["sr"] | d["sb"])
    sel_s = inj["injected"] & (sig["sr"] | sig["sb"])
    pool_x = np.concatenate([x["d"][sel_d], x["sig"][sel_s]])
    pool_m = np.concatenate([d["mjj"][sel_d], sig["mjj"][sel_s]])
    pool_sr = np.concatenate([d["sr"][sel_d], sig["sr"][sel_s]])
    rows = [np.nonzero(pool_sr)[0], np.nonzero(~pool_sr)[0]]
    where = f"study {args.study}, injection {args.injection_name}"
    for name, r in zip(("signal region", "sidebands"), rows):
        if len(r) < st["flow"]["min_events"]:
            raise SystemExit(f"cathode_flows: {where}: {len(r)} training events in the {name}, "
                             f"fewer than studies.{args.study}.flow.min_events = "
                             f"{st['flow']['min_events']}; generate more data or widen the region")
    # One preprocessing for both flows, fitted on every event either flow is evaluated on.
    test_d, test_s = d["test"] & d["sr"], sig["test"] & sig["sr"]
    everything = (d["sr"] | d["sb"], sig["sr"] | sig["sb"])
    prep = flows.Preprocessing.fit(np.concatenate([x["d"][everything[0]], x["sig"][everything[1]]]),
                                   np.concatenate([d["mjj"][everything[0]], sig["mjj"][everything[1]]]))
    t0 = time.time()
    trained = flows.train_flows(
        pool_x, pool_m, rows, spec, seed=derive_seed(cfg["seed"], args.study, "flows", args.injection_name),
        names=[f"{where}, flow p_data on SR data", f"{where}, flow p_bkg on sideband data"], prep=prep)
    train_s = time.time() - t0

    x_test = np.concatenate([x["d"][test_d], x["sig"][test_s]])
    m_test = np.concatenate([d["mjj"][test_d], sig["mjj"][test_s]])
    lp = trained.log_prob(x_test, m_test)

    # CATHODE template: SB flow at SR masses from the KDE of the SR training data's mjj.
    n_sr = len(rows[0])
    n_main, n_holdout = int(st["cathode"]["oversampling"] * n_sr), int(test_d.sum())
    template = CathodeTemplate.from_trained(trained, 1, st["signal_region"],
                                            st["cathode"]["kde_bandwidth"])
    t1 = time.time()
    events = template.sample(pool_m[rows[0]], n_main + n_holdout,
                             seed=derive_seed(cfg["seed"], args.study, "sample", args.injection_name),
                             mass_seed=derive_seed(cfg["seed"], args.study, "kde", args.injection_name))
    masses, samples = events.m, events.x
    sample_s = time.time() - t1
    # Outputs only once everything succeeded: nothing partial is left behind.
    h5io.write_columns(args.test_densities, {
        "log_p_data": lp[0], "log_p_bkg": lp[1], "mjj": m_test,
        "is_signal": np.r_[np.zeros(test_d.sum(), bool), np.ones(test_s.sum(), bool)],
        "injected": np.r_[np.zeros(test_d.sum(), bool), inj["injected_test"][test_s]],
        **{c: x_test[:, i] for i, c in enumerate(cols)}}, attrs={"features": cols})
    h5io.write_columns(args.template, {
        "mjj": masses, "holdout": np.arange(len(masses)) >= n_main,
        **{c: samples[:, i] for i, c in enumerate(cols)}}, attrs={"features": cols})

    record = {"injection": args.injection_name, "n_train": {"sr": n_sr, "sb": len(rows[1])},
              "n_injected_sr": int((sel_s & sig["sr"]).sum()),
              "n_template": n_main, "n_holdout": n_holdout, "train_seconds": round(train_s, 1),
              "sample_seconds": round(sample_s, 1), "epochs": spec.epochs,
              "val_loss": {"sr": trained.val_loss[:, 0].tolist(), "sb": trained.val_loss[:, 1].tolist()},
              "train_loss": {"sr": trained.train_loss[:, 0].tolist(),
                             "sb": trained.train_loss[:, 1].tolist()},
              "kept_val_loss": {"sr": sorted(trained.kept_loss[:, 0].tolist()),
                                "sb": sorted(trained.kept_loss[:, 1].tolist())}}
    with h5io.atomic_output(args.record) as tmp:
        tmp.write_text(json.dumps(record, indent=1))
    print(json.dumps({k: record[k] for k in ("n_train", "train_seconds", "sample_seconds")}))


if __name__ == "__main__":
    main()
