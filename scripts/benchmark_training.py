"""Benchmark of the vectorized classifier ensemble, in one run on one machine: against one
Keras `fit` per member (same work) and against the machine's own single-precision
matrix-multiply rate, measured in the same run.

Toy data: N events of d Gaussian features, labels 50/50 with a mean shift. Both ways use the
same architecture, batch size, epochs and a 20% validation set evaluated every epoch
(early stopping off, so both do the same work). Members are independent, so Keras trains
``--keras-members`` of them one after the other (after one untimed fit) and its time for
all members is that time scaled to ``--members``. The vectorized ensemble is timed twice:
the first call includes the trace of its epoch graph and the process's warm-up, the second
reuses the graph; the speed-up and GFLOP/s use the second.

FLOPs are counted from the dense layers' matrix products, 2 per multiply-add, backward =
2 x forward, on training events (forward only on validation events). The matmul rate is
tf.matmul in float32 on (M, B, w) x (M, w, w) batched products (the ensemble's member
count M, batch B and widest layer w) and on one large square product, best of ``--repeats``.

Default: the mass scan's ensemble, 2000 members of a 16-16 ReLU network, batch 256.
``--quick``: a < 30 s variant (fewer members and events).
"""
import argparse
import json
import os
import time

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow.ml import ensemble, models, traces
from radflow.ml.determinism import set_determinism

QUICK = dict(members=100, events=1000, epochs=1, keras_members=1, square=256, repeats=2)


def toy(n, d, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.5).astype(np.float32)
    x = (rng.normal(size=(n, d)) + 0.5 * y[:, None]).astype(np.float32)
    return x, y, rng.random(n) < 0.2


def train_flops(arch, d, n_train, n_val, epochs, members):
    """Forward + backward (3x forward) on training events, forward on validation events."""
    f = models.flops_per_event(arch, d)
    return members * epochs * (3 * f * n_train + f * n_val)


def one_fit_per_member(arch, x, y, val, members, epochs, batch_size, seed):
    """Keras fit per member; an autoencoder (linear output) reconstructs x with MSE."""
    target = x if arch.output == "linear" else y
    loss = "mse" if arch.loss == "mse" else "binary_crossentropy"
    import keras  # noqa: F401  (loaded before set_determinism, which then seeds Keras too)

    for m in range(members):
        set_determinism(seed + m)
        model = models.keras_model(arch, x.shape[1])
        model.compile(optimizer=models.keras_optimizer(arch), loss=loss)
        model.fit(x[~val], target[~val], validation_data=(x[val], target[val]), epochs=epochs,
                  batch_size=batch_size, verbose=0)


def matmul_gflops(shape_a, shape_b, repeats):
    """Best rate (GFLOP/s, 2 per multiply-add) of tf.matmul on random float32 operands of
    shapes shape_a (..., n, k) and shape_b (..., k, p), after one warm-up product."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = tf.constant(rng.random(shape_a, np.float32))
    b = tf.constant(rng.random(shape_b, np.float32))
    flops = 2.0 * np.prod(shape_a) * shape_b[-1]
    tf.matmul(a, b).numpy()
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        tf.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - t0)
    return flops / best / 1e9


def architecture(args):
    """``--arch`` if given, else a ReLU classifier of the ``--hidden`` widths (the mass
    scan's)."""
    if args.arch:
        return models.get(args.arch)
    units = [int(u) for u in args.hidden.split(",")]
    return models.Architecture(hidden=tuple(models.Layer(u, "relu") for u in units))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=sorted(models.ARCHITECTURES),
                    help="a named architecture instead of --hidden")
    ap.add_argument("--hidden", default="16,16",
                    help="comma-separated widths of a ReLU classifier (the mass scan's)")
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--keras-members", type=int, default=4,
                    help="members Keras trains; its time is scaled to --members")
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--features", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--square", type=int, default=2048, help="size of the square matmul")
    ap.add_argument("--repeats", type=int, default=5, help="matmul repetitions (best kept)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true",
                    help=f"< 30 s: {', '.join(f'{k}={v}' for k, v in QUICK.items())}")
    ap.add_argument("--output", help="also write the JSON result here")
    args = ap.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    arch = architecture(args)
    x, y, val = toy(args.events, args.features, args.seed)
    n_train, n_val = int((~val).sum()), int(val.sum())
    flops = train_flops(arch, args.features, n_train, n_val, args.epochs, args.members)
    width = max([layer.units for layer in arch.hidden] + [args.features])

    import tensorflow as tf  # noqa: F401  (imported before the clocks start)

    rate_batched = matmul_gflops((args.members, args.batch_size, width),
                                 (args.members, width, width), args.repeats)
    rate_square = matmul_gflops((args.square, args.square), (args.square, args.square),
                                args.repeats)
    # One untimed fit first: the process's first fit is slower for both ways (warm-up).
    one_fit_per_member(arch, x, y, val, 1, args.epochs, args.batch_size, args.seed - 1)
    t0 = time.perf_counter()
    one_fit_per_member(arch, x, y, val, args.keras_members, args.epochs, args.batch_size,
                       args.seed)
    t_keras = (time.perf_counter() - t0) * args.members / args.keras_members
    t_vec = []
    for _ in range(2):              # the first call traces the epoch graph, the second not
        t0 = time.perf_counter()
        ensemble.train_ensemble(x, y, arch, args.members, args.seed, (~val).astype(float),
                                val.astype(float), epochs=args.epochs,
                                patience=args.epochs + 1, batch_size=args.batch_size)
        t_vec.append(time.perf_counter() - t0)
    gflops = flops / t_vec[1] / 1e9
    result = {"arch": args.arch or "relu", "hidden": [layer.units for layer in arch.hidden],
              "members": args.members,
              "keras_members": args.keras_members, "events": args.events,
              "features": args.features, "epochs": args.epochs, "batch_size": args.batch_size,
              "cpus": os.cpu_count(), "load_avg_1min": round(os.getloadavg()[0], 2),
              "tf_threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "all"),
              "keras_s_all_members": round(t_keras, 2), "vectorized_first_s": round(t_vec[0], 2),
              "vectorized_s": round(t_vec[1], 2), "speedup_vs_keras": round(t_keras / t_vec[1], 2),
              "gflops_keras": round(flops / t_keras / 1e9, 2),
              "gflops_vectorized": round(gflops, 2),
              "matmul_gflops_batched": round(rate_batched, 2),
              "matmul_gflops_square": round(rate_square, 2),
              "fraction_of_batched_matmul": round(gflops / rate_batched, 3),
              "fraction_of_square_matmul": round(gflops / rate_square, 3),
              "epoch_traces": sum(n for (name, _), n in traces.trace_counts().items()
                                  if name == "ensemble.run_epoch")}
    print(json.dumps(result, indent=2))
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    _bootstrap.run(main)
