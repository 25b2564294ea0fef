"""`make test` runs two pytest-xdist workers with ``--dist loadgroup``; tests/conftest.py
schedules the groups: the tests of one group run on one worker (one Slurm cluster, one
build of each module fixture). Checked on a run whose tests are skipped where they run."""
import os
import subprocess
import sys
from collections import defaultdict

from tests.conftest import REPO

RECORDER = '''
import os
import pytest


def pytest_runtest_setup(item):
    with open(os.environ["RADFLOW_RECORD"], "a") as f:
        f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {item.nodeid}\\n")
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
    workers = defaultdict(set)      # module -> the workers that ran its tests
    for line in record.read_text().splitlines():
        worker, nodeid = line.split(" ", 1)
        workers[nodeid.split("::")[0]].add(worker)
    assert set(workers) == set(MODULES)
    # test_slurm.py: its own group; test_salad_study.py: all in the CI-run group;
    # test_stats.py (17 tests): its module's group.
    assert all(len(w) == 1 for w in workers.values()), dict(workers)
    assert set().union(*workers.values()) == {"gw0", "gw1"}
