"""DCTR (SALAD paper, Sec. IV): train the mjj-parametrized data-vs-sim classifier in the
sidebands on the search data (quarter 0 of the injection: the data the search trains on,
plus the injected signal) vs the train half of sim, then write, for every data, sim and
signal event of the repetition (radflow.inject.load_repetition; rows in its order), the classifier output f and (sim) the weight
w = f/(1-f) / (N_data/N_sim), which maps the sim density onto the data density, each
normalized over the training sidebands (so sum(w) over sim sidebands ~ N_sim)."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli, inject
from radflow.seeds import derive_seed
from radflow.templates import Events
from radflow.templates.salad import SaladTemplate


def main(argv=None):
    ap = cli.study_parser(__doc__, ("data", "sim", "signal"))
    ap.add_argument("--injection", required=True, help="output of the inject rule")
    ap.add_argument("--sideband", default="sb", choices=["sb", "long_sb"],
                    help="region column the reweighting is trained in")
    ap.add_argument("--arch", default="salad")
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    cols, tr = cfg["studies"][args.study]["features"], cfg["training"]
    d, s, sig = (inject.load_repetition(*p, args.injection, role, cols) for p, role in
                 ((args.data, "data"), (args.sim, "sim"), (args.signal, inject.SIGNAL_ROLE)))
    xd, xs, xg = (np.column_stack([p[c] for c in cols]) for p in (d, s, sig))
    td = d[args.sideband] & (d["quarter"] == 0)       # the search data only
    tg = sig[args.sideband] & sig["injected"]
    ts = s[args.sideband] & ~s["test"]
    template = SaladTemplate(arch=args.arch, n_init=tr["n_init"], epochs=tr["epochs"],
                             patience=tr["patience"], batch_size=tr["batch_size"])
    template.fit(Events(np.concatenate([xd[td], xg[tg]]), np.r_[d["mjj"][td], sig["mjj"][tg]]),
                 seed=derive_seed(cfg["seed"], args.study, "dctr"),
                 sim=Events(xs[ts], s["mjj"][ts]))
    model = template.model
    out = {"f_data": model.classifier(xd, d["mjj"]), "f_sim": model.classifier(xs, s["mjj"]),
           "f_signal": model.classifier(xg, sig["mjj"]), "w_sim": model.weights(xs, s["mjj"])}
    h5io.write_columns(args.output, out, attrs={"features": cols, "sideband": args.sideband,
                                              "prior": model.prior})
    sr_w = out["w_sim"][s["sr"]]
    print(f"DCTR: trained on {td.sum()} data + {tg.sum()} injected signal and {ts.sum()} sim "
          f"{args.sideband} events; "
          f"SR sim weights mean {sr_w.mean():.3f}, std {sr_w.std():.3f}")


if __name__ == "__main__":
    _bootstrap.run(main)
