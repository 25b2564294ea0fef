"""Imported first by every script: puts the radflow package (beside scripts/) on sys.path,
so a script runs the same in the venv, a conda env or a Slurm job, and prints where the job
runs (host, SLURM_JOB_ID) as the first line of the rule's log and, at exit, how often each
training step's tf.function was traced (radflow.ml.traces; nothing if none was).

TensorFlow's import ends with an eager, optional import of Keras' optimizers (inside
try/except ImportError, to register them for SavedModel). The engines use no Keras and save
no SavedModel, so :class:`_NoKerasInTensorFlowImport` refuses that import while tensorflow
initializes: `import tensorflow` takes 1.8 s instead of 2.3 s (2 cores), in every training
job. TF_USE_LEGACY_KERAS makes the Keras behind tf.keras tf_keras instead of Keras 3 (which
pulls matplotlib, pandas and scikit-learn where tf.keras is used). A later import of tf_keras
(TensorFlow Probability, tf.keras) or of Keras 3 (the benchmark's Keras fits) loads as usual.

Where RADFLOW_XLA_CACHE names a directory (the Snakefile sets it for every job), XLA's
persistent compilation cache is switched on in a subdirectory for this TensorFlow version
and this CPU's instruction set (:func:`xla_cache_flag`): a training step compiled by one job
is loaded, not compiled again, by the next job of the same shape (the same executable, so
the same numbers; docs/performance.md).

Every script ends with :func:`run`: after ``main()`` returns, the exit handlers run and the
output streams are flushed, then the process ends without the interpreter's teardown of its
modules, which is ~1 s of CPU for a process that imported TensorFlow (2 cores), in every
training job. A script that raises ends the usual way, with its traceback and exit code 1."""
import atexit
import hashlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import os
import platform
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def xla_cache_flag(cache_root: str) -> str:
    """The TF_XLA_FLAGS entry that keeps XLA's compiled executables in ``cache_root``, in a
    subdirectory per TensorFlow version and CPU instruction set (the "flags" line of
    /proc/cpuinfo, else the machine type): an executable is native code for the CPU that
    compiled it, so nodes of a cluster with other instruction sets keep their own. Files are
    written to a temporary name and renamed, and an entry is used only if its HLO module
    equals the one being compiled (TensorFlow's DeviceExecutablePersistor)."""
    try:
        tf_version = importlib.metadata.version("tensorflow")
    except importlib.metadata.PackageNotFoundError:
        tf_version = "unknown"
    try:
        isa = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("flags"))
    except (OSError, StopIteration):
        isa = platform.machine()
    key = hashlib.sha1(isa.encode()).hexdigest()[:12]
    cache = Path(cache_root) / f"tensorflow-{tf_version}-cpu-{key}"
    return f"--tf_xla_persistent_cache_directory={cache}"


if os.environ.get("RADFLOW_XLA_CACHE") and "persistent_cache_directory" not in os.environ.get(
        "TF_XLA_FLAGS", ""):
    os.environ["TF_XLA_FLAGS"] = " ".join(filter(None, [
        os.environ.get("TF_XLA_FLAGS"), xla_cache_flag(os.environ["RADFLOW_XLA_CACHE"])]))


class _RefuseImport(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError(f"{module.__name__} is not loaded during tensorflow's own import "
                          "(scripts/_bootstrap.py)")


class _NoKerasInTensorFlowImport(importlib.abc.MetaPathFinder):
    """While the tensorflow package initializes, tf_keras is found (TensorFlow reads where
    it lies) but not executed: TensorFlow's guarded eager import of it fails and is skipped.
    Every other import, and tf_keras once tensorflow is loaded, goes to the usual finders."""

    def find_spec(self, name, path=None, target=None):
        tf = sys.modules.get("tensorflow")
        if name != "tf_keras" or tf is None or not getattr(tf.__spec__, "_initializing", False):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = _RefuseImport()
        return spec


sys.meta_path.insert(0, _NoKerasInTensorFlowImport())
print(f"host={socket.gethostname()} SLURM_JOB_ID={os.environ.get('SLURM_JOB_ID', 'none')}",
      flush=True)


def _print_trace_counts():
    traces = sys.modules.get("radflow.ml.traces")     # loaded by the training engines only
    counts = traces.trace_counts() if traces else {}
    if counts:
        print(traces.summary(counts), flush=True)


atexit.register(_print_trace_counts)


def run(main) -> None:
    """Call ``main()``; when it returns, run the exit handlers (:mod:`atexit`: the trace
    counts, logging's and TensorFlow's own), flush stdout and stderr and end the process with
    status 0, skipping the interpreter's module teardown. Every file a script writes is
    closed when ``main()`` returns (``with`` blocks, radflow.h5io), so nothing is lost."""
    main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
