"""Trace counts: the engine builds its epoch graph once per shape within one process, and the
check that says so fails when a step is traced again for a shape it already has."""
import numpy as np
import pytest

from radflow.ml import ensemble, flows, models, traces


def toy(n, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.5).astype(np.float32)
    x = (rng.normal(size=(n, 3)) + y[:, None]).astype(np.float32)
    return x, y


def new_traces(before):
    """{key: traces since ``before``} for the keys traced since then."""
    after = traces.trace_counts()
    return {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}


def test_same_shape_traced_once():
    """Two ensembles of one shape (members, features, architecture), with different events,
    seeds and batch sizes: one trace of the epoch and of the validation graph, reused."""
    arch = models.Architecture(hidden=(models.Layer(7), models.Layer(5)))   # no other test's
    before = traces.trace_counts()
    for n, seed, batch in ((600, 1, 64), (900, 2, 128)):
        x, y = toy(n, seed)
        tr = (np.arange(n) % 4 != 0).astype(float)
        ensemble.train_ensemble(x, y, arch, 3, seed, tr, 1.0 - tr, epochs=2, batch_size=batch)
    added = new_traces(before)
    assert sorted(name for name, _ in added) == ["ensemble.run_epoch",
                                                  "ensemble.validation_loss"]
    assert set(added.values()) == {1}
    traces.assert_traced_once_per_shape(traces.trace_counts())
    # Another member count is another shape: traced once more, still once per shape.
    x, y = toy(600, 3)
    tr = (np.arange(600) % 4 != 0).astype(float)
    ensemble.train_ensemble(x, y, arch, 4, 3, tr, 1.0 - tr, epochs=1, batch_size=64)
    added = new_traces(before)
    assert sum(n for (name, _), n in added.items() if name == "ensemble.run_epoch") == 2
    traces.assert_traced_once_per_shape(traces.trace_counts())


def test_flow_step_traced_once():
    """Two flow ensembles of one spec and member count on different events and seeds (two
    injections): the epoch graph, its XLA step and the validation graph are traced once, and
    so are a top flow's on the second as its base."""
    spec = flows.FlowSpec(n_blocks=2, hidden=6, epochs=2, batch_size=64, keep_best=1)
    top = flows.FlowSpec(n_blocks=1, hidden=4, epochs=1, batch_size=64, keep_best=1,
                         batch_norm=False)
    rng = np.random.default_rng(4)
    before = traces.trace_counts()
    for n in (400, 500):
        m = rng.uniform(2600.0, 5000.0, n)
        x = rng.normal(size=(n, 2)) + 0.001 * (m - 3500.0)[:, None]
        base = flows.train_flows(x, m, [np.arange(n)] * 2, spec, seed=n, names=["a", "b"],
                                 log=lambda s: None)
    flows.train_flows(x, m, [np.arange(n)] * 2, top, seed=1, names=["a", "b"],
                      log=lambda s: None, base=base)
    added = new_traces(before)
    assert sorted(name for name, _ in added) == ["flows.run_epoch"] * 2 + [
        "flows.train_step"] * 2 + ["flows.validation_loss"] * 2
    assert set(added.values()) == {1}
    traces.assert_traced_once_per_shape(traces.trace_counts())


def test_retracing_step_fails_the_check():
    """A step that builds a new tf.function per call (the graph captured per member) traces
    its one shape again on every call: the check names it."""
    import tensorflow as tf

    before = traces.trace_counts()
    w = tf.Variable(tf.ones((2, 2)))

    def train_member(x):
        @tf.function
        def step(x):
            traces.count("test.retracing_step", traces.shapes([w, x]))
            w.assign_sub(0.1 * tf.matmul(tf.transpose(x), x))
        step(x)

    for member in range(3):
        train_member(tf.ones((8, 2)) * member)
    added = new_traces(before)
    assert added == {("test.retracing_step", ((2, 2), (8, 2))): 3}
    with pytest.raises(AssertionError, match=r"test.retracing_step: 3 traces of shape"):
        traces.assert_traced_once_per_shape(added)


def test_check_on_hand_made_counts():
    traces.assert_traced_once_per_shape({("f", ((2, 3),)): 1, ("f", ((4, 3),)): 1})
    with pytest.raises(AssertionError, match=r"g: 2 traces"):
        traces.assert_traced_once_per_shape({("f", ((2, 3),)): 1, ("g", ((2, 3),)): 2})
    assert traces.summary({("f", 1): 1, ("f", 2): 1, ("g", 1): 2}) == (
        "traces f: 2 trace(s), 2 shape(s)\ntraces g: 2 trace(s), 1 shape(s)")
