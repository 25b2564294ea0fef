"""scripts/_bootstrap.py: every script imports it first. Its import hook keeps TensorFlow's
own import from loading Keras; the tests check, in a fresh interpreter, that TensorFlow still
imports and computes, that Keras was not loaded on the way, and that what does need Keras
afterwards (TensorFlow Probability, tf.keras, Keras 3 for the benchmark's fits) still loads;
and that the imports of a script run as a program ran without garbage collection."""
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import _bootstrap     # scripts/ is on pytest's pythonpath (pytest.ini)

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

PROBE = """
import gc, json, sys, weakref
sys.path.insert(0, {scripts!r})
sys.argv = [{script!r}]               # as a rule's job runs a script
import _bootstrap
import numpy as np
out = {{"gc_at_import": gc.isenabled()}}


def first_tensorflow_import(events):     # as a training engine called on a job's events
    import tensorflow as tf
    return tf


def main():
    out["gc_in_main"] = gc.isenabled()
    before = gc.get_freeze_count()
    events = np.ones(1000)
    events_alive = weakref.ref(events)
    tf = first_tensorflow_import(events)
    out["gc_after_tensorflow"] = gc.isenabled()
    out["frozen_by_tensorflow"] = gc.get_freeze_count() - before
    del events
    gc.collect()
    out["events_freed"] = events_alive() is None
    out["tf_keras_after_tf"] = "tf_keras" in sys.modules
    import typing
    from tensorflow.python.ops import gen_array_ops, gen_math_ops
    same = [gen_array_ops.TV_BatchMatrixDiag_T, gen_math_ops.TV_Abs_T]
    out["typing_compile_left"] = "compile" in vars(typing)
    out["forward_refs_share_code"] = [
        str(c.__forward_arg__) for c in same[0].__constraints__
        if any(c.__forward_code__ is d.__forward_code__ for d in same[1].__constraints__)]
    out["sum"] = float(tf.reduce_sum(tf.constant([1.0, 2.0])))
    import tensorflow_probability as tfp
    out["tfp_normal_logpdf_0"] = float(tfp.distributions.Normal(0.0, 1.0).log_prob(0.0))
    out["tf_keras_dense"] = tf.keras.layers.Dense(2)(tf.ones((1, 3))).shape.as_list()
    import keras
    out["keras3"] = keras.__version__.split(".")[0]
    print("PROBE " + json.dumps(out), flush=True)


_bootstrap.run(main)
"""


@pytest.fixture(scope="module")
def probe():
    """What a script run as a program (scripts/features.py's path as sys.argv[0]) saw of the
    garbage collector and of TensorFlow, Keras and their users, in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", PROBE.format(
        scripts=str(SCRIPTS), script=str(SCRIPTS / "features.py"))],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")][-1]
    return json.loads(line[len("PROBE "):])


def test_tensorflow_imports_without_keras_and_keras_users_still_load(probe):
    out = probe
    assert out["tf_keras_after_tf"] is False        # the 0.6 s the hook is there to save
    assert out["sum"] == 3.0
    assert abs(out["tfp_normal_logpdf_0"] + 0.9189385) < 1e-6     # -ln sqrt(2 pi)
    assert out["tf_keras_dense"] == [1, 2]
    assert out["keras3"] == "3"


def test_imports_run_without_garbage_collection_and_main_with_it(probe):
    """In a script run as a program the collector is paused for its imports and running in
    main(); tensorflow's import (inside main) runs paused and freezes the objects it built,
    with the collector running again afterwards. Where a test imports a script (as this
    module imports _bootstrap), the collector keeps running."""
    assert probe["gc_at_import"] is False
    assert probe["gc_in_main"] is True and probe["gc_after_tensorflow"] is True
    assert probe["frozen_by_tensorflow"] > 100_000      # TensorFlow's ~400k objects
    assert _bootstrap.AS_PROGRAM is False and gc.isenabled()


def test_tensorflow_import_keeps_no_frame_of_the_job_alive(probe):
    """The garbage of tensorflow's import (its optional imports' exceptions, whose tracebacks
    reach the frames of the function that imported it) is collected, not frozen: the events
    that function held are freed once the job drops them."""
    assert probe["events_freed"] is True


def test_tensorflow_op_typevars_compile_each_constraint_once(probe):
    """During tensorflow's import typing compiles each ForwardRef string once: two op
    modules' TypeVars share the code object of a constraint they both name, and typing's
    own compile is back afterwards."""
    assert "_atypes.Float32" in probe["forward_refs_share_code"]
    assert probe["typing_compile_left"] is False


FLOW_JOB = """
import json, sys
sys.path.insert(0, {scripts!r})
import _bootstrap
import numpy as np
from radflow.ml import flows
rng = np.random.default_rng(4)
m = rng.uniform(2600, 5000, 3000)
x = rng.normal(0.01 * (m - 2600), 1.0)[:, None]
spec = flows.FlowSpec(n_blocks=2, hidden=16, epochs=2, batch_size=256, learning_rate=1e-2,
                      keep_best=1)
fl = flows.train_flows(x, m, [np.arange(len(x))], spec, seed=1, names=["toy"], log=lambda s: None)
print("FLOW " + json.dumps(fl.val_loss.ravel().tolist()))
"""


def flow_job(env):
    """A flow training (an XLA-compiled step) in a fresh interpreter: its validation losses."""
    proc = subprocess.run([sys.executable, "-c", FLOW_JOB.format(scripts=str(SCRIPTS))],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("FLOW ")][-1][5:])


def test_xla_steps_compiled_by_one_job_are_loaded_by_the_next_with_the_same_numbers(tmp_path):
    """RADFLOW_XLA_CACHE (set by the Snakefile for every job) makes the first job write its
    compiled step into a directory of this TensorFlow version and CPU; a second job of the
    same shape adds nothing there (it loaded the step) and trains to the same losses as a job
    without the cache, bit for bit."""
    env = {k: v for k, v in os.environ.items() if k not in ("RADFLOW_XLA_CACHE", "TF_XLA_FLAGS")}
    cache = tmp_path / "xla"
    plain = flow_job(env)
    first = flow_job(dict(env, RADFLOW_XLA_CACHE=str(cache)))
    (keyed,) = cache.iterdir()
    assert keyed.name.startswith("tensorflow-") and "-cpu-" in keyed.name
    entries = {p: p.stat().st_mtime_ns for p in keyed.iterdir()}
    assert entries and all(p.suffix == ".pb" for p in entries)
    second = flow_job(dict(env, RADFLOW_XLA_CACHE=str(cache)))
    assert {p: p.stat().st_mtime_ns for p in keyed.iterdir()} == entries
    assert first == plain and second == plain


def test_xla_cache_is_keyed_by_tensorflow_version_and_instruction_set(monkeypatch):
    flag = _bootstrap.xla_cache_flag("/cache")
    monkeypatch.setattr(_bootstrap.importlib.metadata, "version", lambda name: "0.0-other")
    other_tf = _bootstrap.xla_cache_flag("/cache")
    monkeypatch.setattr(_bootstrap.Path, "read_text", lambda self: "flags\t: sse2 avx\n")
    other_cpu = _bootstrap.xla_cache_flag("/cache")
    assert flag.startswith("--tf_xla_persistent_cache_directory=/cache/tensorflow-")
    assert len({flag, other_tf, other_cpu}) == 3
    assert "tensorflow-0.0-other-cpu-" in other_tf


def test_dag_jobs_write_their_xla_steps_to_the_run_s_cache(ci_run):
    """The Snakefile's RADFLOW_XLA_CACHE reaches the jobs: the CI run's flow and CWoLa
    hunting jobs left their compiled steps in its .snakemake directory."""
    entries = list((ci_run.parent / ".snakemake" / "radflow-xla-cache").glob("tensorflow-*/*.pb"))
    assert entries


RUN_JOB = """
import atexit, sys
sys.path.insert(0, {scripts!r})
import _bootstrap
import h5py
import numpy as np


class Teardown:
    def __del__(self):
        print("module teardown ran", flush=True)


KEPT = Teardown()      # collected only by the interpreter's teardown of this module


def main():
    with h5py.File({out!r}, "w") as f:
        f["x"] = np.arange(3.0)
    atexit.register(print, "exit handler ran")
    print("main returned")
    if {fail!r}:
        raise RuntimeError("bad input")


_bootstrap.run(main)
"""


def run_job(tmp_path, fail):
    out = tmp_path / "out.h5"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout buffered
    proc = subprocess.run([sys.executable, "-c", RUN_JOB.format(scripts=str(SCRIPTS),
                                                                out=str(out), fail=fail)],
                          capture_output=True, text=True, timeout=120, env=env)
    return proc, out


def test_run_ends_a_finished_job_without_teardown_and_keeps_its_output(tmp_path):
    import h5py
    import numpy as np

    proc, out = run_job(tmp_path, fail=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "main returned" in proc.stdout and "exit handler ran" in proc.stdout
    assert "module teardown ran" not in proc.stdout
    with h5py.File(out) as f:
        np.testing.assert_array_equal(f["x"][()], [0.0, 1.0, 2.0])


def test_run_lets_a_failing_job_end_with_its_traceback_and_status_1(tmp_path):
    proc, _ = run_job(tmp_path, fail=True)
    assert proc.returncode == 1
    assert "RuntimeError: bad input" in proc.stderr
    assert "main returned" in proc.stdout and "exit handler ran" in proc.stdout
