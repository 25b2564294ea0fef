"""Imported first by every script: puts the radflow package (beside scripts/) on sys.path,
so a script runs the same in the venv, a conda env or a Slurm job, and prints where the job
runs (host, SLURM_JOB_ID) as the first line of the rule's log and, at exit, how often each
training step's tf.function was traced (radflow.ml.traces; nothing if none was).

TensorFlow's import ends with an eager, optional import of Keras' optimizers (inside
try/except ImportError, to register them for SavedModel). The engines use no Keras and save
no SavedModel, so :class:`_NoKerasInTensorFlowImport` refuses that import while tensorflow
initializes: `import tensorflow` takes 1.8 s instead of 2.3 s (2 cores), in every training
job. Imports build long-lived objects only, and Python's cyclic garbage collector passes
over the growing heap while they run (~600 passes, 0.25-0.3 s of a TensorFlow import): in a
script run as a program the collector is paused from here until :func:`run` starts
``main()``, and :class:`_TensorFlowImportUncollected` pauses it for the import of
tensorflow (inside ``main()``, where the engines import it); what they built is then frozen
(:func:`gc.freeze`), so that the job's later collections skip it. `import tensorflow` takes
0.47 s less, a plotting script's imports 0.12 s less (2 cores). TF_USE_LEGACY_KERAS makes
the Keras behind tf.keras tf_keras instead of Keras 3 (which pulls matplotlib, pandas and
scikit-learn where tf.keras is used). A later import of tf_keras (TensorFlow Probability,
tf.keras) or of Keras 3 (the benchmark's Keras fits) loads as usual.

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
import gc
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
#: True in a script run as a program (a rule's job), False where a test imports a script.
AS_PROGRAM = Path(sys.argv[0]).suffix == ".py" and Path(sys.argv[0]).resolve().parent == Path(
    __file__).resolve().parent
if AS_PROGRAM:
    gc.disable()
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


class _Uncollected(importlib.abc.Loader):
    """A module's loader, run with the cyclic garbage collector paused; the objects the
    module built are then frozen (:func:`gc.freeze`: never scanned again, as they live as
    long as the process), and the collector is resumed if it was running.

    The import leaves cyclic garbage (the exceptions of optional imports it tried, with their
    tracebacks), whose frames link back to the frames of the job that imported tensorflow:
    frozen, it would never be collected, and every function on that stack would keep its
    locals once it returns (a mass-scan toy job: 2.90 GB peak instead of 2.32 GB, its first
    block's tables). The youngest generation (everything built since the pause, and the job's
    newest objects) is collected before the freeze: one pass over the import's objects,
    0.12-0.17 s of CPU, against the 0.7-0.85 s of collections over them that an unfrozen
    import cost a short job (tensorflow's import in a script's ``main()``, 3-4 runs each, 2 cores).

    While it runs, :mod:`typing` compiles each string it turns into a ForwardRef once:
    TensorFlow's generated op modules declare 1291 TypeVars whose constraints are the same
    few dozen strings ("_atypes.Float32", ...), 18k compilations of them otherwise, 0.15 s of
    the 1.8 s of `import tensorflow` (six alternating imports each, 2 cores). A code object is
    immutable, so sharing it changes nothing else."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):           # get_resource_reader, is_package, ...
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        import functools
        import typing

        running = gc.isenabled()
        gc.disable()
        typing.compile = functools.lru_cache(maxsize=None)(compile)   # shadows the builtin
        try:
            self.loader.exec_module(module)
        finally:
            del typing.compile
            gc.collect(0)
            gc.freeze()
            if running:
                gc.enable()


class _TensorFlowImportUncollected(importlib.abc.MetaPathFinder):
    """The tensorflow package is imported by :class:`_Uncollected`; every other import, and
    a second import of tensorflow, goes to the usual finders."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow" or name in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Uncollected(spec.loader)
        return spec


sys.meta_path.insert(0, _NoKerasInTensorFlowImport())
sys.meta_path.insert(0, _TensorFlowImportUncollected())
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
    closed when ``main()`` returns (``with`` blocks, radflow.h5io), so nothing is lost.
    The garbage collector, paused for the script's imports, runs during ``main()``."""
    if AS_PROGRAM:
        gc.freeze()
        gc.enable()
    main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
