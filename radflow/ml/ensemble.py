"""Vectorized ensembles: M networks of one architecture trained as one model.

Every weight carries a leading member axis, (M, n_in, n_out), so one batched matrix
multiplication evaluates all members on a minibatch and one optimizer step updates all of
them. Members differ by initialization and by per-member event weights: a weight of 0
removes an event from a member's training or validation set, which is how folds,
bootstraps and different training subsets are expressed. The members' parameters are
disjoint, so the summed loss gives each member exactly the gradient it would get alone
(Adam acts element-wise); they only share the order of the minibatches.

Each member has its own validation loss, its own early stopping (patience) and its own
best epoch, whose weights are restored at the end. Inputs are standardized per member
with the mean and standard deviation of that member's training events, folded into the
first layer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from radflow.ml.models import Architecture


def _activation(tf, name):
    return {"relu": tf.nn.relu, "elu": tf.nn.elu, "linear": tf.identity,
            "leaky_relu": lambda x: tf.nn.leaky_relu(x, alpha=0.1)}[name]


def _member_moments(x, w):
    """Weighted mean and std per member: x (N, d), w (M, N) -> two arrays (M, d)."""
    norm = w.sum(axis=1, keepdims=True)
    mean = (w @ x) / norm
    var = (w @ (x * x)) / norm - mean**2
    return mean, np.sqrt(np.where(var > 1e-12, var, 1.0))


class VectorizedNetwork:
    """M members of ``arch`` on inputs of width ``n_inputs``; call(x (B, d)) -> (M, B, out)."""

    def __init__(self, arch: Architecture, n_members: int, n_inputs: int, seed: int,
                 mean: np.ndarray, std: np.ndarray):
        import tensorflow as tf

        self.tf, self.arch, self.n_members = tf, arch, n_members
        self.mean = tf.constant(mean, tf.float32)          # (M, d)
        self.inv_std = tf.constant(1.0 / std, tf.float32)  # (M, d)
        rng = np.random.default_rng(seed)
        sizes = [n_inputs] + [layer.units for layer in arch.hidden]
        sizes.append(1 if arch.output == "sigmoid" else n_inputs)
        self.kernels, self.biases, self.bn = [], [], {}
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            limit = math.sqrt(6.0 / (a + b))                # Glorot uniform, as Keras Dense
            k = rng.uniform(-limit, limit, size=(n_members, a, b)).astype(np.float32)
            self.kernels.append(tf.Variable(k, name=f"kernel{i}"))
            self.biases.append(tf.Variable(tf.zeros((n_members, 1, b)), name=f"bias{i}"))
        for i, layer in enumerate(arch.hidden):
            if layer.batchnorm:
                u = layer.units
                self.bn[i] = dict(gamma=tf.Variable(tf.ones((n_members, 1, u))),
                                  beta=tf.Variable(tf.zeros((n_members, 1, u))),
                                  mean=tf.Variable(tf.zeros((n_members, 1, u)), trainable=False),
                                  var=tf.Variable(tf.ones((n_members, 1, u)), trainable=False))
        self.dropout_rng = tf.random.Generator.from_seed(seed)

    @property
    def trainable(self):
        bn = [v for d in self.bn.values() for k, v in d.items() if k in ("gamma", "beta")]
        return self.kernels + self.biases + bn

    @property
    def state(self):
        """Every variable that defines the members (saved for the best epoch)."""
        return self.trainable + [v for d in self.bn.values() for k, v in d.items()
                                 if k in ("mean", "var")]

    def __call__(self, x, training=False):
        tf = self.tf
        # First layer with per-member standardization folded in: x (B, d) shared.
        k0 = self.kernels[0] * self.inv_std[:, :, None]                      # (M, d, h)
        b0 = self.biases[0] - tf.einsum("md,mdh->mh", self.mean * self.inv_std,
                                        self.kernels[0])[:, None, :]
        h = tf.einsum("bd,mdh->mbh", x, k0) + b0
        for i, layer in enumerate(self.arch.hidden):
            if i > 0:
                h = tf.matmul(h, self.kernels[i]) + self.biases[i]
            h = _activation(tf, layer.activation)(h)
            if i in self.bn:
                h = self._batchnorm(h, self.bn[i], training)
            if layer.dropout and training:
                keep = self.dropout_rng.uniform(tf.shape(h)) >= layer.dropout
                h = tf.where(keep, h / (1.0 - layer.dropout), 0.0)
        out = tf.matmul(h, self.kernels[-1]) + self.biases[-1]
        return tf.sigmoid(out) if self.arch.output == "sigmoid" else out

    def _batchnorm(self, h, p, training, momentum=0.99, eps=1e-3):
        tf = self.tf
        if training:
            mean, var = tf.nn.moments(h, axes=[1], keepdims=True)
            p["mean"].assign(momentum * p["mean"] + (1 - momentum) * mean)
            p["var"].assign(momentum * p["var"] + (1 - momentum) * var)
        else:
            mean, var = p["mean"], p["var"]
        return p["gamma"] * (h - mean) / tf.sqrt(var + eps) + p["beta"]


def _per_event_loss(tf, arch, pred, y, x):
    """Loss per member and event, (M, B). pred (M, B, out); y (M, B); x (B, d)."""
    if arch.loss == "bce":
        p = tf.clip_by_value(pred[..., 0], 1e-7, 1.0 - 1e-7)
        return -(y * tf.math.log(p) + (1.0 - y) * tf.math.log(1.0 - p))
    return tf.reduce_mean(tf.square(pred - x[None]), axis=-1)


@dataclass
class TrainedEnsemble:
    network: VectorizedNetwork
    val_loss: np.ndarray      # (epochs run, M) validation loss per member and epoch
    best_epoch: np.ndarray    # (M,) epoch (0-based) whose weights were restored
    epochs_run: int

    def predict(self, x, batch_size: int = 16384) -> np.ndarray:
        """Scores (M, N): classifier output, or per-event MSE for the autoencoder."""
        tf, net = self.network.tf, self.network
        outs = []
        for i in range(0, len(x), batch_size):
            xb = tf.constant(np.asarray(x[i:i + batch_size], np.float32))
            pred = net(xb)
            outs.append((pred[..., 0] if net.arch.output == "sigmoid"
                         else tf.reduce_mean(tf.square(pred - xb[None]), axis=-1)).numpy())
        return np.concatenate(outs, axis=1) if outs else np.zeros((net.n_members, 0))


def _broadcast(a, m, n, name, dtype=np.float32):
    a = np.asarray(a, dtype)
    if a.shape == (n,):
        return np.broadcast_to(a, (m, n))
    if a.shape != (m, n):
        raise ValueError(f"{name} must have shape ({n},) or ({m}, {n}), got {a.shape}")
    return a


def train_ensemble(x, y, arch: Architecture, n_members: int, seed: int, train_weight,
                   val_weight, epochs: int = 50, patience: int = 10, batch_size: int = 512,
                   ) -> TrainedEnsemble:
    """Train ``n_members`` networks of ``arch`` in one vectorized model.

    x: (N, d) inputs shared by all members. y: labels (N,) or (M, N) (ignored for MSE).
    train_weight, val_weight: (N,) or (M, N) per-member event weights; 0 excludes an event.
    The loss of a member on a minibatch is sum_b w_mb * l_mb / B, as Keras'
    ``sample_weight``; its validation loss is the weighted mean over its validation events.
    """
    import tensorflow as tf

    from radflow.ml.models import keras_optimizer
    from radflow.seeds import set_determinism

    set_determinism(seed)
    x = np.asarray(x, np.float32)
    n, m = len(x), n_members
    y = _broadcast(np.zeros(n) if y is None else y, m, n, "y")
    w_tr = _broadcast(train_weight, m, n, "train_weight")
    w_val = _broadcast(val_weight, m, n, "val_weight")
    if (w_tr.sum(axis=1) <= 0).any() or (w_val.sum(axis=1) <= 0).any():
        raise ValueError("every member needs training and validation events with weight > 0")
    mean, std = _member_moments(x, (w_tr > 0).astype(np.float64))
    net = VectorizedNetwork(arch, m, x.shape[1], seed, mean, std)
    opt = keras_optimizer(arch)
    train_idx = np.nonzero((w_tr > 0).any(axis=0))[0]
    val_idx = np.nonzero((w_val > 0).any(axis=0))[0]
    x_tf, y_tf, w_tf = tf.constant(x), tf.constant(y), tf.constant(w_tr)
    val_x, val_y, val_w = (tf.constant(a) for a in (x[val_idx], y[:, val_idx], w_val[:, val_idx]))
    val_norm = tf.reduce_sum(val_w, axis=1)

    n_batches = -(-len(train_idx) // batch_size)

    @tf.function
    def run_epoch(order):
        # The whole epoch is one graph: no Python between minibatches.
        for i in tf.range(n_batches):
            idx = order[i * batch_size:(i + 1) * batch_size]
            xb = tf.gather(x_tf, idx)
            yb, wb = tf.gather(y_tf, idx, axis=1), tf.gather(w_tf, idx, axis=1)
            with tf.GradientTape() as tape:
                loss = _per_event_loss(tf, arch, net(xb, training=True), yb, xb)
                total = tf.reduce_sum(loss * wb) / tf.cast(tf.shape(idx)[0], tf.float32)
            grads = tape.gradient(total, net.trainable)
            opt.apply_gradients(zip(grads, net.trainable))

    @tf.function
    def validation_loss():
        total = tf.zeros((m,))
        for start in range(0, len(val_idx), 16384):
            sl = slice(start, start + 16384)
            xb = val_x[sl]
            loss = _per_event_loss(tf, arch, net(xb), val_y[:, sl], xb)
            total += tf.reduce_sum(loss * val_w[:, sl], axis=1)
        return total / val_norm

    best = [tf.Variable(v) for v in net.state]
    best_loss = np.full(m, np.inf)
    best_epoch = np.zeros(m, int)
    history = []
    shuffle = np.random.default_rng(seed)
    for epoch in range(epochs):
        run_epoch(tf.constant(shuffle.permutation(train_idx), tf.int32))
        vl = validation_loss().numpy()
        history.append(vl)
        improved = vl < best_loss
        best_loss = np.where(improved, vl, best_loss)
        best_epoch = np.where(improved, epoch, best_epoch)
        mask = tf.constant(improved)
        for b, v in zip(best, net.state):
            b.assign(tf.where(tf.reshape(mask, [m] + [1] * (len(v.shape) - 1)), v, b))
        if np.all(epoch - best_epoch >= patience):
            break
    for b, v in zip(best, net.state):
        v.assign(b)
    return TrainedEnsemble(net, np.array(history), best_epoch, len(history))
