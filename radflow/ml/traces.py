"""Trace counts of the training steps' tf.functions within one process, and calls that trace
once for any size of their tensor arguments (:func:`relaxed`).

A tf.function runs its Python body only when it traces (builds a graph for a new argument
type), so a call of :func:`count` in that body counts traces. Each trace is keyed by the
function's name and the shape key its caller passes (the shapes of the arguments as
traced, e.g. ``((2000, 4, 16), ...)``); a key counted more than once means the same graph
was built again, which :func:`assert_traced_once_per_shape` reports.
"""
from __future__ import annotations

from collections import Counter

_COUNTS: Counter = Counter()


def count(name: str, shape) -> None:
    """Record one trace of the function ``name`` for the argument shapes ``shape`` (any
    hashable, e.g. a tuple of shape tuples; None for a relaxed dimension)."""
    _COUNTS[(name, shape)] += 1


def shapes(structure) -> tuple:
    """The shapes of the tensors and variables in a nested ``structure`` (tf.nest), as a
    tuple of tuples (None for a dimension left open): a shape key for :func:`count`."""
    import tensorflow as tf

    return tuple(None if t is None else tuple(t.shape.as_list())
                 for t in tf.nest.flatten(structure))


def trace_counts() -> dict:
    """{(function name, shape key): number of traces} since the process started."""
    return dict(_COUNTS)


def assert_traced_once_per_shape(counts: dict) -> None:
    """Raise AssertionError naming every function traced more than once for one shape key
    in ``counts`` ({(name, shape): traces}, as :func:`trace_counts` returns)."""
    again = {key: n for key, n in counts.items() if n > 1}
    if again:
        lines = [f"  {name}: {n} traces of shape {shape}" for (name, shape), n in again.items()]
        raise AssertionError("training steps traced more than once per shape:\n"
                             + "\n".join(lines))


def summary(counts: dict) -> str:
    """One line per function: its number of traces and distinct shapes in ``counts``."""
    per_name: dict = {}
    for (name, _), n in counts.items():
        traces, n_shapes = per_name.get(name, (0, 0))
        per_name[name] = (traces + n, n_shapes + 1)
    return "\n".join(f"traces {name}: {t} trace(s), {s} shape(s)"
                     for name, (t, s) in sorted(per_name.items()))


def relaxed(function):
    """For the tf.function ``function``: graph(*args), its ConcreteFunction for the types of
    ``args`` with every tensor's dimensions open (a TensorSpec of its dtype and rank;
    variables and None as they are), to be called with such args. The first graph() traces;
    later ones for args of other sizes, the same variables' shapes (member count, layer
    sizes), return the same graph. Calling the ConcreteFunction skips tf.function's
    per-call dispatch on the variables (measured on a 2-block flow, 2 cores: 3.2 ms a
    step through the tf.function, 1.1 ms through its ConcreteFunction)."""
    import tensorflow as tf

    def spec(t):
        if t is None or isinstance(t, tf.Variable):
            return t
        return tf.TensorSpec([None] * t.shape.rank, t.dtype)

    def graph(*args):
        return function.get_concrete_function(*tf.nest.map_structure(spec, args))
    return graph
