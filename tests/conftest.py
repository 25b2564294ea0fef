"""Shared fixtures: one CI-sized run of the real DAG (config/ci.yaml merged over
config/config.yaml), reused by the tests."""
import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from radflow import config as cfgmod

REPO = Path(__file__).resolve().parent.parent
CI_CONFIG = REPO / "config" / "ci.yaml"

# One TensorFlow thread per test process (intra- and inter-op), as each job of the DAG has
# (its rules' threads: 1): under pytest-xdist the two workers share the 2 cores with the CI
# run's jobs, and a second thread only spins. `make test`'s pytest on 2 cores, two runs in a
# row: 680.7 s (1194 CPU s) with TensorFlow's default (a thread per core), 608.4 s (1077 CPU
# s) with one thread.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def snakemake(workdir, *args, configfile=CI_CONFIG, check=True, timeout=1800):
    """Run the repository's Snakefile in ``workdir`` with the venv's tools on PATH;
    ``configfile``: one overlay or a list of them (merged in order over config/config.yaml)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    files = configfile if isinstance(configfile, (list, tuple)) else [configfile]
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "workflow" / "Snakefile"),
           "--directory", str(workdir), *args, "--configfile", *map(str, files)]
    if "--workflow-profile" not in args:
        cmd[3:3] = ["--cores", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


# The file in which pytest-xdist's workers leave {test id: group} for the controller's
# scheduler (set by the controller, inherited by the workers it starts).
GROUPS_ENV = "RADFLOW_TEST_GROUPS"


def xdist_group_of(item) -> str:
    """The xdist group of a test: its module's ``pytestmark = pytest.mark.xdist_group(name)``
    if it names one, "ci_run" for a test that reads the CI run, else its module."""
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return mark.args[0]
    return "ci_run" if "ci_run" in item.fixturenames else item.module.__name__


def pytest_configure(config):
    """The controller of a pytest-xdist run: a new groups file (this session's, even when
    the session runs inside a test of another)."""
    config.radflow_groups_file = None
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    fd, path = tempfile.mkstemp(prefix="radflow-test-groups-", suffix=".json")
    os.close(fd)
    os.environ[GROUPS_ENV] = config.radflow_groups_file = path


def pytest_unconfigure(config):
    if getattr(config, "radflow_groups_file", None):
        Path(config.radflow_groups_file).unlink(missing_ok=True)


def pytest_collection_modifyitems(config, items):
    """Orders the tests by group: the CI-run tests first, the Slurm slice second (under
    pytest-xdist the other worker starts it while the first builds the CI run, whose
    background events it reuses: its waits on Slurm leave that worker's core to the CI run),
    then the other modules, those of more tests first (as xdist's loadscope reorder), each
    module's tests in their place. Under pytest-xdist each worker writes the groups to the
    file the controller's scheduler reads (:func:`pytest_xdist_make_scheduler`), which keeps
    this order."""
    rank = {"ci_run": 0, "slurm": 1}
    groups = [xdist_group_of(item) for item in items]
    size = Counter(groups)
    order = {item.nodeid: (rank.get(g, 2), 0 if g in rank else -size[g])
             for item, g in zip(items, groups)}
    items.sort(key=lambda item: order[item.nodeid])
    path = os.environ.get(GROUPS_ENV)
    if hasattr(config, "workerinput") and path:
        tmp = f"{path}.{config.workerinput['workerid']}"
        Path(tmp).write_text(json.dumps({item.nodeid: xdist_group_of(item) for item in items}))
        os.replace(tmp, path)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` (`make test` runs two pytest-xdist workers): each group of
    :func:`xdist_group_of` is one unit of work, so the CI-run tests go to one worker, which builds
    the run while the other worker runs the Slurm slice and the rest, and each module's
    fixtures are built once.
    xdist's own loadgroup scheduler reads the group from a suffix it writes into the test id,
    which pytest 9 does not let a plugin change: there every test is its own unit, and two
    workers would each start a Slurm cluster on the same ports."""
    if config.getvalue("dist") != "loadgroup":
        return None
    config.option.loadscopereorder = False      # the order of pytest_collection_modifyitems
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        groups = None

        def _split_scope(self, nodeid):
            if self.groups is None:     # the workers wrote it before reporting their collection
                self.groups = json.loads(Path(os.environ[GROUPS_ENV]).read_text())
            return self.groups[nodeid]

    return GroupScheduling(config, log)


def shared_paths(tmp_path_factory, worker_id, name: str) -> tuple[Path, Path, Path]:
    """A run shared by the session's pytest-xdist workers (the CI run, the Slurm slice): its
    working directory ``name``, the file that marks it done and the lock held while a worker
    builds it, in the session's common temporary directory."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    return root / name, root / f"{name}.done", root / f"{name}.lock"


def run_once(tmp_path_factory, worker_id, name: str, build) -> tuple[Path, str]:
    """A run shared by the session's workers (:func:`shared_paths`), built once: the first
    worker that asks for it runs ``build(workdir)`` in a fresh working directory, holding the
    lock that the others wait on, and records the outcome text it returns in the done file;
    a build that raises records nothing, so the next worker that asks builds it again.
    Returns (workdir, outcome)."""
    workdir, done, lock_file = shared_paths(tmp_path_factory, worker_id, name)
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if workdir.exists():       # a failed build of another worker: build it again
                shutil.rmtree(workdir)
            workdir.mkdir()
            done.write_text(build(workdir))
    return workdir, done.read_text()


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory, worker_id):
    """Results directory of a full CI-sized DAG run (events, features, regions, figures), run
    once per test session (:func:`run_once`): under pytest-xdist by the first worker that
    needs it, in the session's shared temporary directory."""
    def build(workdir):
        snakemake(workdir, "all")
        return "ok"
    workdir, _ = run_once(tmp_path_factory, worker_id, "ci_run", build)
    return workdir / "results"


@pytest.fixture(scope="session")
def ci_run_events(tmp_path_factory, worker_id):
    """``events(samples, timeout, start_wait)``: the generated event chunks of ``samples``
    in the session's CI run, {sample: [chunk files]}, once that run has merged each sample
    into its features (so every chunk is complete), waiting while another worker builds the
    run (and up to ``start_wait`` s for one to start it: the workers start their first tests
    together); None where no CI run holds them (none started, or it stopped before) or
    after ``timeout`` s. Lets a second DAG run of the same config skip regenerating those
    samples."""
    workdir, _, lock_file = shared_paths(tmp_path_factory, worker_id, "ci_run")
    results = workdir / "results"

    def events(samples, timeout=1500.0, start_wait=30.0):
        start = time.monotonic()
        while time.monotonic() < start + timeout:
            if all((results / "features" / f"{s}.h5").exists() for s in samples):
                return {s: sorted((results / "events" / s).glob("chunk*.root")) for s in samples}
            with open(lock_file, "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:     # another worker is building the run
                    time.sleep(5)
                    continue
            if workdir.exists() or time.monotonic() > start + start_wait:
                return None                 # nobody is building it and it does not hold them
            time.sleep(1)
        return None
    return events


@functools.lru_cache(maxsize=None)
def workflow_rules() -> dict:
    """Every rule as Snakemake loads it (tests/workflow_rules.py, its own process), with the
    default config: rules are defined whatever the config, so none is missed."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rules.json"
        subprocess.run([sys.executable, str(REPO / "tests" / "workflow_rules.py"),
                        str(REPO / "workflow" / "Snakefile"), str(REPO / "config" / "config.yaml"),
                        str(Path(tmp) / "work"), str(out)], check=True, capture_output=True, text=True)
        return json.loads(out.read_text())


@pytest.fixture(scope="session")
def ci_config():
    """The CI run's config as the Snakefile builds it (schema defaults not filled in):
    config/config.yaml with config/ci.yaml merged over it."""
    return cfgmod.merged([CI_CONFIG])


@pytest.fixture
def small_config(tmp_path, ci_config):
    """The CI config changed by a ``modify(cfg)`` hook, written as a --configfile: the
    overlay that turns config/config.yaml into exactly ``cfg`` (null for each key ``modify``
    deleted); returns (path, cfg)."""
    def make(modify=lambda c: None, name="config.yaml"):
        cfg = yaml.safe_load(yaml.safe_dump(ci_config))
        modify(cfg)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(cfgmod.overlay(cfgmod.read(cfgmod.DEFAULT), cfg)))
        return path, cfg
    return make


def copy_file(src, dst):
    shutil.copyfile(src, dst)
    return dst
