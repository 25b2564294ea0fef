"""Benchmark of conditional-flow training: radflow's vectorized MAF (radflow.ml.flows, all
members in one model) against TensorFlow Probability's MaskedAutoregressiveFlow (the field's
library; one tf.function-compiled GradientTape loop per member), same toy, architecture,
batch size and epochs, in one run. Prints wall times and, for the epochs after the first (the
first one traces and compiles the step, ~20 s), events x epochs per second and GFLOP/s counted
from the MADE matrix products (forward + backward = 3 x forward on training events, forward on
validation events). TensorFlow is imported before the clocks start. TFP's flow has no batch-norm bijector here: it adds O(D)
FLOPs per block, which the count leaves out for both."""
import argparse
import json
import os
import time

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow.ml import flows
from radflow.ml.determinism import set_determinism


def toy(n, d, seed):
    """n events of d correlated features whose means move with the mass (GeV)."""
    rng = np.random.default_rng(seed)
    m = rng.uniform(2600.0, 5000.0, n)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 0.002 * (m - 3500.0)[:, None]
    return x, m


def tfp_training(z, c, spec, members, seed):
    """Train ``members`` TFP conditional MAFs one after the other on preprocessed z (N, D),
    conditions c (N, 1); 20% validation evaluated every epoch. Returns the wall time (s) of
    each epoch, (members, epochs)."""
    import tensorflow as tf
    import tensorflow_probability as tfp

    tfb, tfd = tfp.bijectors, tfp.distributions
    d = z.shape[1]
    rng = np.random.default_rng(seed)
    val = rng.random(len(z)) < spec.val_fraction
    times = np.zeros((members, spec.epochs))
    for member in range(members):
        set_determinism(seed + member)
        layers = []
        for i in range(spec.n_blocks):
            made = tfb.AutoregressiveNetwork(
                params=2, hidden_units=[spec.hidden, spec.hidden], activation="relu",
                event_shape=[d], conditional=True, conditional_event_shape=[1],
                conditional_input_layers="first_layer")
            layers += [tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made, name=f"maf{i}"),
                       tfb.Permute(list(reversed(range(d))))]
        dist = tfd.TransformedDistribution(tfd.MultivariateNormalDiag(loc=tf.zeros(d)),
                                           tfb.Chain(list(reversed(layers))))

        def log_prob(x, cond):
            return dist.log_prob(x, bijector_kwargs={f"maf{i}": {"conditional_input": cond}
                                                     for i in range(spec.n_blocks)})

        log_prob(tf.constant(z[:2]), tf.constant(c[:2]))             # build the layers
        variables = dist.trainable_variables
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
            evaluate()
            times[member, epoch] = time.perf_counter() - t0
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=2)
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--features", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=4, help="at least 2 (the first is not timed)")
    ap.add_argument("--blocks", type=int, default=15)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-tfp", action="store_true", help="time radflow's flow only")
    ap.add_argument("--output", help="also write the JSON result here")
    args = ap.parse_args(argv)
    spec = flows.FlowSpec(n_blocks=args.blocks, hidden=args.hidden, epochs=args.epochs,
                          batch_size=args.batch_size, learning_rate=1e-4, keep_best=1)
    if args.epochs < 2:
        ap.error("--epochs must be at least 2: the first epoch traces and compiles")
    import tensorflow as tf  # noqa: F401  (imported before the clocks start)

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
              "radflow_total_s": round(stamps[-1], 2), **rates("radflow", t_vec[0], t_vec[1:].mean())}
    if not args.skip_tfp:
        z, _ = prep.forward(x)
        t_tfp = tfp_training(z, prep.condition(m), spec, args.members, args.seed)
        # Members train one after the other: an epoch of all members is the sum over them.
        result.update(tfp_total_s=round(t_tfp.sum(), 2),
                      **rates("tfp", t_tfp[:, 0].sum(), t_tfp[:, 1:].mean(axis=1).sum()))
        result["steady_speedup"] = round(result["tfp_epoch_s"] / result["radflow_epoch_s"], 2)
    print(json.dumps(result, indent=2))
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
