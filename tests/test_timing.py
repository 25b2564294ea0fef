"""Timing tables (radflow/timing.py): benchmark files, per-rule and per-study sums, the
critical path and the simulated makespan of a hand-made DAG checked against numbers worked
out by hand; the DAG Snakemake builds for the CI config (radflow/workflow_dag.py); a
benchmark directive on every rule; the docs block."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from radflow import timing
from radflow.timing import Job
from tests.conftest import workflow_rules

REPO = Path(__file__).resolve().parent.parent
HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write_benchmark(path: Path, rows):
    """A Snakemake benchmark TSV with one row per (s, max_rss, cpu_time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(f"{s}\t0:00:00\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n"
                                     for s, rss, cpu in rows))


@pytest.fixture
def run(tmp_path):
    """A DAG a -> b -> d, a -> c -> d, a -> f, and e alone, with its benchmark files in
    tmp_path: (jobs, benchmarks). Wall / CPU [s] / max_rss [MB]: a 10 / 8 / 100, b two
    repeats (18 and 22 / 18 and 20 / 250 and 350: means 20 / 19 / 300), c 30 / 29 / 200,
    d 5 / 9 / 500 on 2 threads, e 25 / 24 / 400, f without a benchmark file."""
    bench = "results/benchmarks/{}.tsv"
    jobs = [Job("a", "gen", benchmark=bench.format("gen/a")),
            Job("b", "train", benchmark=bench.format("train/b"), deps=("a",), study="s1"),
            Job("c", "train", benchmark=bench.format("train/c"), deps=("a",), study="s2"),
            Job("d", "summary", threads=2, benchmark=bench.format("summary/d"), deps=("b", "c")),
            Job("e", "plot", benchmark=bench.format("plot/e"), study="s1"),
            Job("f", "inject", benchmark=bench.format("inject/f"), deps=("a",), study="s2")]
    for name, rows in {"gen/a": [(10, 100, 8)], "train/b": [(18, 250, 18), (22, 350, 20)],
                       "train/c": [(30, 200, 29)], "summary/d": [(5, 500, 9)],
                       "plot/e": [(25, 400, 24)]}.items():
        write_benchmark(tmp_path / bench.format(name), rows)
    return jobs, timing.load_benchmarks(jobs, tmp_path)


def test_benchmark_files_are_read_as_the_mean_over_repeats(run):
    jobs, bench = run
    assert set(bench) == {"a", "b", "c", "d", "e"}
    assert bench["b"] == timing.Benchmark(wall_s=20.0, cpu_s=19.0, max_rss_mb=300.0)
    assert bench["d"] == timing.Benchmark(wall_s=5.0, cpu_s=9.0, max_rss_mb=500.0)


def test_tables_critical_path_and_makespan_of_a_hand_made_dag(run):
    jobs, bench = run
    s = timing.summarize(jobs, bench, cores=2)
    assert s["total"] == {"jobs": 6, "wall_s": 90.0, "cpu_s": 89.0, "max_rss_mb": 500.0, "share": 1.0}
    rules = {r["name"]: r for r in s["rules"]}
    assert [r["name"] for r in s["rules"]] == ["train", "plot", "gen", "summary", "inject"]
    assert rules["train"] == {"name": "train", "jobs": 2, "wall_s": 50.0, "cpu_s": 48.0,
                              "max_rss_mb": 300.0, "share": pytest.approx(50 / 90)}
    assert rules["inject"] == {"name": "inject", "jobs": 1, "wall_s": 0.0, "cpu_s": 0.0,
                               "max_rss_mb": None, "share": 0.0}
    studies = [(r["name"], r["jobs"], r["wall_s"], r["cpu_s"], r["max_rss_mb"]) for r in s["studies"]]
    assert studies == [("s1", 2, 45.0, 43.0, 400.0), ("s2", 2, 30.0, 29.0, 200.0),
                       ("shared", 2, 15.0, 17.0, 500.0)]
    # a -> c -> d: 10 + 30 + 5 s.
    assert [j["job"] for j in s["critical_path"]["jobs"]] == ["a", "c", "d"]
    assert s["critical_path"]["wall_s"] == 45.0
    # 2 cores: a and e at 0; a done at 10, c (longest chain left: 35 s) before b (25 s) on
    # the free core; e done at 25, b runs 25-45 (f, 0 s, at 40); d holds both cores 45-50.
    # Bound: core-seconds 10 + 20 + 30 + 2 x 5 + 25 = 95 on 2 cores, 47.5 s > 45 s.
    assert s["makespan"] == {"cores": 2, "simulated_s": 50.0, "critical_path_s": 45.0,
                             "busy_per_core_s": 47.5, "lower_bound_s": 47.5}
    assert s["no_benchmark"] == {"jobs": 1, "rules": {"inject": 1}}
    # One core: one job after the other (d's 2 threads capped to the 1 core).
    wall = {j.name: bench[j.name].wall_s if j.name in bench else 0.0 for j in jobs}
    assert timing.simulate(jobs, wall, cores=1) == 90.0
    text = timing.markdown(s)
    assert "| train | 2 | 50 | 48 | 300 | 55.6% |" in text
    assert "| inject | 1 | 0 | 0 | - | 0.0% |" in text
    assert "| **total** | 6 | 90 | 89 | 500 | 100.0% |" in text
    assert "simulated 50 s; lower bound max(critical path 45 s, core-seconds / 2 = 48 s) = 48 s" in text
    assert "counted as 0 s: 1 (inject 1)" in text


def test_bad_benchmark_files_and_dags_are_named(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("s\tmax_rss\n1\t2\n")
    with pytest.raises(ValueError, match=r"x\.tsv: benchmark header lacks \['cpu_time'\]"):
        timing.read_benchmark(path)
    path.write_text(HEADER)
    with pytest.raises(ValueError, match=r"x\.tsv: benchmark file has a header but no data row"):
        timing.read_benchmark(path)
    write_benchmark(path, [(3, "NA", "NA")])     # too short for Snakemake to sample
    assert timing.read_benchmark(path) == timing.Benchmark(3.0, 0.0, 0.0)
    write_benchmark(path, [("fast", 1, 1)])
    with pytest.raises(ValueError, match=r"x\.tsv: line 2, column s: 'fast' is not a number"):
        timing.read_benchmark(path)
    with pytest.raises(ValueError, match=r"job b depends on unknown jobs \['z'\]"):
        timing.topological_order([Job("a", "r"), Job("b", "r", deps=("z",))])
    with pytest.raises(ValueError, match="cycle"):
        timing.topological_order([Job("a", "r", deps=("b",)), Job("b", "r", deps=("a",))])


def test_snakemake_dag_of_the_ci_config(tmp_path):
    """The DAG of config/ci.yaml from Snakemake (its own process, so Snakemake's logging and
    working directory stay out of the test session): every job of a rule that runs
    something, with its benchmark file, its deps among the jobs, no cycle."""
    code = ("import dataclasses, json, sys; from radflow import workflow_dag; "
            "jobs = workflow_dag.snakemake_dag([sys.argv[1]], 2, sys.argv[2]); "
            "print(json.dumps([dataclasses.asdict(j) for j in jobs]))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO / "config" / "ci.yaml"), str(tmp_path)],
                         cwd=REPO, check=True, capture_output=True, text=True, timeout=120)
    jobs = [Job(**{**j, "deps": tuple(j["deps"])}) for j in json.loads(out.stdout)]
    assert len(jobs) > 50
    rules = workflow_rules()
    assert all(j.rule in rules and not rules[j.rule]["norun"] for j in jobs)
    assert len(timing.topological_order(jobs)) == len(jobs)
    for j in jobs:
        assert j.benchmark.startswith(f"results/benchmarks/{j.rule}/"), j
        assert j.threads >= 1
    studies = {j.study for j in jobs}
    assert {"salad", "sacwola", None} <= studies
    # The summary waits for every repetition's lines (from the two wildcard-free targets).
    summary = next(j for j in jobs if j.rule == "salad_summary")
    assert sum(1 for d in summary.deps if d.startswith("salad_lines[")) == 6


def test_every_rule_that_runs_something_writes_a_benchmark_file_per_job():
    """results/benchmarks/<rule>/... with every wildcard of the rule, so each job has its own."""
    for name, rule in workflow_rules().items():
        if rule["norun"]:
            continue
        assert rule["benchmark"], f"rule {name} has no benchmark: directive"
        assert rule["benchmark"].startswith(f"results/benchmarks/{name}/"), (name, rule["benchmark"])
        assert sorted(set(re.findall(r"\{(\w+)", rule["benchmark"]))) == rule["wildcards"], name


def test_docs_block_is_the_cli_output(run, tmp_path):
    """readme_tables --timing fills the block 'timing' with what timing_table.py prints."""
    import readme_tables

    jobs, bench = run
    summary = timing.summarize(jobs, bench, cores=2)
    (tmp_path / "timing.json").write_text(json.dumps(summary))
    doc = tmp_path / "performance.md"
    doc.write_text("intro\n<!-- BEGIN generated: timing -->\nold\n<!-- END generated: timing -->\n")
    readme_tables.main(["--timing", str(tmp_path / "timing.json"), "--doc", str(doc)])
    assert doc.read_text() == ("intro\n<!-- BEGIN generated: timing -->\n" + timing.markdown(summary)
                               + "\n<!-- END generated: timing -->\n")


def test_cpu_time_of_a_long_job_is_extrapolated_from_its_last_sample():
    """Snakemake reads a job's CPU time every 0.5 s up to 15 s, then at 45 s, 75 s, ...: a
    job of at most 15 s keeps its cpu_time; a longer one's is scaled by wall / its last
    sample time (numbers of two Pythia jobs, of the CI and the default run: 38.9 s read
    15.1 s, 109.2 s read 105.1 s)."""
    def cpu(wall, sampled):
        return timing.whole_job_cpu_s(timing.Benchmark(wall_s=wall, cpu_s=sampled, max_rss_mb=1))

    assert cpu(10.0, 9.0) == 9.0
    assert cpu(15.0, 14.5) == 14.5
    assert cpu(38.87, 15.13) == pytest.approx(38.87 * 15.13 / 15)
    assert cpu(44.9, 15.0) == pytest.approx(44.9)
    assert cpu(45.2, 44.8) == pytest.approx(44.8 * 45.2 / 45)
    assert cpu(109.21, 105.14) == pytest.approx(109.21 * 105.14 / 105)
