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
from pathlib import Path

import pytest
import yaml

from radflow import config as cfgmod

REPO = Path(__file__).resolve().parent.parent
CI_CONFIG = REPO / "config" / "ci.yaml"


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


def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist's ``--dist loadgroup`` (`make test` runs two workers): the
    tests that read the CI run go to one worker, which builds it while the other worker runs
    the rest; every other test stays with its module, so a module's fixtures are built once.
    A module that names its own group (``pytestmark = pytest.mark.xdist_group(...)``)
    keeps it."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = "ci_run" if "ci_run" in item.fixturenames else item.module.__name__
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory, worker_id):
    """Results directory of a full CI-sized DAG run (events, features, regions, figures), run
    once per test session: under pytest-xdist the first worker that needs it runs it in the
    session's shared temporary directory, holding a lock that the others wait on."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    workdir, done = root / "ci_run", root / "ci_run.done"
    with open(root / "ci_run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if workdir.exists():       # a failed run of another worker: run it again
                shutil.rmtree(workdir)
            workdir.mkdir()
            snakemake(workdir, "all")
            done.touch()
    return workdir / "results"


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
