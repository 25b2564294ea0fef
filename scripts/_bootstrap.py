"""Imported first by every script: puts the radflow package (beside scripts/) on sys.path,
so a script runs the same in the venv, a conda env or a Slurm job, and prints where the job
runs (host, SLURM_JOB_ID) as the first line of the rule's log and, at exit, how often each
training step's tf.function was traced (radflow.ml.traces; nothing if none was).

TensorFlow's import loads a Keras eagerly; with TF_USE_LEGACY_KERAS it loads tf_keras instead
of Keras 3 (which pulls matplotlib, pandas and scikit-learn): 0.9 s less start-up per job
(2.9 s against 3.8 s for `import tensorflow`, 2 cores). The engines use no Keras."""
import atexit
import os
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
print(f"host={socket.gethostname()} SLURM_JOB_ID={os.environ.get('SLURM_JOB_ID', 'none')}",
      flush=True)


def _print_trace_counts():
    traces = sys.modules.get("radflow.ml.traces")     # loaded by the training engines only
    counts = traces.trace_counts() if traces else {}
    if counts:
        print(traces.summary(counts), flush=True)


atexit.register(_print_trace_counts)
