"""`make test` runs two pytest-xdist workers with ``--dist loadgroup``; tests/conftest.py
schedules the groups: the tests of one group run on one worker (one build of each module
fixture), the CI-run group on one worker and the Slurm slice first on the other. Checked on
a run whose tests are skipped where they run."""
import os
import subprocess
import sys
from collections import defaultdict

from tests.conftest import REPO

RECORDER = '''
import os
import pytest


def pytest_runtest_setup(item):
    from tests.conftest import xdist_group_of
    with open(os.environ["RADFLOW_RECORD"], "a") as f:
        f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {xdist_group_of(item)} {item.nodeid}\\n")
    pytest.skip("recorded where it runs")
'''
MODULES = ["tests/test_slurm.py", "tests/test_salad_study.py", "tests/test_stats.py"]


def test_each_group_runs_on_one_worker(tmp_path):
    (tmp_path / "recorder.py").write_text(RECORDER)
    record = tmp_path / "record.txt"
    env = dict(os.environ, RADFLOW_RECORD=str(record),
               PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
                           "-p", "recorder", "-p", "no:cacheprovider", *MODULES],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    workers = defaultdict(set)      # group -> the workers that ran its tests
    modules = defaultdict(set)      # group -> the modules of its tests
    order = defaultdict(list)       # worker -> its groups in the order it ran their tests
    for line in record.read_text().splitlines():
        worker, group, nodeid = line.split(" ", 2)
        workers[group].add(worker)
        modules[group].add(nodeid.split("::")[0])
        order[worker].append(group)
    # The Slurm slice's test: its own group; test_salad_study.py and the slice's comparisons
    # with the local run: the CI-run group; test_stats.py (17 tests): its module's group.
    assert modules.pop("slurm") == {MODULES[0]} and modules.pop("ci_run") == set(MODULES[:2])
    assert list(modules.values()) == [{MODULES[2]}], dict(modules)
    assert all(len(w) == 1 for w in workers.values()), dict(workers)
    assert set().union(*workers.values()) == {"gw0", "gw1"}
    # The CI run's worker starts with it, the other with the slice.
    assert workers["ci_run"] != workers["slurm"]
    assert order[next(iter(workers["ci_run"]))][0] == "ci_run"
    assert order[next(iter(workers["slurm"]))][0] == "slurm"
