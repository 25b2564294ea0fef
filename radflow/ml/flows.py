"""Conditional density estimation p(x | mjj) with masked autoregressive flows (ANODE, CATHODE).

The flow is ANODE's and CATHODE's affine MAF: ``n_blocks`` x [MADE (D -> H -> H -> 2D, ReLU,
mjj entering unmasked at the first layer) -> batch-norm bijector -> reverse permutation],
base density a standard normal in D dimensions. A block maps x to u = (x - mu) exp(-alpha),
(mu, alpha) = MADE(x, m), so u_i depends on x_<=i only and the log-Jacobian is -sum(alpha).

Events enter through :class:`Preprocessing` (min-max to (0, 1), logit, standardize); its
log-Jacobian is added back, so every log-density returned here is in the physical feature
space: log p(x | m) in nats per event for x in the features' own units (GeV for masses, so
the density has units GeV^-k for k mass features).

Like the classifier ensembles (radflow.ml.ensemble), M flows train as one vectorized model:
every weight has a leading member axis, each member draws its own minibatches from its own
rows (idling once its epoch is done), has its own Adam step count and its own batch-norm
statistics. Training keeps, per member, the ``keep_best`` epochs of lowest validation loss;
densities average them in probability space and samples take n / keep_best from each
(CATHODE). Written in TensorFlow ops and trained with tf.GradientTape (the flow benchmark of
docs/studies/cathode.md compares it with TensorFlow Probability's MaskedAutoregressiveFlow).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radflow import seeds
from radflow.ml.determinism import set_determinism
from radflow.ml.ensemble import MemberAdam, member_batches
from radflow.ml.models import Architecture

LOGIT_MARGIN = 0.01       # min-max range widened by this fraction of it on each side
BN_EPS = 1e-5
BN_MOMENTUM = 0.9


class FlowDivergenceError(RuntimeError):
    """A flow's training or validation loss became NaN or infinite."""


@dataclass(frozen=True)
class FlowSpec:
    """Architecture and training schedule of one flow (config ``studies.<s>.flow``)."""
    n_blocks: int = 15
    hidden: int = 128
    epochs: int = 100
    batch_size: int = 256
    learning_rate: float = 1e-4
    keep_best: int = 10
    val_fraction: float = 0.2

    @classmethod
    def from_config(cls, c: dict) -> "FlowSpec":
        keys = cls.__dataclass_fields__
        return cls(**{k: v for k, v in c.items() if k in keys})


@dataclass(frozen=True)
class Preprocessing:
    """x (N, D) -> z: u = (x - lo) / (hi - lo), z = (logit(u) - mean) / std; and the mass
    condition c = (mjj / TeV - m_mean) / m_std. ``lo``, ``hi`` are the min and max of the
    fitted events widened by LOGIT_MARGIN of the range on each side, so every fitted event
    maps to a finite z."""
    lo: np.ndarray
    hi: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    m_mean: float
    m_std: float

    @classmethod
    def fit(cls, x, mjj) -> "Preprocessing":
        """Fit on events x (N, D) at masses mjj (N,), GeV."""
        x, mjj = np.asarray(x, float), np.asarray(mjj, float) / 1000.0
        lo, hi = x.min(axis=0), x.max(axis=0)
        width = np.where(hi > lo, hi - lo, 1.0)
        lo, hi = lo - LOGIT_MARGIN * width, hi + LOGIT_MARGIN * width
        t = _logit((x - lo) / (hi - lo))
        return cls(lo, hi, t.mean(axis=0), t.std(axis=0) + 1e-12, float(mjj.mean()),
                   float(mjj.std() + 1e-12))

    def condition(self, mjj) -> np.ndarray:
        """(N, 1) float32 condition of masses mjj (N,), GeV."""
        return ((np.asarray(mjj, float)[:, None] / 1000.0 - self.m_mean) / self.m_std).astype(np.float32)

    def inside(self, x) -> np.ndarray:
        """(N,) bool: events strictly inside the flow's support (lo, hi) in every feature."""
        x = np.asarray(x, float)
        return np.all((x > self.lo) & (x < self.hi), axis=1)

    def forward(self, x):
        """(z (N, D) float32, log|dz/dx| (N,)) for events inside the support; outside, z is
        0 and the log-Jacobian -inf (the flow's density is zero there)."""
        x = np.asarray(x, float)
        ok = self.inside(x)
        u = np.where(ok[:, None], (x - self.lo) / (self.hi - self.lo), 0.5)
        z = (_logit(u) - self.mean) / self.std
        logdet = np.sum(-np.log(u) - np.log1p(-u) - np.log(self.hi - self.lo) - np.log(self.std),
                        axis=1)
        return z.astype(np.float32), np.where(ok, logdet, -np.inf)

    def inverse(self, z) -> np.ndarray:
        """Physical x (N, D) of latent-space points z (N, D)."""
        t = np.asarray(z, float) * self.std + self.mean
        return self.lo + (self.hi - self.lo) / (1.0 + np.exp(-t))


def _logit(u):
    return np.log(u) - np.log1p(-u)


def made_masks(n_features: int, hidden: int):
    """MADE masks (D, H), (H, H), (H, 2D) of one block: output i (mu_i, alpha_i) depends on
    inputs < i only. Input degrees 1..D, hidden degrees cycle over 1..D-1 (all 0 for D = 1:
    the block is then a function of the mass condition alone)."""
    d = n_features
    deg_in = np.arange(1, d + 1)
    deg_h = (np.arange(hidden) % max(d - 1, 1)) + 1 if d > 1 else np.zeros(hidden, int)
    deg_out = np.tile(deg_in, 2)
    return ((deg_h[None, :] >= deg_in[:, None]).astype(np.float32),
            (deg_h[None, :] >= deg_h[:, None]).astype(np.float32),
            (deg_out[None, :] > deg_h[:, None]).astype(np.float32))


def flops_per_event(spec: FlowSpec, n_features: int) -> int:
    """FLOPs (2 per multiply-add) of the MADE matrix products of one forward pass, one event
    and one member (the batch-norm and affine steps add O(D) per block and are not counted)."""
    d, h = n_features, spec.hidden
    return spec.n_blocks * 2 * (d * h + h + h * h + h * 2 * d)


class VectorizedMAF:
    """M conditional MAFs of one spec on D features. Inputs are preprocessed z (B, D) shared
    by all members or (M, B, D), one batch per member; conditions c likewise (B, 1) or
    (M, B, 1).

    Each weight is one variable for all members and blocks, shape (M, L, ...) with L =
    n_blocks (w1 (M, L, D, H), wc (M, L, 1, H), w2 (M, L, H, H), w3 (M, L, H, 2D), biases
    and batch-norm parameters (M, L, 1, .)): a training step then updates 11 variables
    instead of 11 per block, and the blocks' mass terms are one matrix product."""

    def __init__(self, spec: FlowSpec, n_features: int, member_seeds):
        import tensorflow as tf

        self.tf, self.spec, self.d = tf, spec, n_features
        m, d, h, n = len(member_seeds), n_features, spec.hidden, spec.n_blocks
        self.n_members = m
        self.masks = [tf.constant(a) for a in made_masks(d, h)]
        rngs = [np.random.default_rng(s) for s in member_seeds]
        # Glorot-uniform draws per member in block order (w1, wc, w2 of block 0, then 1, ...).
        draws = [[[r.uniform(-lim, lim, (a, b)) for a, b in ((d, h), (1, h), (h, h))
                   for lim in [np.sqrt(6.0 / (a + b))]] for _ in range(n)] for r in rngs]

        def stacked(j):
            return tf.Variable(np.array([[blk[j] for blk in member] for member in draws],
                                        np.float32))

        def const(shape, value=0.0):
            return tf.Variable(tf.fill((m, n) + shape, value))

        self.w1, self.wc, self.w2 = stacked(0), stacked(1), stacked(2)
        self.b1, self.b2 = const((1, h)), const((1, h))
        # Zero output layer: every block starts as the identity (mu = alpha = 0).
        self.w3, self.b3 = const((h, 2 * d)), const((1, 2 * d))
        self.log_gamma, self.beta = const((1, d)), const((1, d))
        self.mean = tf.Variable(tf.zeros((m, n, 1, d)), trainable=False)
        self.var = tf.Variable(tf.ones((m, n, 1, d)), trainable=False)

    @property
    def trainable(self):
        return [self.w1, self.wc, self.b1, self.w2, self.b2, self.w3, self.b3,
                self.log_gamma, self.beta]

    @property
    def state(self):
        return self.trainable + [self.mean, self.var]

    def _blocks(self, c):
        """Per block (list of L): masked weights and the mass term c wc + b1 (M, B, H)."""
        tf, (m1, m2, m3) = self.tf, self.masks
        m, n, h = self.n_members, self.spec.n_blocks, self.spec.hidden
        c = c if len(c.shape) == 3 else tf.broadcast_to(c[None], (m,) + tuple(c.shape))
        cterm = (tf.matmul(c, tf.reshape(self.wc, (m, 1, n * h)))
                 + tf.reshape(self.b1, (m, 1, n * h)))
        return list(zip(tf.unstack(self.w1 * m1, axis=1), tf.split(cterm, n, axis=-1),
                        tf.unstack(self.w2 * m2, axis=1), tf.unstack(self.b2, axis=1),
                        tf.unstack(self.w3 * m3, axis=1), tf.unstack(self.b3, axis=1)))

    def _made(self, blk, x):
        tf = self.tf
        w1, cterm, w2, b2, w3, b3 = blk
        a = tf.nn.relu(tf.matmul(x, w1) + cterm)
        a = tf.nn.relu(tf.matmul(a, w2) + b2)
        out = tf.matmul(a, w3) + b3
        return out[..., :self.d], out[..., self.d:]

    def log_prob(self, z, c, training=False, rows=None):
        """log p(z | c) in the preprocessed space, (M, B). ``rows`` (M, B): 1 for a real row
        of a member's training batch, 0 for padding (batch-norm moments use real rows)."""
        tf = self.tf
        x = z if len(z.shape) == 3 else tf.broadcast_to(z[None], (self.n_members,) + tuple(z.shape))
        logdet = tf.zeros(tf.shape(x)[:2])
        blocks = self._blocks(c)
        running = zip(tf.unstack(self.mean, axis=1), tf.unstack(self.var, axis=1))
        log_gamma, beta = tf.unstack(self.log_gamma, axis=1), tf.unstack(self.beta, axis=1)
        new_mean, new_var = [], []
        if training:
            r = rows[:, :, None]
            n = tf.maximum(tf.reduce_sum(r, axis=1, keepdims=True), 1.0)
            active = tf.reduce_sum(r, axis=1, keepdims=True) > 0
        for i, (blk, (run_mean, run_var)) in enumerate(zip(blocks, running)):
            mu, alpha = self._made(blk, x)
            x = (x - mu) * tf.exp(-alpha)
            logdet -= tf.reduce_sum(alpha, axis=-1)
            if training:
                mean = tf.reduce_sum(x * r, axis=1, keepdims=True) / n
                var = tf.reduce_sum(tf.square(x - mean) * r, axis=1, keepdims=True) / n + BN_EPS
                new_mean.append(tf.where(active, BN_MOMENTUM * run_mean + (1 - BN_MOMENTUM) * mean,
                                         run_mean))
                new_var.append(tf.where(active, BN_MOMENTUM * run_var + (1 - BN_MOMENTUM) * var,
                                        run_var))
                # An idle member (no rows this step) is evaluated with its running moments.
                mean = tf.where(active, mean, run_mean)
                var = tf.where(active, var, run_var)
            else:
                mean, var = run_mean, run_var
            x = (x - mean) * tf.math.rsqrt(var) * tf.exp(log_gamma[i]) + beta[i]
            logdet += tf.reduce_sum(log_gamma[i] - 0.5 * tf.math.log(var), axis=-1)
            x = tf.reverse(x, axis=[-1])
        if training:
            self.mean.assign(tf.stop_gradient(tf.stack(new_mean, axis=1)))
            self.var.assign(tf.stop_gradient(tf.stack(new_var, axis=1)))
        base = -0.5 * tf.reduce_sum(tf.square(x), axis=-1) - 0.5 * self.d * np.log(2 * np.pi)
        return base + logdet

    def sample(self, u, c):
        """Latent-space points z (M, B, D) from base draws u (M, B, D) at conditions c (M, B, 1):
        the inverse of every block in reverse order (D MADE passes per block)."""
        tf = self.tf
        x = u
        layers = zip(self._blocks(c), tf.unstack(self.log_gamma, axis=1), tf.unstack(self.beta, axis=1),
                     tf.unstack(self.mean, axis=1), tf.unstack(self.var, axis=1))
        for blk, log_gamma, beta, mean, var in reversed(list(layers)):
            x = tf.reverse(x, axis=[-1])
            x = (x - beta) * tf.exp(-log_gamma) * tf.sqrt(var) + mean
            y = tf.zeros_like(x)
            for _ in range(self.d):
                mu, alpha = self._made(blk, y)
                y = x * tf.exp(alpha) + mu
            x = y
        return x


@dataclass
class TrainedFlows:
    """M trained flows with their kept epochs.

    snapshots: per kept slot k, the flows' state (list of arrays with member axis);
    kept_loss (K, M) validation loss of each kept epoch (inf where a member kept fewer);
    val_loss (epochs, M), train_loss (epochs, M): per epoch, mean -log p per event in the
    preprocessed space.
    """
    flows: VectorizedMAF
    prep: Preprocessing
    snapshots: list
    kept_loss: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray

    def _load(self, k):
        for v, a in zip(self.flows.state, self.snapshots[k]):
            v.assign(a)

    def log_prob(self, x, mjj, batch_size: int = 8192) -> np.ndarray:
        """log p(x | mjj) (M, N), nats, in the physical feature space (module docstring), of
        events x (N, D) at masses mjj (N,), GeV, averaged in probability space over each
        member's kept epochs. -inf outside the flow's support."""
        tf = self.flows.tf
        z, logdet = self.prep.forward(x)
        c = self.prep.condition(mjj)
        per_epoch = []
        for k in range(len(self.snapshots)):
            self._load(k)
            parts = [self.flows.log_prob(tf.constant(z[i:i + batch_size]),
                                         tf.constant(c[i:i + batch_size])).numpy()
                     for i in range(0, len(z), batch_size)]
            per_epoch.append(np.concatenate(parts, axis=1) if parts else np.zeros((self.flows.n_members, 0)))
        lp = np.stack(per_epoch)                                        # (K, M, N)
        kept = np.isfinite(self.kept_loss)[:, :, None]
        lp = np.where(kept, lp, -np.inf)
        top = lp.max(axis=0)
        avg = top + np.log(np.exp(lp - top).sum(axis=0)) - np.log(kept.sum(axis=0))
        return np.where(np.isfinite(logdet)[None], avg + logdet[None], -np.inf)

    def sample(self, mjj, member: int, seed: int, batch_size: int = 8192) -> np.ndarray:
        """Events x (N, D), physical units, drawn from flow ``member`` at masses mjj (N,), GeV:
        N / K from each of its K kept epochs (CATHODE), in a seeded random order."""
        tf = self.flows.tf
        rng = np.random.default_rng(seed)
        mjj = np.asarray(mjj, float)
        slots = np.nonzero(np.isfinite(self.kept_loss[:, member]))[0]
        which = rng.permutation(np.arange(len(mjj)) % len(slots))
        z = np.zeros((len(mjj), self.flows.d), np.float32)
        m = self.flows.n_members
        for j, k in enumerate(slots):
            self._load(k)
            idx = np.nonzero(which == j)[0]
            for i in range(0, len(idx), batch_size):
                sel = idx[i:i + batch_size]
                u = rng.standard_normal((len(sel), self.flows.d)).astype(np.float32)
                c = self.prep.condition(mjj[sel])
                out = self.flows.sample(tf.constant(np.broadcast_to(u, (m,) + u.shape)),
                                        tf.constant(np.broadcast_to(c, (m,) + c.shape)))
                z[sel] = out.numpy()[member]
        return self.prep.inverse(z)


def train_flows(x, mjj, rows, spec: FlowSpec, seed: int, names, prep: Preprocessing | None = None,
                member_seeds=None, log=print) -> TrainedFlows:
    """Train M = len(rows) flows p(x | mjj) in one vectorized model.

    x (N, D): events in physical units; mjj (N,), GeV. rows: per member, the indices of its
    events (a random ``spec.val_fraction`` of them, seeded per member, is its validation
    set). names: per member, a label for messages (study, sample, injection). prep: the
    preprocessing (default: fitted on all of x). Raises :class:`FlowDivergenceError`
    naming the member and epoch if a loss becomes NaN or infinite.
    """
    import tensorflow as tf

    set_determinism(seed)
    m = len(rows)
    if len(names) != m:
        raise ValueError(f"{len(names)} names for {m} flows")
    prep = prep or Preprocessing.fit(x, mjj)
    z, _ = prep.forward(x)
    if not prep.inside(x).all():
        raise ValueError("training events outside the preprocessing's support")
    c = prep.condition(mjj)
    if member_seeds is None:
        member_seeds = [seeds.derive_seed(seed, "flow", i) for i in range(m)]
    tr_rows, val_rows = [], []
    for r, s in zip(rows, member_seeds):
        r = np.asarray(r)
        val = np.random.default_rng([s, 2]).random(len(r)) < spec.val_fraction
        if val.sum() == 0 or (~val).sum() == 0:
            raise ValueError(f"{names[len(tr_rows)]}: too few events ({len(r)}) to train a flow")
        tr_rows.append(r[~val])
        val_rows.append(r[val])
    flows = VectorizedMAF(spec, x.shape[1], member_seeds)
    opt = MemberAdam(Architecture(hidden=(), learning_rate=spec.learning_rate),
                     flows.trainable, m)
    order_rngs = [np.random.default_rng([s, 1]) for s in member_seeds]
    z_tf, c_tf = tf.constant(z), tf.constant(c)

    # One minibatch step, compiled with XLA: on CPU it runs a step about twice as fast as the
    # same graph without fusion (docs/studies/cathode.md, flow timing).
    @tf.function(jit_compile=True)
    def train_step(ib, rb):
        n_rows = tf.reduce_sum(rb, axis=1)
        with tf.GradientTape() as tape:
            lp = flows.log_prob(tf.gather(z_tf, ib), tf.gather(c_tf, ib), training=True, rows=rb)
            lp = tf.where(rb > 0, lp, 0.0)                      # padding rows carry no loss
            per_member = -tf.reduce_sum(lp, axis=1) / tf.maximum(n_rows, 1.0)
            loss = tf.reduce_sum(per_member)
        opt.apply(tape.gradient(loss, flows.trainable), n_rows > 0)
        return per_member * n_rows

    def run_epoch(idx, real):
        total = np.zeros(m)
        for ib, rb in zip(idx, real):
            total += train_step(tf.constant(ib), tf.constant(rb)).numpy()
        return total

    # Validation: every member's own validation events, padded to one (M, V) table.
    n_val = max(len(r) for r in val_rows)
    v_idx = np.zeros((m, n_val), np.int32)
    v_real = np.zeros((m, n_val), np.float32)
    for i, r in enumerate(val_rows):
        v_idx[i, :len(r)], v_real[i, :len(r)] = r, 1.0
    v_idx, v_real = tf.constant(v_idx), tf.constant(v_real)

    @tf.function
    def validation_loss():
        lp = flows.log_prob(tf.gather(z_tf, v_idx), tf.gather(c_tf, v_idx))
        return -tf.reduce_sum(lp * v_real, axis=1) / tf.reduce_sum(v_real, axis=1)

    k = min(spec.keep_best, spec.epochs)
    snapshots = [[np.array(v.numpy()) for v in flows.state] for _ in range(k)]
    kept_loss = np.full((k, m), np.inf)
    n_train = np.array([len(r) for r in tr_rows], float)
    history, train_history = [], []
    for epoch in range(spec.epochs):
        tl = run_epoch(*member_batches(tr_rows, spec.batch_size, order_rngs)) / n_train
        vl = validation_loss().numpy()
        bad = ~(np.isfinite(vl) & np.isfinite(tl))
        if bad.any():
            i = int(np.argmax(bad))
            raise FlowDivergenceError(f"{names[i]}: flow training diverged at epoch {epoch + 1} "
                                      f"of {spec.epochs} (train loss {tl[i]:.4g}, validation "
                                      f"loss {vl[i]:.4g}); lower studies.<study>.flow.learning_rate")
        history.append(vl)
        train_history.append(tl)
        # Keep the k lowest-validation-loss epochs per member: replace its worst kept one.
        worst = np.argmax(kept_loss, axis=0)                           # (M,)
        replace = vl < kept_loss[worst, np.arange(m)]
        if replace.any():
            state = [np.array(v.numpy()) for v in flows.state]
            for i in np.nonzero(replace)[0]:
                slot = worst[i]
                kept_loss[slot, i] = vl[i]
                for snap, a in zip(snapshots[slot], state):
                    snap[i] = a[i]
        log(f"epoch {epoch + 1}: train " + " ".join(f"{v:.4f}" for v in tl)
            + " | val " + " ".join(f"{v:.4f}" for v in vl))
    return TrainedFlows(flows, prep, snapshots, kept_loss, np.array(history), np.array(train_history))
