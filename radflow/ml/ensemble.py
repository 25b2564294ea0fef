"""Vectorized ensembles: M networks of one architecture trained as one model.

Every weight carries a leading member axis, (M, n_in, n_out), so one batched matrix
multiplication evaluates all members and one optimizer step updates all of them. Members
differ by initialization and by per-member event weights: a weight of 0 removes an event
from a member's training or validation set, which is how folds, bootstraps, methods with
different training samples and region weights are expressed. Where each member uses only a
small part of a large event array (k-fold classifiers of many templates against the same
data), each member can instead index its own table of rows (``member_rows``), so that the
per-member weights are as long as that table, not as the whole array.

Each member trains as if alone (Keras ``fit`` semantics per member):
- its own minibatches: every epoch it permutes its own training rows (those with weight
  != 0) with its own seed and takes ``batch_size`` of them per step; its epoch is one pass
  over its own rows, so a member with fewer rows has fewer steps and idles (no update at
  all, Adam moments and step count included) while larger members finish their epoch;
- its loss on a step is sum_b w_b * l_b / n_b over its own batch of n_b rows (Keras'
  ``sample_weight`` reduction);
- its own Adam step count and learning-rate decay;
- batch-norm statistics from its own batch rows only;
- inputs standardized with the mean and standard deviation of its own training rows,
  folded into the first layer;
- its own initialization (from its member seed), validation loss, early stopping
  (patience) and best epoch, whose weights are restored at the end: a member whose patience
  has run out stops (Keras ``EarlyStopping(restore_best_weights=True)``). From then on it
  idles like a member without rows (weights, Adam moments and step count, batch-norm
  statistics frozen), its validation loss is no longer recorded and its kept epochs no
  longer change, while the other members go on; training ends when every member has
  stopped or after ``epochs``. So a member's training does not depend on how long its
  companions train;
- optionally (``keep_best`` = K > 1) its K epochs of lowest validation loss, whose scores
  are averaged (the CATHODE paper's classifier): K weight snapshots of every member are
  kept, K times the memory of the weights (none for K = 1, where the restored best epoch is
  the only kept one);
- its own dropout masks from a counter-based hash of (the member's dropout key, its own
  step count, layer, batch row, unit) (:func:`_dropout_uniform`): a member draws the same
  masks alone, among other companions or in a job that trains only part of an ensemble.
Members share nothing but the events (and, on a lone run's shape, agree with it to rounding).
"""
from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass

import numpy as np

from radflow import seeds
from radflow.ml import metrics, traces
from radflow.ml.determinism import set_determinism
from radflow.ml.models import Architecture


def _activation(tf, name):
    return {"relu": tf.nn.relu, "elu": tf.nn.elu, "linear": tf.identity,
            "leaky_relu": lambda x: tf.nn.leaky_relu(x, alpha=0.1)}[name]


def _member_moments(x, w, chunk: int = 16):
    """Weighted mean and std per member: x (N, d) float32, w (M, N) (bool: 0/1 weights) ->
    two arrays (M, d), float64 arithmetic, ``chunk`` members at a time (their float64
    weights stay small)."""
    x64, xx64 = x.astype(np.float64), (x * x).astype(np.float64)
    norm = np.empty((len(w), 1))
    first, second = np.empty((len(w), x.shape[1])), np.empty((len(w), x.shape[1]))
    for start in range(0, len(w), chunk):
        wc = np.asarray(w[start:start + chunk], np.float64)
        norm[start:start + chunk] = wc.sum(axis=1, keepdims=True)
        first[start:start + chunk], second[start:start + chunk] = wc @ x64, wc @ xx64
    mean = first / norm
    var = second / norm - mean**2
    return mean, np.sqrt(np.where(var > 1e-12, var, 1.0))


def _member_table_moments(x, member_rows, mask):
    """Mean and std per member of the events of its own table that ``mask`` (M, L) bool
    selects: x (N, d), member_rows (M, L) indices into x -> two arrays (M, d), the
    arithmetic of :func:`_member_moments` with 0/1 weights."""
    mean = np.empty((len(mask), x.shape[1]))
    var = np.empty_like(mean)
    for i, (rows, on) in enumerate(zip(member_rows, mask)):
        xm = x[rows[on]].astype(np.float64)
        mean[i] = xm.sum(axis=0) / len(xm)
        var[i] = (xm * xm).sum(axis=0) / len(xm) - mean[i]**2
    return mean, np.sqrt(np.where(var > 1e-12, var, 1.0))


class VectorizedNetwork:
    """M members of ``arch`` on inputs of width ``n_inputs``.

    call(x) -> (M, B, out): x is (B, d), shared by all members (prediction), or (M, B, d),
    one batch per member (training).
    """

    def __init__(self, arch: Architecture, n_inputs: int, member_seeds, mean: np.ndarray,
                 std: np.ndarray):
        import tensorflow as tf

        n_members = len(member_seeds)
        self.tf, self.arch, self.n_members = tf, arch, n_members
        self.mean = tf.constant(mean, tf.float32)          # (M, d)
        self.inv_std = tf.constant(1.0 / std, tf.float32)  # (M, d)
        sizes = [n_inputs] + [layer.units for layer in arch.hidden]
        sizes.append(arch.output_units(n_inputs))
        rngs = [np.random.default_rng(s) for s in member_seeds]
        self.kernels, self.biases, self.bn = [], [], {}
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            limit = math.sqrt(6.0 / (a + b))                # Glorot uniform, as Keras Dense
            k = np.stack([r.uniform(-limit, limit, size=(a, b)) for r in rngs]).astype(np.float32)
            self.kernels.append(tf.Variable(k, name=f"kernel{i}"))
            self.biases.append(tf.Variable(tf.zeros((n_members, 1, b)), name=f"bias{i}"))
        for i, layer in enumerate(arch.hidden):
            if layer.batchnorm:
                u = layer.units
                self.bn[i] = dict(gamma=tf.Variable(tf.ones((n_members, 1, u))),
                                  beta=tf.Variable(tf.zeros((n_members, 1, u))),
                                  mean=tf.Variable(tf.zeros((n_members, 1, u)), trainable=False),
                                  var=tf.Variable(tf.ones((n_members, 1, u)), trainable=False))
        # Each member's dropout key (M,): from its own seed, so its masks do not depend on
        # its companions (:func:`_dropout_uniform`).
        self.dropout_keys = tf.constant(
            [seeds.derive_seed(s, "dropout") for s in member_seeds], tf.uint32)

    @property
    def trainable(self):
        bn = [v for d in self.bn.values() for k, v in d.items() if k in ("gamma", "beta")]
        return self.kernels + self.biases + bn

    @property
    def state(self):
        """Every variable that defines the members (saved for the best epoch)."""
        return self.trainable + [v for d in self.bn.values() for k, v in d.items()
                                 if k in ("mean", "var")]

    def __call__(self, x, training=False, rows=None, steps=None):
        """Forward pass. ``rows`` (M, B) float, 1 for a real row of a member's batch and 0
        for padding (training only: batch-norm moments and running averages use real rows,
        and a member without rows keeps its running averages); ``steps`` (M,) each member's
        count of completed updates (training with dropout: the masks' counter)."""
        tf = self.tf
        # First layer with per-member standardization folded in.
        k0 = self.kernels[0] * self.inv_std[:, :, None]                      # (M, d, h)
        b0 = self.biases[0] - tf.einsum("md,mdh->mh", self.mean * self.inv_std,
                                        self.kernels[0])[:, None, :]
        shared = len(x.shape) == 2
        h = tf.einsum("bd,mdh->mbh" if shared else "mbd,mdh->mbh", x, k0) + b0
        for i, layer in enumerate(self.arch.hidden):
            if i > 0:
                h = tf.matmul(h, self.kernels[i]) + self.biases[i]
            h = _activation(tf, layer.activation)(h)
            if i in self.bn:
                h = self._batchnorm(h, self.bn[i], training, rows)
            if layer.dropout and training:
                u = _dropout_uniform_xla()(self.dropout_keys, steps, tf.constant(i, tf.uint32), h)
                h = tf.where(u >= layer.dropout, h / (1.0 - layer.dropout), 0.0)
        out = tf.matmul(h, self.kernels[-1]) + self.biases[-1]
        if self.arch.output == "softmax":
            return tf.nn.softmax(out, axis=-1)
        return tf.sigmoid(out) if self.arch.output == "sigmoid" else out

    def _batchnorm(self, h, p, training, rows, momentum=0.99, eps=1e-3):
        tf = self.tf
        if training:
            r = rows[:, :, None]                                              # (M, B, 1)
            n = tf.reduce_sum(r, axis=1, keepdims=True)                       # (M, 1, 1)
            active = n > 0
            n = tf.maximum(n, 1.0)
            mean = tf.reduce_sum(h * r, axis=1, keepdims=True) / n
            var = tf.reduce_sum(tf.square(h - mean) * r, axis=1, keepdims=True) / n
            p["mean"].assign(tf.where(active, momentum * p["mean"] + (1 - momentum) * mean,
                                      p["mean"]))
            p["var"].assign(tf.where(active, momentum * p["var"] + (1 - momentum) * var,
                                     p["var"]))
        else:
            mean, var = p["mean"], p["var"]
        return p["gamma"] * (h - mean) / tf.sqrt(var + eps) + p["beta"]


def _mix32(tf, h):
    """A bijective avalanche of uint32 ``h`` (C. Wellons' "lowbias32" integer hash): every
    input bit flips each output bit with probability near 1/2."""
    xor, shift = tf.bitwise.bitwise_xor, tf.bitwise.right_shift
    h = xor(h, shift(h, 16)) * tf.constant(0x7FEB352D, tf.uint32)
    h = xor(h, shift(h, 15)) * tf.constant(0x846CA68B, tf.uint32)
    return xor(h, shift(h, 16))


def _dropout_uniform(tf, keys, steps, layer, shape):
    """Uniforms in [0, 1) of ``shape`` (M, B, W) for the dropout of hidden layer ``layer``
    (uint32): a counter-based hash of (member key ``keys`` (M,) uint32, member step count
    ``steps`` (M,), layer, row b, unit w), so each member's masks follow from its own key and
    its own steps whatever the ensemble around it. 24-bit resolution; integer arithmetic
    only, so XLA (:func:`_dropout_uniform_xla`) gives the same bits."""
    per_member = _mix32(tf, keys ^ _mix32(tf, tf.cast(steps, tf.uint32) * tf.constant(
        16, tf.uint32) + layer))                                              # (M,)
    cell = tf.cast(tf.reshape(tf.range(shape[1] * shape[2]), (1, shape[1], shape[2])),
                   tf.uint32)                                                 # (1, B, W)
    h = _mix32(tf, _mix32(tf, cell ^ per_member[:, None, None]) + per_member[:, None, None])
    return tf.cast(tf.bitwise.right_shift(h, 8), tf.float32) * (1.0 / (1 << 24))


@functools.lru_cache(maxsize=None)
def _dropout_uniform_xla():
    """:func:`_dropout_uniform` for the shape of a layer's activations h (M, B, W), compiled
    by XLA into one fused loop (its ~20 integer operations unfused cost twice TensorFlow's
    own stateless uniform draw, fused a sixth of it; compiled once per shape)."""
    import tensorflow as tf

    return tf.function(lambda keys, steps, layer, h: _dropout_uniform(
        tf, keys, steps, layer, tf.shape(h)), jit_compile=True, autograph=False)


class MemberAdam:
    """Adam (Keras' update and epsilon) with a step count per member: a member that idles on
    a step (no rows) changes neither its weights nor its moments nor its step count, so its
    trajectory is the one it has when trained alone. ``decay`` is Keras' InverseTimeDecay
    with decay_steps = 1, evaluated at the member's own step count."""

    def __init__(self, arch: Architecture, variables, n_members: int, epsilon: float = 1e-7):
        import tensorflow as tf

        self.tf, self.arch, self.eps = tf, arch, epsilon
        self.variables = list(variables)
        self.m = [tf.Variable(tf.zeros_like(v)) for v in self.variables]
        self.v = [tf.Variable(tf.zeros_like(v)) for v in self.variables]
        self.steps = tf.Variable(tf.zeros((n_members,)))

    def apply(self, grads, active):
        """One step for the members where ``active`` (M,) bool is true."""
        tf, a = self.tf, self.arch
        t = self.steps + 1.0
        lr = a.learning_rate / (1.0 + a.decay * self.steps)
        alpha = lr * tf.sqrt(1.0 - a.beta_2 ** t) / (1.0 - a.beta_1 ** t)     # (M,)
        for var, g, m, v in zip(self.variables, grads, self.m, self.v):
            shape = [-1] + [1] * (len(var.shape) - 1)
            on = tf.reshape(active, shape)
            m_new = m + (g - m) * (1.0 - a.beta_1)
            v_new = v + (tf.square(g) - v) * (1.0 - a.beta_2)
            step = tf.reshape(alpha, shape) * m_new / (tf.sqrt(v_new) + self.eps)
            m.assign(tf.where(on, m_new, m))
            v.assign(tf.where(on, v_new, v))
            var.assign(tf.where(on, var - step, var))
        self.steps.assign(tf.where(active, t, self.steps))


def _per_event_loss(tf, arch, pred, y, x):
    """Loss per member and event, (M, B). pred (M, B, out); y (M, B) (class indices for
    cce); x (B, d) or (M, B, d)."""
    if arch.loss == "bce":
        p = tf.clip_by_value(pred[..., 0], 1e-7, 1.0 - 1e-7)
        return -(y * tf.math.log(p) + (1.0 - y) * tf.math.log(1.0 - p))
    if arch.loss == "cce":
        p = tf.clip_by_value(pred, 1e-7, 1.0 - 1e-7)
        return -tf.reduce_sum(tf.one_hot(tf.cast(y, tf.int32), arch.n_classes)
                              * tf.math.log(p), axis=-1)
    return tf.reduce_mean(tf.square(pred - (x if len(x.shape) == 3 else x[None])), axis=-1)


@dataclass
class TrainedEnsemble:
    """M trained members; ``network`` holds each member's best-epoch weights.

    val_loss (epochs run, M): validation loss per epoch and member, NaN after the member
    stopped. best_epoch (M,): epoch (0-based) of the lowest validation loss.
    epochs_trained (M,): epochs each member trained before it stopped (or ``epochs``).
    kept_epoch (K, M): the K epochs of lowest validation loss whose scores :meth:`predict`
    averages, -1 in a slot a member left empty (it trained fewer than K epochs); for K = 1
    the best epoch. snapshots: per slot k > 1 the members' weights of epoch kept_epoch[k]
    (list of arrays shaped like ``network.state``); empty for K = 1.
    """
    network: VectorizedNetwork
    val_loss: np.ndarray
    best_epoch: np.ndarray
    epochs_trained: np.ndarray
    kept_epoch: np.ndarray
    snapshots: list

    @property
    def epochs_run(self) -> int:
        """Epochs the ensemble ran: those of its longest-training member."""
        return len(self.val_loss)

    def _predict(self, x, batch_size):
        tf, net = self.network.tf, self.network
        outs = []
        for i in range(0, len(x), batch_size):
            xb = tf.constant(np.asarray(x[i:i + batch_size], np.float32))
            pred = net(xb)
            if net.arch.output == "softmax":
                outs.append(pred.numpy())
                continue
            outs.append((pred[..., 0] if net.arch.output == "sigmoid"
                         else tf.reduce_mean(tf.square(pred - xb[None]), axis=-1)).numpy())
        if not outs:
            return np.zeros((net.n_members, 0) + ((net.arch.n_classes,)
                                                  if net.arch.output == "softmax" else ()))
        return np.concatenate(outs, axis=1)

    def kept_scores(self, x, batch_size: int = 16384) -> np.ndarray:
        """Scores (K, M, N) of every kept epoch (slot order of ``kept_epoch``; NaN in empty
        slots) on x (N, d): classifier output, or per-event MSE for the autoencoder; for a
        softmax output the class probabilities, (K, M, N, n_classes)."""
        if not self.snapshots:
            return self._predict(x, batch_size)[None]
        state = self.network.state
        best = [v.numpy() for v in state]
        out = []
        for snap in self.snapshots:
            for v, a in zip(state, snap):
                v.assign(a)
            out.append(self._predict(x, batch_size))
        for v, a in zip(state, best):
            v.assign(a)
        out = np.stack(out)
        filled = (self.kept_epoch >= 0).reshape(self.kept_epoch.shape + (1,) * (out.ndim - 2))
        return np.where(filled, out, np.nan)

    def predict(self, x, batch_size: int = 16384) -> np.ndarray:
        """Scores (M, N) on x (N, d) ((M, N, n_classes) for a softmax output): per member
        the mean of :meth:`kept_scores` over its kept epochs (for K = 1, its best epoch's
        scores)."""
        if not self.snapshots:
            return self._predict(x, batch_size)
        return np.nanmean(self.kept_scores(x, batch_size), axis=0)


def validation_split(weights, rng, fraction: float = 0.2):
    """(train_weight, val_weight) of events with ``weights`` (N,): a random ``fraction`` of
    them, drawn from ``rng`` (a seed or a NumPy Generator), moves to validation."""
    w = np.asarray(weights, float)
    val = np.random.default_rng(rng).random(len(w)) < fraction
    return np.where(val, 0.0, w), np.where(val, w, 0.0)


def _broadcast(a, m, n, name, dtype=np.float32):
    a = np.asarray(a, dtype)
    if a.shape == (n,):
        return np.broadcast_to(a, (m, n))
    if a.shape != (m, n):
        raise ValueError(f"{name} must have shape ({n},) or ({m}, {n}), got {a.shape}")
    return a


def _padded_rows(mask):
    """Per member the indices of its rows (mask (M, N) bool), padded to the longest:
    idx (M, V) int32 and real (M, V) float32 (0 marks padding)."""
    counts = mask.sum(axis=1)
    idx = np.zeros((len(mask), int(counts.max())), np.int32)
    real = np.zeros(idx.shape, np.float32)
    # Row by row: 5x faster than one np.nonzero of the whole (M, N) mask and a scatter
    # (500 x 46k: 33 ms against 180 ms), the same arrays.
    for i, (row, c) in enumerate(zip(mask, counts)):
        idx[i, :c] = np.flatnonzero(row)
        real[i, :c] = 1.0
    return idx, real


def member_batches(rows, batch_size: int, rngs):
    """One epoch of per-member minibatches.

    rows: per member, the indices of its training rows. Each member permutes its own rows
    with its own generator (``rngs``) and splits them into batches of ``batch_size``.
    Returns idx (S, M, B) int32 and real (S, M, B) float32 (0 marks padding), with S the
    largest number of steps of any member.
    """
    m = len(rows)
    n_steps = max(-(-len(r) // batch_size) for r in rows)
    idx = np.zeros((n_steps, m, batch_size), np.int32)
    real = np.zeros((n_steps, m, batch_size), np.float32)
    for i, (r, rng) in enumerate(zip(rows, rngs)):
        # Written in place in step order (no transposed copy of the whole epoch at the end).
        perm = rng.permutation(r)
        full, rest = divmod(len(r), batch_size)
        idx[:full, i] = perm[:full * batch_size].reshape(full, batch_size)
        real[:full, i] = 1.0
        if rest:
            idx[full, i, :rest] = perm[full * batch_size:]
            real[full, i, :rest] = 1.0
    return idx, real


def member_values(a, idx):
    """Values (S, M, B) of the per-member rows a (M, N) at the batch indices idx (S, M, B),
    gathered one member at a time: a member's row stays in cache, where a gather from the
    whole (M, N) array at every step waits on memory for each entry."""
    out = np.empty(idx.shape, a.dtype)
    for i, row in enumerate(a):
        out[:, i] = row[idx[:, i]]
    return out


def train_ensemble(x, y, arch: Architecture, n_members: int, seed: int, train_weight,
                   val_weight, epochs: int = 50, patience: int = 10, batch_size: int = 512,
                   member_seeds=None, keep_best: int = 1, member_rows=None) -> TrainedEnsemble:
    """Train ``n_members`` networks of ``arch`` in one vectorized model, each as if alone
    (module docstring).

    x: (N, d) inputs shared by all members. y: labels (N,) or (M, N) (ignored for MSE).
    train_weight, val_weight: (N,) or (M, N) per-member event weights; 0 excludes an event.
    member_seeds: (M,) seeds of the members' initialization and minibatch order (default:
    derived from ``seed`` and the member index); a member with the same seed, rows and
    weights follows the same training whatever the other members are.
    A member's rows are the events with weight != 0: negative weights (SA-CWoLa's eq. 2.3
    penalty) train like positive ones with the sign of the loss reversed. The validation
    loss of a member is sum_i w_i l_i / n_val over its n_val validation events (Keras'
    ``sample_weight`` convention, as for the training batches).
    patience: epochs without a lower validation loss after which a member stops (a
    patience >= epochs never stops one). keep_best: K, the number of each member's
    lowest-validation-loss epochs whose scores :meth:`TrainedEnsemble.predict` averages
    (1: the best epoch only).
    member_rows: optional (M, L) ints, each member's own table of L events: event l of
    member i is x[member_rows[i, l]], and y, train_weight and val_weight ((L,) or (M, L))
    index these tables instead of x. For members that each use a small part of a large x
    (many templates, each against the same data): the per-member arrays are (M, L), not
    (M, N). Entries a member does not use carry weight 0 (any valid index).
    """
    import tensorflow as tf

    set_determinism(seed)
    x = np.asarray(x, np.float32)
    n, m = len(x), n_members
    if member_rows is not None:
        member_rows = np.asarray(member_rows, np.int32)
        if member_rows.ndim != 2 or len(member_rows) != m:
            raise ValueError(f"member_rows must have shape ({m}, L), got {member_rows.shape}")
        if member_rows.size and (member_rows.min() < 0 or member_rows.max() >= n):
            raise ValueError(f"member_rows must index the {n} rows of x")
        n = member_rows.shape[1]
    y = np.zeros(n) if y is None else y
    shared_y = np.ndim(y) == 1                 # one label row for all members: no (M, N) copy
    y = _broadcast(y, m, n, "y")
    w_tr = _broadcast(train_weight, m, n, "train_weight")
    w_val = _broadcast(val_weight, m, n, "val_weight")
    on_tr, on_val = w_tr != 0, w_val != 0
    if not (on_tr.any(axis=1).all() and on_val.any(axis=1).all()):
        raise ValueError("every member needs training and validation events (weight != 0)")
    if member_seeds is None:
        member_seeds = [seeds.derive_seed(seed, "member", i) for i in range(m)]
    if len(member_seeds) != m:
        raise ValueError(f"member_seeds has {len(member_seeds)} entries for {m} members")
    if keep_best < 1:
        raise ValueError(f"keep_best must be >= 1, got {keep_best}")
    if member_rows is None:
        mean, std = _member_moments(x, on_tr)
    else:
        mean, std = _member_table_moments(x, member_rows, on_tr)
    net = VectorizedNetwork(arch, x.shape[1], member_seeds, mean, std)
    opt = MemberAdam(arch, net.trainable, m)
    rows = [np.nonzero(w)[0] for w in on_tr]
    order_rngs = [np.random.default_rng([s, 1]) for s in member_seeds]
    # The epoch and validation graphs are built once per architecture and shape and shared
    # by every call (:func:`_compiled_steps`): networks, optimizer state and events are
    # their arguments.
    run_epoch, validation_loss = _compiled_steps(arch)
    data = dict(x=tf.constant(x), y=tf.constant(y[0] if shared_y else y),
                rows=None if member_rows is None else tf.constant(member_rows))
    net_state = dict(kernels=net.kernels, biases=net.biases, bn=net.bn, mean=net.mean,
                     inv_std=net.inv_std, dropout_keys=net.dropout_keys)
    adam_state = dict(m=opt.m, v=opt.v, steps=opt.steps)
    # Validation: each member evaluates only its own validation rows (a fold of k-fold is
    # 1/k of the events), gathered and padded like the training batches, with their weights.
    val_idx, val_real = _padded_rows(on_val)
    val_args = (net_state, data, tf.constant(val_idx), tf.constant(val_real),
                tf.constant(np.take_along_axis(w_val, val_idx, axis=1)))

    k = min(keep_best, epochs)
    kept = [[tf.Variable(v) for v in net.state] for _ in range(k)]   # (K, state) snapshots
    kept_loss = np.full((k, m), np.inf)
    kept_epoch = np.full((k, m), -1)
    member = np.arange(m)
    active = np.ones(m, bool)              # members whose patience has not run out
    epochs_trained = np.full(m, epochs)
    history = []
    for epoch in range(epochs):
        # A stopped member gets no rows: it idles (module docstring).
        own = [r if a else r[:0] for r, a in zip(rows, active)]
        idx, real = member_batches(own, batch_size, order_rngs)
        args = (net_state, adam_state, data,
                *(tf.constant(v) for v in (idx, real, member_values(w_tr, idx))))
        run_epoch(*args)(*args)
        vl = validation_loss(*val_args)(*val_args).numpy()
        history.append(np.where(active, vl, np.nan))
        # Keep the K lowest-validation-loss epochs: an active member's new epoch replaces
        # its worst kept one (for K = 1: its best epoch so far) if it is lower.
        worst = np.argmax(kept_loss, axis=0)                                  # (M,)
        replace = active & (vl < kept_loss[worst, member])
        kept_loss[worst[replace], member[replace]] = vl[replace]
        kept_epoch[worst[replace], member[replace]] = epoch
        for slot in np.unique(worst[replace]):
            _assign_members(tf, kept[slot], net.state, replace & (worst == slot))
        best_epoch = kept_epoch[np.argmin(kept_loss, axis=0), member]
        stop = active & (epoch - best_epoch >= patience)
        epochs_trained[stop] = epoch + 1
        active &= ~stop
        if not active.any():
            break
    best_slot = np.argmin(kept_loss, axis=0)
    for slot in range(k):
        _assign_members(tf, net.state, kept[slot], best_slot == slot)
    snapshots = [[v.numpy() for v in snap] for snap in kept] if k > 1 else []
    return TrainedEnsemble(net, np.array(history), best_epoch, epochs_trained, kept_epoch,
                           snapshots)


@functools.lru_cache(maxsize=None)
def _compiled_steps(arch: Architecture):
    """The two tf.functions of :func:`train_ensemble` for ``arch``, built once per process,
    as :func:`radflow.ml.traces.relaxed` getters: ``run_epoch(*args)`` is the graph to call
    with ``args``.

    run_epoch(net_state, adam_state, data, idx, real, weight): one epoch of
    minibatch steps, idx (S, M, B) int32 and real (S, M, B) float32 from
    :func:`member_batches`, weight (S, M, B) float32 the training weights at idx
    (:func:`member_values`).
    validation_loss(net_state, data, val_idx, val_real, val_w) -> (M,): each member's
    validation loss on its padded rows val_idx, val_real (M, V) with their weights val_w
    (M, V).
    net_state: a :class:`VectorizedNetwork`'s variables and constants (kernels, biases, bn,
    mean, inv_std, dropout_keys); adam_state: a :class:`MemberAdam`'s (m, v, steps); data:
    dict of x (N, d), y (N,) shared by the members or (M, N), and rows (M, L) or None
    (``member_rows``). The networks are arguments, not captured, and tensors are traced
    with open dimensions (:func:`radflow.ml.traces.relaxed`), so each function traces once
    per member count and layer sizes (counted in :mod:`radflow.ml.traces`), whatever the
    events, steps, batch size and seeds.
    """
    import tensorflow as tf

    template = VectorizedNetwork(arch, 1, [0], np.zeros((1, 1)), np.ones((1, 1)))
    adam_template = MemberAdam(arch, [], 1)

    def bound(net_state, adam_state=None):
        """The network (and optimizer) of the traced arguments."""
        net = copy.copy(template)
        vars(net).update(net_state)
        if adam_state is None:
            return net
        opt = copy.copy(adam_template)
        vars(opt).update(adam_state, variables=net.trainable)
        return net, opt

    def gather_x(data, ib):
        """Events (M, B, d) at the members' indices ib (M, B) (into their own tables)."""
        if data["rows"] is None:
            return tf.gather(data["x"], ib)
        return tf.gather(data["x"], tf.gather(data["rows"], ib, batch_dims=1))

    def gather_y(data, ib):
        """Labels (M, B) at the members' indices ib (M, B): y (N,) shared or (M, N)."""
        if data["y"].shape.rank == 1:
            return tf.gather(data["y"], ib)
        return tf.gather(data["y"], ib, batch_dims=1)

    def run_epoch(net_state, adam_state, data, idx, real, weight):
        traces.count("ensemble.run_epoch", (arch, traces.shapes(
            (net_state, adam_state, data, idx, real, weight))))
        net, opt = bound(net_state, adam_state)

        def step(s):
            ib, rb, wb = idx[s], real[s], weight[s]                           # (M, B)
            xb = gather_x(data, ib)                                           # (M, B, d)
            yb = gather_y(data, ib)
            n_rows = tf.reduce_sum(rb, axis=1)                                # (M,)
            with tf.GradientTape() as tape:
                pred = net(xb, training=True, rows=rb, steps=opt.steps)
                loss = _per_event_loss(tf, arch, pred, yb, xb)
                per_member = tf.reduce_sum(loss * wb * rb, axis=1) / tf.maximum(n_rows, 1.0)
                total = tf.reduce_sum(per_member)
            grads = tape.gradient(total, net.trainable)
            opt.apply(grads, n_rows > 0)
            return (s + 1,)

        # The whole epoch is one graph: no Python between minibatches.
        tf.while_loop(lambda s: s < tf.shape(idx)[0], step, (tf.constant(0),))

    def validation_loss(net_state, data, val_idx, val_real, val_w):
        traces.count("ensemble.validation_loss", (arch, traces.shapes(
            (net_state, data, val_idx, val_real, val_w))))
        net = bound(net_state)
        m, d = net.kernels[0].shape[:2]
        width = max([layer.units for layer in arch.hidden] + [d])
        chunk = max(256, (1 << 22) // (m * width))           # <= 4M activations per layer

        def add_chunk(start, total):
            ib, rb = val_idx[:, start:start + chunk], val_real[:, start:start + chunk]
            xb = gather_x(data, ib)                                           # (M, V, d)
            yb, wb = gather_y(data, ib), val_w[:, start:start + chunk]
            loss = _per_event_loss(tf, arch, net(xb), yb, xb)
            return start + chunk, total + tf.reduce_sum(loss * wb * rb, axis=1)

        _, total = tf.while_loop(lambda start, total: start < tf.shape(val_idx)[1], add_chunk,
                                 (tf.constant(0), tf.zeros_like(val_real[:, 0])))
        return total / tf.reduce_sum(val_real, axis=1)

    # Written with tf.while_loop and no Python control flow on tensors: autograph's source
    # conversion (about 1.4 s of a job's start-up) is not needed.
    return (traces.relaxed(tf.function(run_epoch, autograph=False)),
            traces.relaxed(tf.function(validation_loss, autograph=False)))


def _assign_members(tf, target, source, members):
    """target[i] = source[i] for the members i where ``members`` (M,) bool is true; target
    and source: lists of variables with the member axis first."""
    mask = tf.constant(members)
    for t, v in zip(target, source):
        t.assign(tf.where(tf.reshape(mask, [-1] + [1] * (len(v.shape) - 1)), v, t))


@dataclass
class MethodEnsemble:
    """The members of several methods trained as one ensemble by :func:`train_methods`:
    ``n_init`` initializations per method, members ordered (method, initialization);
    ``combine``: how :meth:`scores` combines a method's initializations
    (:data:`radflow.ml.metrics.COMBINATIONS`)."""
    trained: TrainedEnsemble
    methods: list
    n_init: int
    combine: str = "truncated_mean"

    @property
    def best_epoch(self) -> np.ndarray:
        """(n_methods, n_init) epoch (0-based) of each member's lowest validation loss."""
        return self.trained.best_epoch.reshape(len(self.methods), self.n_init)

    def member_scores(self, x) -> np.ndarray:
        """Scores (n_methods, n_init, N) of every member on x (N, d)
        (:meth:`TrainedEnsemble.predict`: the mean over its kept epochs)."""
        return self.trained.predict(x).reshape(len(self.methods), self.n_init, -1)

    def scores(self, x) -> dict:
        """{method: (N,)} on x (N, d): each method's initializations combined per event by
        :func:`radflow.ml.metrics.combine_initializations` with :attr:`combine`."""
        s = self.member_scores(x)
        return {m: metrics.combine_initializations(s[i], self.combine)
                for i, m in enumerate(self.methods)}


def train_methods(x, methods: dict, arch: Architecture, n_init: int, seed: int, *,
                  epochs: int = 50, patience: int = 10, batch_size: int = 512,
                  member_seeds=None, combine: str = "truncated_mean",
                  keep_best: int = 1) -> MethodEnsemble:
    """Train every method of ``methods`` with ``n_init`` initializations in one vectorized
    ensemble on the rows of one event table x (N, d), so all methods see identical events
    and splits wherever their weights agree.

    methods: {name: (y, train_weight, val_weight)}: labels y (N,) and event weights (N,)
    shared by the method's initializations, or (n_init, N) one row per initialization; a
    weight of 0 leaves an event out (:func:`train_ensemble`). member_seeds: optional
    (n_methods * n_init,) seeds in member order (default: derived from ``seed``).
    combine: how the returned ensemble's ``scores`` combines a method's initializations,
    as its paper does (:data:`radflow.ml.metrics.COMBINATIONS`). epochs, patience,
    batch_size, keep_best: each member's schedule (:func:`train_ensemble`)."""
    if combine not in metrics.COMBINATIONS:
        raise ValueError(f"unknown combination '{combine}' (known: {list(metrics.COMBINATIONS)})")
    names = list(methods)
    n = len(x)
    ys, w_tr, w_val = [], [], []
    for name in names:
        y, tr, val = methods[name]
        ys.append(_broadcast(y, n_init, n, f"{name} labels"))
        w_tr.append(_broadcast(tr, n_init, n, f"{name} train_weight"))
        w_val.append(_broadcast(val, n_init, n, f"{name} val_weight"))
    # One label array shared by every method (SALAD's lines, the scan's folds) is passed as
    # it is: train_ensemble broadcasts it without an (M, N) copy.
    first = methods[names[0]][0]
    shared = all(methods[name][0] is first for name in names) and np.ndim(first) == 1
    trained = train_ensemble(x, first if shared else np.concatenate(ys), arch,
                             len(names) * n_init, seed, np.concatenate(w_tr),
                             np.concatenate(w_val), epochs=epochs, patience=patience,
                             batch_size=batch_size, member_seeds=member_seeds,
                             keep_best=keep_best)
    return MethodEnsemble(trained, names, n_init, combine)
