"""Benchmark of conditional-flow training: radflow's vectorized MAF (radflow.ml.flows, all
members in one model) against TensorFlow Probability's MaskedAutoregressiveFlow (the field's
library; one tf.function-compiled GradientTape loop per member), same toy, architecture,
batch size and epochs, in one run. Prints wall times and, for the epochs after the first (the
first one traces and compiles the step, ~20 s), events x epochs per second and GFLOP/s counted
from the MADE matrix products (forward + backward = 3 x forward on training events, forward on
validation events). TensorFlow is imported before the clocks start. TFP's flow has no batch-norm bijector here: it adds O(D)
FLOPs per block, which the count leaves out for both. The speed-ups: steady (an epoch of all
members after the first, TFP's over radflow's) and total (whole runs, tracing included).
``--quick``: a < 30 s variant (fewer blocks, events and hidden units).

--spline: radflow's MAF (one flow, --epochs) against TFP's conditional rational-quadratic
spline MAF (the flow of the FETA and CURTAINs papers; one flow, --spline-epochs) on a toy
with a skewed feature (:func:`spline_toy`), same architecture, batch size, learning rate and
validation events. Prints one JSON line: mean seconds of the epochs after the first, trace
seconds (the first epoch's excess over that mean), and the validation loss (nats per event,
preprocessed space; the best epoch so far, the one keep_best training keeps) at equal epochs
and at equal wall time (radflow's epochs that fit in the spline's time, tracing left out;
fewer if --epochs is too small). Settings of the comparison quoted in
radflow/templates/feta.py and curtains.py:
  scripts/benchmark_flows.py --spline --features 5 --blocks 4 --hidden 64 --epochs 80
      --spline-epochs 10 --learning-rate 1e-3"""
import argparse
import dataclasses
import json
import os
import time

import numpy as np

# Compilation is part of what is measured: no executables from XLA's persistent cache.
os.environ.pop("RADFLOW_XLA_CACHE", None)
import _bootstrap  # noqa: E402  (sys.path, job header, run())
from radflow.ml import flows
from radflow.ml.determinism import set_determinism

#: --quick: a small flow on a small toy.
QUICK = dict(members=2, events=1000, blocks=1, hidden=16, epochs=2)

#: Half-width of the spline's range in the preprocessed space (z has unit variance).
SPLINE_BOUND = 6.0


def toy(n, d, seed):
    """n events of d correlated features whose means move with the mass (GeV)."""
    rng = np.random.default_rng(seed)
    m = rng.uniform(2600.0, 5000.0, n)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 0.002 * (m - 3500.0)[:, None]
    return x, m


def spline_toy(n, d, seed):
    """n events of d correlated features whose means move with the mass (GeV), feature 0
    folded at zero and stretched (a skewed, mass-like feature, >= 20)."""
    rng = np.random.default_rng(seed)
    m = rng.uniform(2600.0, 5000.0, n)
    mix = rng.normal(size=(d, d)) / np.sqrt(d)
    shift = np.outer((m - 3500.0) / 1000.0, np.linspace(2.0, 0.5, d))
    x = rng.standard_normal((n, d)) @ mix + shift
    x[:, 0] = np.abs(x[:, 0]) * 30.0 + 20.0
    return x, m


def rq_spline(made, bins):
    """bijector_fn of a TFP MaskedAutoregressiveFlow: the MADE's 3 bins - 1 outputs per
    feature (widths, heights, interior knot slopes) -> a rational-quadratic spline on
    [-SPLINE_BOUND, SPLINE_BOUND] (identity outside), bins at least 1e-3 of the range wide
    and high, knot slopes at least 1e-3."""
    import tensorflow as tf
    import tensorflow_probability as tfp

    def bins_of(logits):
        return 2 * SPLINE_BOUND * (tf.nn.softmax(logits) * (1 - 1e-3 * bins) + 1e-3)

    def fn(x, conditional_input=None):
        p = made(x, conditional_input=conditional_input)
        return tfp.bijectors.RationalQuadraticSpline(
            bin_widths=bins_of(p[..., :bins]), bin_heights=bins_of(p[..., bins:2 * bins]),
            knot_slopes=tf.nn.softplus(p[..., 2 * bins:]) + 1e-3, range_min=-SPLINE_BOUND)
    return fn


def tfp_training(z, c, spec, members, seed, bins=None, val=None):
    """Train ``members`` TFP conditional MAFs one after the other on preprocessed z (N, D),
    conditions c (N, 1): affine, or with ``bins`` a rational-quadratic spline
    (:func:`rq_spline`). Validation events: the mask ``val`` (N,), default a random 20%,
    evaluated every epoch. Returns the wall time (s) and the validation loss (nats per event)
    of each epoch, both (members, epochs)."""
    import tensorflow as tf
    import tensorflow_probability as tfp

    tfb, tfd = tfp.bijectors, tfp.distributions
    d = z.shape[1]
    rng = np.random.default_rng(seed)
    if val is None:
        val = rng.random(len(z)) < spec.val_fraction
    times, losses = np.zeros((2, members, spec.epochs))
    for member in range(members):
        set_determinism(seed + member)
        layers, nets = [], []
        for i in range(spec.n_blocks):
            made = tfb.AutoregressiveNetwork(
                params=2 if bins is None else 3 * bins - 1,
                hidden_units=[spec.hidden, spec.hidden], activation="relu", event_shape=[d],
                conditional=True, conditional_event_shape=[1],
                conditional_input_layers="first_layer")
            maf = (tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made, name=f"maf{i}")
                   if bins is None else
                   tfb.MaskedAutoregressiveFlow(bijector_fn=rq_spline(made, bins), name=f"maf{i}"))
            nets.append(made)
            layers += [maf, tfb.Permute(list(reversed(range(d))))]
        dist = tfd.TransformedDistribution(tfd.MultivariateNormalDiag(loc=tf.zeros(d)),
                                           tfb.Chain(list(reversed(layers))))

        def log_prob(x, cond):
            return dist.log_prob(x, bijector_kwargs={f"maf{i}": {"conditional_input": cond}
                                                     for i in range(spec.n_blocks)})

        log_prob(tf.constant(z[:2]), tf.constant(c[:2]))             # build the layers
        # From the networks: a bijector_fn hides them from dist.trainable_variables.
        variables = [v for net in nets for v in net.trainable_variables]
        opt = tf.optimizers.Adam(spec.learning_rate)

        @tf.function
        def step(x, cond):
            with tf.GradientTape() as tape:
                loss = -tf.reduce_mean(log_prob(x, cond))
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables))

        val_x, val_c = tf.constant(z[val]), tf.constant(c[val])
        evaluate = tf.function(lambda: -tf.reduce_mean(log_prob(val_x, val_c)))
        tr = np.nonzero(~val)[0]
        for epoch in range(spec.epochs):
            t0 = time.perf_counter()
            order = rng.permutation(tr)
            for i in range(0, len(order), spec.batch_size):
                b = order[i:i + spec.batch_size]
                step(tf.constant(z[b]), tf.constant(c[b]))
            losses[member, epoch] = float(evaluate())
            times[member, epoch] = time.perf_counter() - t0
    return times, losses


def maf_comparison(args, spec):
    """radflow's MAF against TFP's affine MAF, ``args.members`` flows each, on :func:`toy`:
    the result dict."""
    x, m = toy(args.events, args.features, args.seed)
    prep = flows.Preprocessing.fit(x, m)
    n_val = int(spec.val_fraction * args.events)
    f = flows.flops_per_event(spec, args.features)
    epoch_flops = args.members * (3 * f * (args.events - n_val) + f * n_val)
    epoch_events = args.members * args.events

    def rates(name, first, steady):
        """first: seconds of the first epoch; steady: mean seconds of a later epoch."""
        return {f"{name}_first_epoch_s": round(first, 2), f"{name}_epoch_s": round(steady, 3),
                f"{name}_event_epochs_per_s": round(epoch_events / steady),
                f"{name}_gflops": round(epoch_flops / steady / 1e9, 2)}

    stamps = []
    t0 = time.perf_counter()
    flows.train_flows(x, m, [np.arange(args.events)] * args.members, spec, seed=args.seed,
                      names=[f"member {i}" for i in range(args.members)], prep=prep,
                      log=lambda s: stamps.append(time.perf_counter() - t0))
    t_vec = np.diff([0.0] + stamps)
    threads = os.environ.get("TF_NUM_INTRAOP_THREADS", "all")
    result = {"members": args.members, "events": args.events, "features": args.features,
              "epochs": args.epochs, "blocks": args.blocks, "hidden": args.hidden,
              "batch_size": args.batch_size, "cpus": os.cpu_count(), "tf_threads": threads,
              "load_avg_1min": round(os.getloadavg()[0], 2),
              "radflow_total_s": round(stamps[-1], 2), **rates("radflow", t_vec[0], t_vec[1:].mean())}
    if not args.skip_tfp:
        z, _ = prep.forward(x)
        t_tfp, _ = tfp_training(z, prep.condition(m), spec, args.members, args.seed)
        # Members train one after the other: an epoch of all members is the sum over them.
        result.update(tfp_total_s=round(t_tfp.sum(), 2),
                      **rates("tfp", t_tfp[:, 0].sum(), t_tfp[:, 1:].mean(axis=1).sum()))
        result["steady_speedup"] = round(result["tfp_epoch_s"] / result["radflow_epoch_s"], 2)
        result["total_speedup"] = round(result["tfp_total_s"] / result["radflow_total_s"], 2)
    return result


def spline_comparison(args, spec):
    """radflow's MAF (``spec``, one flow) against TFP's RQ-spline MAF (``args.spline_epochs``,
    ``args.bins``) on :func:`spline_toy`, the same validation events: the result dict."""
    x, m = spline_toy(args.events, args.features, args.seed)
    prep = flows.Preprocessing.fit(x, m)
    val = np.random.default_rng([args.seed, 2]).random(args.events) < spec.val_fraction
    stamps = []
    t0 = time.perf_counter()
    trained = flows.train_flows(x, m, [np.arange(args.events)], spec, seed=args.seed,
                                names=["radflow"], prep=prep, val_rows=[np.nonzero(val)[0]],
                                log=lambda s: stamps.append(time.perf_counter() - t0))
    t_rad, l_rad = np.diff([0.0] + stamps), trained.val_loss[:, 0].astype(float)
    z, _ = prep.forward(x)
    times, losses = tfp_training(z, prep.condition(m),
                                 dataclasses.replace(spec, epochs=args.spline_epochs), 1,
                                 args.seed, bins=args.bins, val=val)
    t_spl, l_spl = times[0], losses[0]
    epoch_rad, epoch_spl = t_rad[1:].mean(), t_spl[1:].mean()
    equal = min(args.epochs, args.spline_epochs)
    # radflow's epochs in the spline's wall time (steady epochs, tracing left out).
    fit = int(np.clip(args.spline_epochs * epoch_spl // epoch_rad, 1, args.epochs))
    return {"events": args.events, "features": args.features, "blocks": args.blocks,
            "hidden": args.hidden, "batch_size": args.batch_size,
            "learning_rate": args.learning_rate, "bins": args.bins, "cpus": os.cpu_count(),
            "tf_threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "all"),
            "load_avg_1min": round(os.getloadavg()[0], 2),
            "radflow_epoch_s": round(epoch_rad, 3), "spline_epoch_s": round(epoch_spl, 3),
            "radflow_trace_s": round(t_rad[0] - epoch_rad, 2),
            "spline_trace_s": round(t_spl[0] - epoch_spl, 2),
            "equal_epochs": equal, "radflow_val_nll_equal_epochs": round(l_rad[:equal].min(), 4),
            "spline_val_nll_equal_epochs": round(l_spl[:equal].min(), 4),
            "equal_time_s": round(args.spline_epochs * epoch_spl, 2),
            "radflow_epochs_equal_time": fit, "radflow_equal_time_s": round(fit * epoch_rad, 2),
            "radflow_val_nll_equal_time": round(l_rad[:fit].min(), 4),
            "spline_val_nll_equal_time": round(l_spl.min(), 4)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=2)
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--features", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=4, help="at least 2 (the first is not timed); "
                    "with --spline, radflow's, enough to fill the spline's wall time")
    ap.add_argument("--blocks", type=int, default=15)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--learning-rate", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-tfp", action="store_true", help="time radflow's flow only")
    ap.add_argument("--spline", action="store_true",
                    help="compare with TFP's RQ-spline MAF instead (one flow each; --members "
                    "and --skip-tfp do not apply)")
    ap.add_argument("--spline-epochs", type=int, default=10, help="at least 2")
    ap.add_argument("--bins", type=int, default=8, help="spline bins")
    ap.add_argument("--quick", action="store_true",
                    help=f"< 30 s: {', '.join(f'{k}={v}' for k, v in QUICK.items())}")
    ap.add_argument("--output", help="also write the JSON result here")
    args = ap.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    spec = flows.FlowSpec(n_blocks=args.blocks, hidden=args.hidden, epochs=args.epochs,
                          batch_size=args.batch_size, learning_rate=args.learning_rate,
                          keep_best=1)
    if min(args.epochs, args.spline_epochs) < 2:
        ap.error("--epochs and --spline-epochs must be at least 2: the first epoch traces and "
                 "compiles")
    import tensorflow as tf  # noqa: F401  (imported before the clocks start)

    result = spline_comparison(args, spec) if args.spline else maf_comparison(args, spec)
    print(json.dumps(result, indent=None if args.spline else 2))
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    _bootstrap.run(main)
