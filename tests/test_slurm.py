"""A slice of the CI-sized DAG through a live single-node Slurm, compared with the local run.

Skipped with a visible reason where Slurm cannot be started (not root, no apt-get);
under CI=true it must run, so there the reason is a failure instead.
"""
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from radflow import h5io
from tests.conftest import REPO, run_once, snakemake
from tests.slurm_cluster import SlurmCluster, SlurmUnavailable

PROFILE = REPO / "tests" / "slurm_profile"
JOB_ID = re.compile(r"SLURM_JOB_ID=(\d+)")
# A slice of the CI DAG with a job of every stage (generation chunks, features, regions,
# injection, DCTR, a SALAD lines training, the supervised classifier and its figure, the
# data-vs-sim check): 15 Slurm jobs instead of the whole DAG, to keep CI short. Each Slurm
# job starts a Snakemake of its own: the slice took 93 CPU s in all, Slurm's daemons included.
TARGETS = ("results/validation/data_vs_sim.json", "results/figures/A3_supervised.png",
           "results/salad/lines/sb0.05_rep0_scores.h5")
# The slice's background samples (all but 1% of its generation time) are the local CI run's
# chunks where that run has made them: the slice's generation jobs are then the signal's two
# chunks (config/ci.yaml), which test_generation_chunks_... compares with the local run.
REUSED_SAMPLES = ("data", "sim")
GENERATED_SAMPLE = "sig_xy"


def run_slice(workdir, ci_run_events) -> str:
    """Runs the slice in the empty ``workdir`` through a Slurm started for it: "ok", or why
    not ("skip: " and the reason Slurm cannot be started, else the failure)."""
    for sample, chunks in (ci_run_events(REUSED_SAMPLES) or {}).items():
        (workdir / "results" / "events" / sample).mkdir(parents=True)
        for chunk in chunks:
            shutil.copy2(chunk, workdir / "results" / "events" / sample / chunk.name)
    try:
        cluster = SlurmCluster().__enter__()
    except SlurmUnavailable as why:
        return f"skip: Slurm cannot be started here: {why}"
    try:
        proc = snakemake(workdir, *TARGETS, "--workflow-profile", str(PROFILE), check=False,
                         timeout=1500)
        jobs = subprocess.run(["squeue", "-h"], capture_output=True, text=True).stdout
    except Exception as err:        # recorded for the tests of the other worker too
        return f"snakemake through Slurm raised {err!r}"
    finally:
        cluster.__exit__(None, None, None)
    if proc.returncode != 0:
        return f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}\nsqueue: {jobs}"
    return "ok"


@pytest.fixture(scope="session")
def slurm_run(tmp_path_factory, worker_id, ci_run_events):
    """Results directory of the slice, run once per test session like the CI run
    (tests/conftest.py run_once): under pytest-xdist by the worker of the 'slurm' group
    (early, while the other worker builds the CI run); the CI-run group's comparisons read
    its outcome from the shared directory."""
    workdir, outcome = run_once(tmp_path_factory, worker_id, "slurm_run",
                                lambda path: run_slice(path, ci_run_events))
    if outcome.startswith("skip: "):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {outcome[len('skip: '):]}")
        pytest.skip(outcome[len("skip: "):])
    assert outcome == "ok", outcome
    return workdir / "results"


def job_ids(results):
    """{log file: SLURM_JOB_ID} of every rule log."""
    out = {}
    for log in sorted((results / "logs").rglob("*.log")):
        m = JOB_ID.search(log.read_text().splitlines()[0])
        out[str(log.relative_to(results))] = m.group(1) if m else None
    return out


# The slice's own group, second in line (tests/conftest.py): one worker runs the slice while
# the other builds the CI run; the comparisons with the local run are in the CI-run group.
@pytest.mark.xdist_group("slurm")
def test_every_job_ran_as_a_slurm_job(slurm_run):
    results = slurm_run
    ids = job_ids(results)
    assert len(ids) >= 15
    missing = [log for log, jid in ids.items() if jid is None]
    assert not missing, f"jobs without a SLURM_JOB_ID: {missing}"
    assert len(set(ids.values())) == len(ids), "two jobs shared a Slurm job"


def test_slurm_outputs_equal_local(slurm_run, ci_run):
    results = slurm_run
    files = sorted(p.relative_to(results) for p in results.rglob("*.h5"))
    # Features, regions, injections, DCTR weights and trained scores of the slice.
    kinds = {f.parts[0] if f.parts[0] == "features" else f.parts[1] for f in files}
    assert {"features", "regions", "inject", "dctr", "lines", "scores"} <= kinds, kinds
    for rel in files:
        a, b = h5io.read_columns(ci_run / rel), h5io.read_columns(results / rel)
        assert sorted(a) == sorted(b), rel
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=f"{rel}:{col}")
    local = json.loads((ci_run / "validation" / "data_vs_sim.json").read_text())
    remote = json.loads((results / "validation" / "data_vs_sim.json").read_text())
    assert local == remote


def test_generation_chunks_are_separate_slurm_jobs_and_merge_like_local(slurm_run, ci_run):
    results = slurm_run
    ids = job_ids(results)
    chunks = {log: jid for log, jid in ids.items() if log.startswith("logs/generate/")}
    generated = [log for log in chunks if f"/{GENERATED_SAMPLE}_chunk" in log]
    assert len(generated) >= 2, chunks
    assert len(set(chunks.values())) == len(chunks)
    for sample in (*REUSED_SAMPLES, GENERATED_SAMPLE):
        a = h5io.read_columns(ci_run / "features" / f"{sample}.h5")
        b = h5io.read_columns(results / "features" / f"{sample}.h5")
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=f"{sample}:{col}")
