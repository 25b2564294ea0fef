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

Top flows (FETA's transport, CURTAINs' mass map): a flow with ``batch_norm=False`` starts as
the exact identity and can be trained on a frozen base flow instead of the standard normal
(:func:`train_flows` with ``base``): its normalizing direction (:meth:`VectorizedMAF.transform`)
maps data onto the base's space, its generating direction (:meth:`VectorizedMAF.inverse`)
maps base events to data (:meth:`TrainedFlows.generate`, :meth:`TrainedFlows.normalize`).
Conditions may be several masses (C columns, GeV; CURTAINs: m_from, m_to).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import numpy as np

from radflow import seeds
from radflow.ml import traces
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
    #: False for a top flow (FETA's transport, CURTAINs' mass map): no batch-norm bijectors
    #: and the feature order restored after the last block, so that with its zero output
    #: layer a fresh flow is exactly the identity.
    batch_norm: bool = True

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
        """(N, C) float32 condition of masses mjj (N,) (C = 1) or (N, C), GeV, every column
        standardized alike."""
        m = np.asarray(mjj, float)
        m = m[:, None] if m.ndim == 1 else m
        return ((m / 1000.0 - self.m_mean) / self.m_std).astype(np.float32)

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
    """M conditional MAFs of one spec on D features and C conditions. Inputs are preprocessed
    z (B, D) shared by all members or (M, B, D), one batch per member; conditions c likewise
    (B, C) or (M, B, C).

    Each weight is one variable for all members and blocks, shape (M, L, ...) with L =
    n_blocks (w1 (M, L, D, H), wc (M, L, C, H), w2 (M, L, H, H), w3 (M, L, H, 2D), biases
    and batch-norm parameters (M, L, 1, .)): a training step then updates 11 variables
    instead of 11 per block, and the blocks' condition terms are one matrix product.

    :meth:`transform` is the normalizing direction z -> u (one MADE pass per block),
    :meth:`inverse` the generating direction u -> z (D MADE passes per block); each returns
    its log-Jacobian."""

    def __init__(self, spec: FlowSpec, n_features: int, member_seeds, n_conditions: int = 1):
        import tensorflow as tf

        self.tf, self.spec, self.d, self.n_conditions = tf, spec, n_features, n_conditions
        m, d, h, n, c = len(member_seeds), n_features, spec.hidden, spec.n_blocks, n_conditions
        self.n_members = m
        self.masks = [tf.constant(a) for a in made_masks(d, h)]
        rngs = [np.random.default_rng(s) for s in member_seeds]
        # Glorot-uniform draws per member in block order (w1, wc, w2 of block 0, then 1, ...).
        draws = [[[r.uniform(-lim, lim, (a, b)) for a, b in ((d, h), (c, h), (h, h))
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
        if spec.batch_norm:
            self.log_gamma, self.beta = const((1, d)), const((1, d))
            self.mean = tf.Variable(tf.zeros((m, n, 1, d)), trainable=False)
            self.var = tf.Variable(tf.ones((m, n, 1, d)), trainable=False)
        # The feature order is reversed after every block; a top flow restores it at the end.
        self.reverse_after = [spec.batch_norm or i < n - 1 or n % 2 == 0 for i in range(n)]

    @property
    def trainable(self):
        made = [self.w1, self.wc, self.b1, self.w2, self.b2, self.w3, self.b3]
        return made + [self.log_gamma, self.beta] if self.spec.batch_norm else made

    @property
    def state(self):
        return self.trainable + [self.mean, self.var] if self.spec.batch_norm else self.trainable

    def _blocks(self, c):
        """Per block (list of L): masked weights and the condition term c wc + b1 (M, B, H)."""
        tf, (m1, m2, m3) = self.tf, self.masks
        m, n, h = self.n_members, self.spec.n_blocks, self.spec.hidden
        c = c if len(c.shape) == 3 else tf.broadcast_to(c[None], (m,) + tuple(c.shape))
        wc = tf.reshape(tf.transpose(self.wc, (0, 2, 1, 3)), (m, self.n_conditions, n * h))
        cterm = tf.matmul(c, wc) + tf.reshape(self.b1, (m, 1, n * h))
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

    def transform(self, z, c, training=False, rows=None):
        """Normalizing direction: (u (M, B, D), log|du/dz| (M, B)) of preprocessed z at
        conditions c. ``rows`` (M, B): 1 for a real row of a member's training batch, 0 for
        padding (batch-norm moments use real rows)."""
        tf = self.tf
        x = z if len(z.shape) == 3 else tf.broadcast_to(z[None], (self.n_members,) + tuple(z.shape))
        logdet = tf.zeros(tf.shape(x)[:2])
        blocks = self._blocks(c)
        bn = self.spec.batch_norm
        if bn:
            running = list(zip(tf.unstack(self.mean, axis=1), tf.unstack(self.var, axis=1)))
            log_gamma, beta = tf.unstack(self.log_gamma, axis=1), tf.unstack(self.beta, axis=1)
        new_mean, new_var = [], []
        if training and bn:
            r = rows[:, :, None]
            n = tf.maximum(tf.reduce_sum(r, axis=1, keepdims=True), 1.0)
            active = tf.reduce_sum(r, axis=1, keepdims=True) > 0
        for i, blk in enumerate(blocks):
            mu, alpha = self._made(blk, x)
            x = (x - mu) * tf.exp(-alpha)
            logdet -= tf.reduce_sum(alpha, axis=-1)
            if bn:
                run_mean, run_var = running[i]
                if training:
                    mean = tf.reduce_sum(x * r, axis=1, keepdims=True) / n
                    var = tf.reduce_sum(tf.square(x - mean) * r, axis=1, keepdims=True) / n + BN_EPS
                    new_mean.append(tf.where(active, BN_MOMENTUM * run_mean
                                             + (1 - BN_MOMENTUM) * mean, run_mean))
                    new_var.append(tf.where(active, BN_MOMENTUM * run_var
                                            + (1 - BN_MOMENTUM) * var, run_var))
                    # An idle member (no rows this step) is evaluated with its running moments.
                    mean = tf.where(active, mean, run_mean)
                    var = tf.where(active, var, run_var)
                else:
                    mean, var = run_mean, run_var
                x = (x - mean) * tf.math.rsqrt(var) * tf.exp(log_gamma[i]) + beta[i]
                logdet += tf.reduce_sum(log_gamma[i] - 0.5 * tf.math.log(var), axis=-1)
            if self.reverse_after[i]:
                x = tf.reverse(x, axis=[-1])
        if training and bn:
            self.mean.assign(tf.stop_gradient(tf.stack(new_mean, axis=1)))
            self.var.assign(tf.stop_gradient(tf.stack(new_var, axis=1)))
        return x, logdet

    def log_prob(self, z, c, training=False, rows=None):
        """log p(z | c) in the preprocessed space, (M, B): the standard normal at u of
        :meth:`transform` plus its log-Jacobian."""
        x, logdet = self.transform(z, c, training, rows)
        tf = self.tf
        base = -0.5 * tf.reduce_sum(tf.square(x), axis=-1) - 0.5 * self.d * np.log(2 * np.pi)
        return base + logdet

    def inverse(self, u, c):
        """Generating direction: (z (M, B, D), log|dz/du| (M, B)) of points u (M, B, D) at
        conditions c (M, B, C): the inverse of every block in reverse order (D MADE passes
        per block); exactly undoes :meth:`transform` up to float32 rounding."""
        tf = self.tf
        x = u
        logdet = tf.zeros(tf.shape(u)[:2])
        bn = self.spec.batch_norm
        blocks = self._blocks(c)
        if bn:
            norms = list(zip(tf.unstack(self.log_gamma, axis=1), tf.unstack(self.beta, axis=1),
                             tf.unstack(self.mean, axis=1), tf.unstack(self.var, axis=1)))
        for i in reversed(range(len(blocks))):
            if self.reverse_after[i]:
                x = tf.reverse(x, axis=[-1])
            if bn:
                log_gamma, beta, mean, var = norms[i]
                x = (x - beta) * tf.exp(-log_gamma) * tf.sqrt(var) + mean
                logdet -= tf.reduce_sum(log_gamma - 0.5 * tf.math.log(var), axis=-1)
            y = tf.zeros_like(x)
            for _ in range(self.d):
                mu, alpha = self._made(blocks[i], y)
                y = x * tf.exp(alpha) + mu
            logdet += tf.reduce_sum(alpha, axis=-1)
            x = y
        return x, logdet

    def sample(self, u, c):
        """Latent-space points z (M, B, D) from base draws u (M, B, D) at conditions c
        (M, B, C): :meth:`inverse` without its log-Jacobian."""
        return self.inverse(u, c)[0]


@dataclass
class TrainedFlows:
    """M trained flows with their kept epochs.

    snapshots: per kept slot k, the flows' state (list of arrays with member axis);
    kept_loss (K, M) validation loss of each kept epoch (inf where a member kept fewer);
    val_loss (epochs, M), train_loss (epochs, M): per epoch, mean -log p per event in the
    preprocessed space. base: for a top flow (:func:`train_flows` with ``base``), the
    frozen base density its normalizing direction maps onto (member i onto member i);
    None for a flow on the standard normal.
    """
    flows: VectorizedMAF
    prep: Preprocessing
    snapshots: list
    kept_loss: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    base: VectorizedMAF | None = None

    def _load(self, k):
        for v, a in zip(self.flows.state, self.snapshots[k]):
            v.assign(a)

    def frozen(self, n_members: int) -> VectorizedMAF:
        """A copy of these flows at each member's best kept epoch (lowest validation loss),
        as the fixed base density of a top flow with ``n_members`` members: member i of the
        copy is member i here, or member 0 for all when there is one flow. It is no part of
        any optimizer, so training the top flow leaves it unchanged."""
        m = self.flows.n_members
        if m not in (1, n_members):
            raise ValueError(f"a base of {m} flows for a top flow of {n_members} members: "
                             "give one base flow, or one per member")
        best = np.argmin(self.kept_loss, axis=0)                          # (M,)
        pick = [0] * n_members if m == 1 else list(range(m))
        copy = VectorizedMAF(self.flows.spec, self.flows.d, [0] * n_members,
                             self.flows.n_conditions)
        for j, v in enumerate(copy.state):
            v.assign(np.stack([self.snapshots[best[i]][j][i] for i in pick]))
        return copy

    def _log_density(self, z, c, c_base):
        """log p(z | c) of every member, (M, B), preprocessed space (tensors in and out)."""
        if self.base is None:
            return self.flows.log_prob(z, c)
        u, logdet = self.flows.transform(z, c)
        return self.base.log_prob(u, c_base) + logdet

    def log_prob(self, x, mjj, batch_size: int = 8192, base_condition=None) -> np.ndarray:
        """log p(x | mjj) (M, N), nats, in the physical feature space (module docstring), of
        events x (N, D) at conditions mjj (N,) or (N, C), GeV, averaged in probability space
        over each member's kept epochs. -inf outside the flow's support. For a top flow the
        density is the frozen base's at the transformed point, conditioned on
        ``base_condition`` (N,) or (N, C_base), GeV (default ``mjj``), times the Jacobian."""
        tf = self.flows.tf
        z, logdet = self.prep.forward(x)
        c = self.prep.condition(mjj)
        cb = c if base_condition is None else self.prep.condition(base_condition)
        per_epoch = []
        for k in range(len(self.snapshots)):
            self._load(k)
            parts = [self._log_density(tf.constant(z[i:i + batch_size]),
                                       tf.constant(c[i:i + batch_size]),
                                       tf.constant(cb[i:i + batch_size])).numpy()
                     for i in range(0, len(z), batch_size)]
            per_epoch.append(np.concatenate(parts, axis=1) if parts else np.zeros((self.flows.n_members, 0)))
        lp = np.stack(per_epoch)                                        # (K, M, N)
        kept = np.isfinite(self.kept_loss)[:, :, None]
        lp = np.where(kept, lp, -np.inf)
        top = lp.max(axis=0)
        avg = top + np.log(np.exp(lp - top).sum(axis=0)) - np.log(kept.sum(axis=0))
        return np.where(np.isfinite(logdet)[None], avg + logdet[None], -np.inf)

    def _per_kept_epoch(self, n: int, member: int, rng, step, batch_size: int) -> np.ndarray:
        """Latent points (n, D) of flow ``member``, n / K events from each of its K kept epochs
        (CATHODE) in a random order drawn from ``rng``: per kept epoch (its state loaded)
        and per batch of at most ``batch_size`` of its events, ``step(sel)`` gives the (M, B,
        D) output of all members for the event indices ``sel``."""
        slots = np.nonzero(np.isfinite(self.kept_loss[:, member]))[0]
        which = rng.permutation(np.arange(n) % len(slots))
        out = np.zeros((n, self.flows.d), np.float32)
        for j, k in enumerate(slots):
            self._load(k)
            idx = np.nonzero(which == j)[0]
            for i in range(0, len(idx), batch_size):
                sel = idx[i:i + batch_size]
                out[sel] = step(sel).numpy()[member]
        return out

    def _members(self, a):
        """A (B, ...) array as the (M, B, ...) tensor every member reads."""
        return self.flows.tf.constant(np.broadcast_to(a, (self.flows.n_members,) + a.shape))

    def sample(self, mjj, member: int, seed: int, batch_size: int = 8192) -> np.ndarray:
        """Events x (N, D), physical units, drawn from flow ``member`` at masses mjj (N,), GeV:
        N / K from each of its K kept epochs (CATHODE), in a seeded random order."""
        rng = np.random.default_rng(seed)
        c = self.prep.condition(np.asarray(mjj, float))

        def step(sel):
            u = rng.standard_normal((len(sel), self.flows.d)).astype(np.float32)
            return self.flows.sample(self._members(u), self._members(c[sel]))

        return self.prep.inverse(self._per_kept_epoch(len(c), member, rng, step, batch_size))

    def _push(self, x, condition, member: int, seed: int, generating: bool, batch_size: int):
        x = np.asarray(x, float)
        c = self.prep.condition(condition)
        if len(c) != len(x):
            raise ValueError(f"{len(x)} events but {len(c)} conditions")
        outside = ~self.prep.inside(x)
        if outside.any():
            raise ValueError(f"{int(outside.sum())} of {len(x)} events to push through the flow "
                             "are not finite or outside its preprocessing support")
        z, _ = self.prep.forward(x)

        def step(sel):
            zb, cb = self._members(z[sel]), self._members(c[sel])
            return self.flows.inverse(zb, cb)[0] if generating else self.flows.transform(zb, cb)[0]

        return self.prep.inverse(self._per_kept_epoch(len(x), member, np.random.default_rng(seed),
                                                      step, batch_size))

    def generate(self, x, condition, member: int, seed: int, batch_size: int = 8192) -> np.ndarray:
        """Events (N, D), physical units, of flow ``member``'s generating direction (its
        inverse pass) applied to events x (N, D), physical units, at conditions (N,) or (N, C),
        GeV: for a top flow, from its base's space to the data's (FETA: simulation -> data;
        CURTAINs: mass m_from -> m_to). Each event goes through one of the member's kept
        epochs, N / K each in an order seeded by ``seed`` as in :meth:`sample`;
        :meth:`normalize` with the same conditions and seed undoes it. Raises ValueError
        with the count of events that are not finite or outside the support."""
        return self._push(x, condition, member, seed, True, batch_size)

    def normalize(self, x, condition, member: int, seed: int, batch_size: int = 8192) -> np.ndarray:
        """The normalizing direction (forward pass) of :meth:`generate`, its exact inverse up
        to float32 rounding (same arguments)."""
        return self._push(x, condition, member, seed, False, batch_size)


def train_flows(x, mjj, rows, spec: FlowSpec, seed: int, names, prep: Preprocessing | None = None,
                member_seeds=None, log=print, base: TrainedFlows | None = None,
                base_condition=None, val_rows=None) -> TrainedFlows:
    """Train M = len(rows) flows p(x | mjj) in one vectorized model.

    x (N, D): events in physical units; mjj (N,) or (N, C): the conditions, GeV. rows: per
    member, the indices of its events; its validation set is ``val_rows`` (per member the
    indices of its validation events, a subset of its rows) or else a random
    ``spec.val_fraction`` of them, seeded per member. names: per member, a label for
    messages (study, sample, injection). prep: the preprocessing (default: fitted on all of
    x; with a base, the base's). Raises :class:`FlowDivergenceError` naming the member and
    epoch if a loss becomes NaN or infinite.

    base: train top flows on a frozen base density instead of the standard normal
    (:meth:`TrainedFlows.frozen`: each member's best epoch; member i on base member i, or
    all on one base flow). A member's loss is then -[log p_base(u | c_base) + log|du/dz|]
    with u its normalizing transform of z at its conditions ``mjj`` and c_base the base's
    conditions ``base_condition`` (N,) or (N, C_base), GeV (default ``mjj``), all in the
    base's preprocessed space (``prep`` must be the base's).
    """
    import tensorflow as tf

    set_determinism(seed)
    m = len(rows)
    if len(names) != m:
        raise ValueError(f"{len(names)} names for {m} flows")
    if base is not None and prep is not None and prep is not base.prep:
        raise ValueError("a top flow must use its base's preprocessing")
    prep = prep or (base.prep if base is not None else Preprocessing.fit(x, mjj))
    z, _ = prep.forward(x)
    if not prep.inside(x).all():
        raise ValueError("training events outside the preprocessing's support")
    c = prep.condition(mjj)
    if member_seeds is None:
        member_seeds = [seeds.derive_seed(seed, "flow", i) for i in range(m)]
    tr_rows, v_rows = [], []
    for i, (r, s) in enumerate(zip(rows, member_seeds)):
        r = np.asarray(r)
        if val_rows is None:
            val = np.random.default_rng([s, 2]).random(len(r)) < spec.val_fraction
        else:
            val = np.isin(r, val_rows[i])
            if val.sum() != len(np.unique(val_rows[i])):
                raise ValueError(f"{names[i]}: validation rows that are not among its rows")
        if val.sum() == 0 or (~val).sum() == 0:
            raise ValueError(f"{names[i]}: too few events ({len(r)}) to train a flow")
        tr_rows.append(r[~val])
        v_rows.append(r[val])
    flows = VectorizedMAF(spec, x.shape[1], member_seeds, n_conditions=c.shape[1])
    opt = MemberAdam(Architecture(hidden=(), learning_rate=spec.learning_rate),
                     flows.trainable, m)
    order_rngs = [np.random.default_rng([s, 1]) for s in member_seeds]
    frozen = None if base is None else base.frozen(m)
    # The step and validation graphs are built once per spec and shape and shared by every
    # call (:func:`_compiled_steps`): flows, optimizer state and events are their arguments.
    epoch_graph, validation_loss = _compiled_steps(
        spec, x.shape[1], c.shape[1],
        None if base is None else (frozen.spec, frozen.n_conditions))
    data = dict(z=tf.constant(z), c=tf.constant(c), cb=None if base is None else tf.constant(
        c if base_condition is None else prep.condition(base_condition)))
    flow_state, base_state = _state(flows), None if base is None else _state(frozen)
    adam_state = dict(m=opt.m, v=opt.v, steps=opt.steps)

    def run_epoch(idx, real):
        args = (flow_state, adam_state, base_state, data, tf.constant(idx), tf.constant(real))
        total = np.zeros(m)
        for step_loss in epoch_graph(*args)(*args).numpy():                # (S, M) summed losses
            total += step_loss
        return total

    # Validation: every member's own validation events, padded to one (M, V) table.
    n_val = max(len(r) for r in v_rows)
    v_idx = np.zeros((m, n_val), np.int32)
    v_real = np.zeros((m, n_val), np.float32)
    for i, r in enumerate(v_rows):
        v_idx[i, :len(r)], v_real[i, :len(r)] = r, 1.0
    v_idx, v_real = tf.constant(v_idx), tf.constant(v_real)

    k = min(spec.keep_best, spec.epochs)
    snapshots = [[np.array(v.numpy()) for v in flows.state] for _ in range(k)]
    kept_loss = np.full((k, m), np.inf)
    n_train = np.array([len(r) for r in tr_rows], float)
    history, train_history = [], []
    for epoch in range(spec.epochs):
        tl = run_epoch(*member_batches(tr_rows, spec.batch_size, order_rngs)) / n_train
        val_args = (flow_state, base_state, data, v_idx, v_real)
        vl = validation_loss(*val_args)(*val_args).numpy()
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
    return TrainedFlows(flows, prep, snapshots, kept_loss, np.array(history),
                        np.array(train_history), None if base is None else frozen)


#: The attributes of a :class:`VectorizedMAF` that hold its variables.
_VARIABLES = ("w1", "wc", "b1", "w2", "b2", "w3", "b3", "log_gamma", "beta", "mean", "var")


def _state(flows: VectorizedMAF) -> dict:
    """{attribute: variable} of ``flows`` (the step functions' argument)."""
    return {k: getattr(flows, k) for k in _VARIABLES if hasattr(flows, k)}


@functools.lru_cache(maxsize=None)
def _compiled_steps(spec: FlowSpec, n_features: int, n_conditions: int, base=None):
    """The tf.functions of :func:`train_flows` for flows of ``spec`` on ``n_features``
    features and ``n_conditions`` conditions, built once per process; ``base``: None, or
    (spec, n_conditions) of the frozen base flows of a top flow. Returned: run_epoch and
    validation_loss as :func:`radflow.ml.traces.relaxed` getters: ``run_epoch(*args)`` is
    the graph to call with ``args``.

    run_epoch(flow_state, adam_state, base_state, data, idx, rb) -> (S, M): one epoch of
    minibatch steps in one graph, the members' batches idx (S, M, B) int32 with real rows
    rb (S, M, B) float32 (:func:`radflow.ml.ensemble.member_batches`); per step each
    member's summed loss. Each step is train_step, compiled with XLA, on ``data`` gathered
    at the batch's rows (M, B, .).
    validation_loss(flow_state, base_state, data, v_idx, v_real) -> (M,): mean -log p on
    the padded validation rows v_idx, v_real (M, V).
    flow_state, base_state: :func:`_state` of the flows and of the frozen base (None
    without one); adam_state: the :class:`MemberAdam`'s (m, v, steps); data: z (N, D),
    c (N, C) and cb (N, C_base) or None (the base's conditions). Flows are arguments, not
    captured, and tensors are traced with open dimensions
    (:func:`radflow.ml.traces.relaxed`), so each function traces once per member count
    (counted in :mod:`radflow.ml.traces`), whatever the events, injection, seeds and
    batch size; XLA compiles the step once per member count and batch size.
    """
    import tensorflow as tf

    template = VectorizedMAF(spec, n_features, [0], n_conditions)
    base_template = None if base is None else VectorizedMAF(base[0], n_features, [0], base[1])
    adam_template = MemberAdam(Architecture(hidden=(), learning_rate=spec.learning_rate), [], 1)

    def bound(tmpl, state):
        """The flows of the traced variables ``state``."""
        view = copy.copy(tmpl)
        vars(view).update(state, n_members=state["w1"].shape[0])
        return view

    def log_density(flows, frozen, batch, training=False, rows=None):
        """(M, B) log-density of the members' events ``batch`` (z, c, cb: (M, B, .))."""
        if frozen is None:
            return flows.log_prob(batch["z"], batch["c"], training=training, rows=rows)
        u, logdet = flows.transform(batch["z"], batch["c"], training, rows)
        return frozen.log_prob(u, batch["cb"]) + logdet

    # One minibatch step, compiled with XLA: on CPU it runs a step about twice as fast as the
    # same graph without fusion (docs/studies/cathode.md, flow timing). Neither function has
    # Python control flow on tensors, so neither needs autograph's source conversion (about
    # 1.9 s of a flow job's start-up).
    @tf.function(jit_compile=True, autograph=False)
    def train_step(flow_state, adam_state, base_state, batch, rb):
        traces.count("flows.train_step", (spec, base, traces.shapes(
            (flow_state, adam_state, base_state, batch, rb))))
        flows = bound(template, flow_state)
        frozen = None if base is None else bound(base_template, base_state)
        opt = copy.copy(adam_template)
        vars(opt).update(adam_state, variables=flows.trainable)
        n_rows = tf.reduce_sum(rb, axis=1)
        with tf.GradientTape() as tape:
            lp = log_density(flows, frozen, batch, training=True, rows=rb)
            lp = tf.where(rb > 0, lp, 0.0)                      # padding rows carry no loss
            per_member = -tf.reduce_sum(lp, axis=1) / tf.maximum(n_rows, 1.0)
            loss = tf.reduce_sum(per_member)
        opt.apply(tape.gradient(loss, flows.trainable), n_rows > 0)
        return per_member * n_rows

    @tf.function(autograph=False)
    def run_epoch(flow_state, adam_state, base_state, data, idx, real):
        traces.count("flows.run_epoch", (spec, base, traces.shapes(
            (flow_state, adam_state, base_state, data, idx, real))))

        def step(s, losses):
            # Gathered outside the XLA step: its inputs keep one shape whatever the events.
            batch = {k: None if v is None else tf.gather(v, idx[s]) for k, v in data.items()}
            return s + 1, losses.write(s, train_step(flow_state, adam_state, base_state,
                                                     batch, real[s]))

        n_steps = tf.shape(idx)[0]
        _, losses = tf.while_loop(lambda s, losses: s < n_steps, step,
                                  (tf.constant(0), tf.TensorArray(tf.float32, n_steps)))
        return losses.stack()

    @tf.function(autograph=False)
    def validation_loss(flow_state, base_state, data, v_idx, v_real):
        traces.count("flows.validation_loss", (spec, base, traces.shapes(
            (flow_state, base_state, data, v_idx, v_real))))
        flows = bound(template, flow_state)
        frozen = None if base is None else bound(base_template, base_state)
        lp = log_density(flows, frozen, {k: None if v is None else tf.gather(v, v_idx)
                                         for k, v in data.items()})
        return -tf.reduce_sum(lp * v_real, axis=1) / tf.reduce_sum(v_real, axis=1)

    return traces.relaxed(run_epoch), traces.relaxed(validation_loss)
