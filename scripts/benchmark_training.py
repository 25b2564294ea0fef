"""Benchmark: train the same ensemble one Keras `fit` per member, then vectorized, in one
run; print both wall times, the speed-up and the achieved GFLOP/s.

Toy data: N events of d Gaussian features, labels 50/50 with a mean shift. Both ways use the
same architecture, batch size, epochs and a 20% validation set evaluated every epoch
(early stopping off, so both do the same work).
"""
import argparse
import json
import os
import time

import numpy as np

import _bootstrap  # noqa: F401  (sys.path, job header)
from radflow.ml import ensemble, models
from radflow.ml.determinism import set_determinism


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
    for m in range(members):
        set_determinism(seed + m)
        model = models.keras_model(arch, x.shape[1])
        model.compile(optimizer=models.keras_optimizer(arch), loss=loss)
        model.fit(x[~val], target[~val], validation_data=(x[val], target[val]), epochs=epochs,
                  batch_size=batch_size, verbose=0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", default="sacwola", choices=sorted(models.ARCHITECTURES))
    ap.add_argument("--members", type=int, default=50)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--features", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", help="also write the JSON result here")
    args = ap.parse_args(argv)
    arch = models.get(args.arch)
    x, y, val = toy(args.events, args.features, args.seed)
    flops = train_flops(arch, args.features, (~val).sum(), val.sum(), args.epochs, args.members)

    t0 = time.perf_counter()
    one_fit_per_member(arch, x, y, val, args.members, args.epochs, args.batch_size, args.seed)
    t_seq = time.perf_counter() - t0
    t0 = time.perf_counter()
    ensemble.train_ensemble(x, y, arch, args.members, args.seed, (~val).astype(float),
                            val.astype(float), epochs=args.epochs, patience=args.epochs + 1,
                            batch_size=args.batch_size)
    t_vec = time.perf_counter() - t0
    result = {"arch": args.arch, "members": args.members, "events": args.events,
              "epochs": args.epochs, "batch_size": args.batch_size, "cpus": os.cpu_count(),
              "one_fit_per_member_s": round(t_seq, 2), "vectorized_s": round(t_vec, 2),
              "speedup": round(t_seq / t_vec, 2),
              "gflops_one_fit_per_member": round(flops / t_seq / 1e9, 2),
              "gflops_vectorized": round(flops / t_vec / 1e9, 2)}
    print(json.dumps(result, indent=2))
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
