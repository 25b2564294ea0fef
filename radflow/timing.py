"""Where a run's time goes: per-rule and per-study tables of the Snakemake benchmark files, the
critical path of the job DAG and the makespan of the DAG simulated on N cores.

A run is a list of :class:`Job` (the DAG: radflow.workflow_dag asks Snakemake for the jobs of a
config; tests build one by hand) and the :class:`Benchmark` of each job that has a benchmark file
(:func:`load_benchmarks`). :func:`summarize` turns both into one JSON-ready dict and
:func:`markdown` into the tables the CLI (scripts/timing_table.py) prints and the docs show.

Times are wall-clock seconds (the benchmark's ``s``) and CPU seconds (``cpu_time``, user +
system of the job's processes); memory is the resident set size ``max_rss`` in MB. Snakemake
samples ``cpu_time`` and ``max_rss`` every 0.5 s for a job's first 15 s, then every 30 s, so
a long job's CPU time misses what it used after its last sample (up to 30 s;
:func:`whole_job_cpu_s` extrapolates it, for the cost model); the wall time is exact, and
the makespan and its bound use only wall times. A job with no benchmark file counts as 0 s
and is listed under ``no_benchmark``.
"""
from __future__ import annotations

import csv
import heapq
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

#: Study name of jobs that belong to no study (events, features, the report).
SHARED = "shared"
#: The benchmark columns read (Snakemake writes more).
COLUMNS = ("s", "max_rss", "cpu_time")


@dataclass(frozen=True)
class Job:
    """One job of the DAG. ``name``: unique in the DAG (rule and wildcards); ``deps``: names
    of the jobs it waits for; ``threads``: cores it occupies while running; ``benchmark``:
    its benchmark file relative to the run's directory (None: the rule declares none);
    ``study``: the study it belongs to (None: shared by all); ``wildcards``: its
    (name, value) pairs, in the rule's order; ``runtime_min`` and ``mem_mb``: its
    ``resources:`` request (None: not asked for)."""

    name: str
    rule: str
    threads: int = 1
    benchmark: str | None = None
    deps: tuple[str, ...] = ()
    study: str | None = None
    wildcards: tuple[tuple[str, str], ...] = ()
    runtime_min: int | None = None
    mem_mb: int | None = None


@dataclass(frozen=True)
class Benchmark:
    """A job's benchmark: wall time [s], CPU time [s] and peak resident memory [MB], each
    the mean over the file's rows (one per ``repeat``)."""

    wall_s: float
    cpu_s: float
    max_rss_mb: float


def read_benchmark(path: str | Path) -> Benchmark:
    """The :class:`Benchmark` of a Snakemake benchmark TSV (header ``s h:m:s max_rss ...
    cpu_time``, one row per repeat). ``NA`` (Snakemake's value for a job too short to be
    sampled) counts as 0. ValueError naming the file and column when the header lacks a
    column, there is no data row or a value is not a number."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: benchmark header lacks {missing} (has {reader.fieldnames})")
        rows = list(reader)
    if not rows:
        raise ValueError(f"{path}: benchmark file has a header but no data row")

    def mean(col):
        values = []
        for i, row in enumerate(rows, start=2):
            text = (row[col] or "").strip()
            try:
                values.append(0.0 if text == "NA" else float(text))
            except ValueError:
                raise ValueError(f"{path}: line {i}, column {col}: {text!r} is not a number") from None
        return sum(values) / len(values)

    return Benchmark(wall_s=mean("s"), cpu_s=mean("cpu_time"), max_rss_mb=mean("max_rss"))


#: Snakemake's benchmark thread samples a job every 0.5 s over its first 15 s of wall time,
#: then every 30 s (snakemake/benchmark.py: BENCHMARK_INTERVAL_SHORT, BENCHMARK_INTERVAL).
FIRST_SAMPLES_S, SAMPLE_INTERVAL_S = 15.0, 30.0


def whole_job_cpu_s(b: Benchmark) -> float:
    """A job's CPU time [s] over its whole wall time. A job of at most
    :data:`FIRST_SAMPLES_S` is sampled to its end: its ``cpu_time``. A longer one's
    ``cpu_time`` was read at its last sample, 15 s + a multiple of 30 s, and misses what it
    used after it (a 38.9 s Pythia job reads 15.1 s): scaled by wall / that time, the mean
    CPU rate up to the last sample held to the job's end (38.9 x 15.1 / 15 = 39.2 s)."""
    if b.wall_s <= FIRST_SAMPLES_S:
        return b.cpu_s
    last = FIRST_SAMPLES_S + SAMPLE_INTERVAL_S * ((b.wall_s - FIRST_SAMPLES_S) // SAMPLE_INTERVAL_S)
    return b.cpu_s * b.wall_s / last


def load_benchmarks(jobs: list[Job], root: str | Path) -> dict[str, Benchmark]:
    """{job name: Benchmark} of the jobs whose benchmark file exists under ``root`` (the
    directory the run's results/ lies in)."""
    root = Path(root)
    return {j.name: read_benchmark(root / j.benchmark)
            for j in jobs if j.benchmark and (root / j.benchmark).is_file()}


def topological_order(jobs: list[Job]) -> list[Job]:
    """The jobs ordered so that each follows all its deps; among jobs that are free at the
    same point, the order of ``jobs``. ValueError naming an unknown dep or a cycle."""
    by_name = {j.name: j for j in jobs}
    if len(by_name) != len(jobs):
        raise ValueError("job names are not unique")
    for j in jobs:
        unknown = [d for d in j.deps if d not in by_name]
        if unknown:
            raise ValueError(f"job {j.name} depends on unknown jobs {unknown}")
    position = {j.name: i for i, j in enumerate(jobs)}
    waiting = {j.name: len(set(j.deps)) for j in jobs}
    succs = successors(jobs)
    free = [position[n] for n, k in waiting.items() if k == 0]
    heapq.heapify(free)
    order = []
    while free:
        job = jobs[heapq.heappop(free)]
        order.append(job)
        for s in succs[job.name]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(free, position[s])
    if len(order) != len(jobs):
        stuck = sorted(n for n, k in waiting.items() if k > 0)
        raise ValueError(f"the DAG has a cycle through {stuck[:5]}")
    return order


def successors(jobs: list[Job]) -> dict[str, list[str]]:
    """{job name: names of the jobs that depend on it}."""
    succs = {j.name: [] for j in jobs}
    for j in jobs:
        for d in dict.fromkeys(j.deps):
            succs[d].append(j.name)
    return succs


def remaining_path(jobs: list[Job], wall: dict[str, float]) -> dict[str, float]:
    """{job name: wall time [s] of the longest chain that starts with the job}."""
    succs = successors(jobs)
    rest = {}
    for job in reversed(topological_order(jobs)):
        rest[job.name] = wall[job.name] + max((rest[s] for s in succs[job.name]), default=0.0)
    return rest


def critical_path(jobs: list[Job], wall: dict[str, float]) -> list[str]:
    """The names of the jobs of the longest chain by wall time, first job first (of equal
    chains, the one met first in topological order)."""
    if not jobs:
        return []
    rest = remaining_path(jobs, wall)
    succs = successors(jobs)
    order = topological_order(jobs)
    position = {j.name: i for i, j in enumerate(order)}
    best = max(rest.values())
    path = [next(j.name for j in order if rest[j.name] == best)]
    while succs[path[-1]]:
        # The chain goes on with the successor of the longest remaining chain (compared as
        # they are, not by subtracting walls: sums of floats do not subtract back exactly).
        path.append(max(succs[path[-1]], key=lambda s: (rest[s], -position[s])))
    return path


def simulate(jobs: list[Job], wall: dict[str, float], cores: int) -> float:
    """Makespan [s] of the DAG on ``cores`` cores: greedy list scheduling. Whenever cores are
    free, the ready jobs (all deps done) are taken by priority, the longest chain that
    starts with the job first (then topological order), and each one that fits into the
    free cores starts and holds ``min(threads, cores)`` cores (at least 1) for its wall
    time."""
    if cores < 1:
        raise ValueError(f"cores must be >= 1, got {cores}")
    order = topological_order(jobs)
    position = {j.name: i for i, j in enumerate(order)}
    rest = remaining_path(jobs, wall)
    succs = successors(jobs)
    threads = {j.name: min(max(j.threads, 1), cores) for j in jobs}
    waiting = {j.name: len(set(j.deps)) for j in jobs}
    ready = [j.name for j in order if waiting[j.name] == 0]
    running = []    # heap of (finish time, position, name)
    now, free = 0.0, cores
    while ready or running:
        ready.sort(key=lambda n: (-rest[n], position[n]))
        for name in list(ready):
            if threads[name] <= free:
                free -= threads[name]
                ready.remove(name)
                heapq.heappush(running, (now + wall[name], position[name], name))
        now = running[0][0]
        while running and running[0][0] == now:
            _, _, name = heapq.heappop(running)
            free += threads[name]
            for s in succs[name]:
                waiting[s] -= 1
                if waiting[s] == 0:
                    ready.append(s)
    return now


def _row(jobs: list[Job], bench: dict[str, Benchmark], total_wall: float) -> dict:
    measured = [bench[j.name] for j in jobs if j.name in bench]
    wall = sum(b.wall_s for b in measured)
    return {"jobs": len(jobs), "wall_s": wall, "cpu_s": sum(b.cpu_s for b in measured),
            "max_rss_mb": max((b.max_rss_mb for b in measured), default=None),
            "share": wall / total_wall if total_wall > 0 else 0.0}


def _grouped(jobs: list[Job], key, bench: dict[str, Benchmark], total_wall: float) -> list[dict]:
    groups = defaultdict(list)
    for j in jobs:
        groups[key(j)].append(j)
    rows = [{"name": k, **_row(v, bench, total_wall)} for k, v in groups.items()]
    return sorted(rows, key=lambda r: (-r["wall_s"], r["name"]))


def summarize(jobs: list[Job], bench: dict[str, Benchmark], cores: int) -> dict:
    """The numbers of the timing tables (JSON-ready): ``total`` over all jobs; ``rules`` and
    ``studies``: one row per rule and per study (jobs, summed wall and CPU seconds, the
    largest max_rss in MB (None without a measured job), the share of the total wall time),
    largest wall time first; ``critical_path``: its jobs with their rule and wall time, and
    its total; ``makespan``: the simulated makespan on ``cores`` cores and the lower bound
    max(critical path, core-seconds / cores), core-seconds the sum over jobs of wall time x
    the cores the job holds; ``no_benchmark``: the number of jobs without a benchmark file,
    per rule."""
    wall = {j.name: bench[j.name].wall_s if j.name in bench else 0.0 for j in jobs}
    total = _row(jobs, bench, 0.0)
    total_wall = total["wall_s"]
    total["share"] = 1.0 if total_wall > 0 else 0.0
    by_name = {j.name: j for j in jobs}
    path = critical_path(jobs, wall)
    path_s = sum(wall[n] for n in path)
    busy_per_core = sum(wall[j.name] * min(j.threads, cores) for j in jobs) / cores
    missing = defaultdict(int)
    for j in jobs:
        if j.name not in bench:
            missing[j.rule] += 1
    return {
        "cores": cores,
        "total": total,
        "rules": _grouped(jobs, lambda j: j.rule, bench, total_wall),
        "studies": _grouped(jobs, lambda j: j.study or SHARED, bench, total_wall),
        "critical_path": {"wall_s": path_s,
                          "jobs": [{"job": n, "rule": by_name[n].rule, "wall_s": wall[n]} for n in path]},
        "makespan": {"cores": cores, "simulated_s": simulate(jobs, wall, cores),
                     "critical_path_s": path_s, "busy_per_core_s": busy_per_core,
                     "lower_bound_s": max(path_s, busy_per_core)},
        "no_benchmark": {"jobs": sum(missing.values()), "rules": dict(sorted(missing.items()))},
    }


def _table(rows: list[dict], head: str, total: dict) -> list[str]:
    def mem(v):
        return "-" if v is None else f"{v:.0f}"

    lines = [f"| {head} | jobs | wall [s] | CPU [s] | peak memory [MB] | share of wall |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows + [dict(total, name="**total**")]:
        lines.append(f"| {r['name']} | {r['jobs']} | {r['wall_s']:.0f} | {r['cpu_s']:.0f} | "
                     f"{mem(r['max_rss_mb'])} | {100 * r['share']:.1f}% |")
    return lines


def markdown(summary: dict) -> str:
    """The tables of a :func:`summarize` result as markdown: per rule, per study, the
    critical path, the makespan and, as a footnote, the jobs without a benchmark file."""
    cp, ms, nb = summary["critical_path"], summary["makespan"], summary["no_benchmark"]
    lines = ["Per rule (wall and CPU time summed over the rule's jobs, peak memory the largest "
             "max_rss of one job, share of the summed wall time of all jobs):", ""]
    lines += _table(summary["rules"], "rule", summary["total"])
    lines += ["", "Per study (jobs of no study: shared):", ""]
    lines += _table(summary["studies"], "study", summary["total"])
    lines += ["", f"Critical path (the longest chain of dependent jobs by wall time): "
              f"{cp['wall_s']:.0f} s in {len(cp['jobs'])} jobs:", "",
              "| job | rule | wall [s] |", "| --- | --- | --- |"]
    lines += [f"| {j['job']} | {j['rule']} | {j['wall_s']:.0f} |" for j in cp["jobs"]]
    lines += ["", f"Makespan on {ms['cores']} cores (list scheduling, longest remaining chain "
              f"first, each job holding its threads): simulated {ms['simulated_s']:.0f} s; lower "
              f"bound max(critical path {ms['critical_path_s']:.0f} s, core-seconds / "
              f"{ms['cores']} = {ms['busy_per_core_s']:.0f} s) = {ms['lower_bound_s']:.0f} s."]
    if nb["jobs"]:
        per_rule = ", ".join(f"{r} {n}" for r, n in nb["rules"].items())
        lines += ["", f"No benchmark: jobs without a benchmark file, counted as 0 s: {nb['jobs']} "
                  f"({per_rule})."]
    return "\n".join(lines)

