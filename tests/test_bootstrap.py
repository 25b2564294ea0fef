"""scripts/_bootstrap.py: every script imports it first. Its import hook keeps TensorFlow's
own import from loading Keras; the tests check, in a fresh interpreter, that TensorFlow still
imports and computes, that Keras was not loaded on the way, and that what does need Keras
afterwards (TensorFlow Probability, tf.keras, Keras 3 for the benchmark's fits) still loads."""
import json
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

PROBE = """
import json, sys
sys.path.insert(0, {scripts!r})
import _bootstrap
import tensorflow as tf
out = {{"tf_keras_after_tf": "tf_keras" in sys.modules,
        "sum": float(tf.reduce_sum(tf.constant([1.0, 2.0])))}}
import tensorflow_probability as tfp
out["tfp_normal_logpdf_0"] = float(tfp.distributions.Normal(0.0, 1.0).log_prob(0.0))
out["tf_keras_dense"] = tf.keras.layers.Dense(2)(tf.ones((1, 3))).shape.as_list()
import keras
out["keras3"] = keras.__version__.split(".")[0]
print("PROBE " + json.dumps(out))
"""


def probe():
    proc = subprocess.run([sys.executable, "-c", PROBE.format(scripts=str(SCRIPTS))],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")][-1]
    return json.loads(line[len("PROBE "):])


def test_tensorflow_imports_without_keras_and_keras_users_still_load():
    out = probe()
    assert out["tf_keras_after_tf"] is False        # the 0.6 s the hook is there to save
    assert out["sum"] == 3.0
    assert abs(out["tfp_normal_logpdf_0"] + 0.9189385) < 1e-6     # -ln sqrt(2 pi)
    assert out["tf_keras_dense"] == [1, 2]
    assert out["keras3"] == "3"
