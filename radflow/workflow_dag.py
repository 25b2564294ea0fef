"""The job DAG of the workflow for a config, as Snakemake builds it: the :class:`radflow.timing.Job`
list the timing tables need (scripts/timing_table.py). Kept apart from radflow.timing, which
needs no Snakemake, so that scripts that only format the tables (readme_tables.py) do not pull
it into their conda env."""
from __future__ import annotations

import os
from pathlib import Path

from snakemake.api import SnakemakeApi
from snakemake.settings.types import (ConfigSettings, DAGSettings, OutputSettings, Quietness,
                                      ResourceSettings)

from radflow.timing import Job

REPO = Path(__file__).resolve().parent.parent


def _job_name(rule: str, wildcards: dict) -> str:
    inner = ",".join(f"{k}={v}" for k, v in wildcards.items())
    return f"{rule}[{inner}]" if inner else rule


def snakemake_dag(configfiles: list[str | Path], cores: int, workdir: str | Path,
                  snakefile: str | Path = REPO / "workflow" / "Snakefile") -> list[Job]:
    """The jobs of the whole workflow for ``configfiles`` (overlays, merged in order over
    config/config.yaml by the Snakefile), as Snakemake builds the DAG of ``snakemake
    --forceall --dry-run --cores CORES`` in ``workdir`` (nothing runs; Snakemake's metadata
    goes to ``workdir``/.snakemake). Threads are as Snakemake gives them on ``cores`` cores.
    Jobs of rules that run nothing (the target rule ``all``) are left out, their deps passed
    on to the jobs that wait for them. A job's study: its ``study`` wildcard, else the
    configured study its first output lies under (``results/<study>/...``), else None.
    Its resources are evaluated as a dry run does (a cost-model request over the node limit
    raises, naming the rule). Sorted by name."""
    cwd = os.getcwd()
    try:
        with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
            workflow_api = api.workflow(
                resource_settings=ResourceSettings(cores=cores),
                config_settings=ConfigSettings(configfiles=[Path(p).resolve() for p in configfiles]),
                snakefile=Path(snakefile).resolve(), workdir=Path(workdir).resolve())
            # What DAGApi.printdag() (snakemake --dag) does before it prints the DAG.
            workflow_api.dag(dag_settings=DAGSettings(forceall=True))
            workflow = workflow_api._workflow
            workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True)
            workflow._build_dag()
            dag = workflow.dag
            studies = set(workflow.config.get("studies") or {})
            raw = []
            for job in dag.jobs:
                wildcards = dict(job.wildcards.items())
                study = wildcards.get("study")
                if study is None and job.output:
                    parts = Path(str(job.output[0])).parts
                    study = parts[1] if len(parts) > 2 and parts[0] == "results" and parts[1] in studies else None
                raw.append((job, Job(name=_job_name(job.rule.name, wildcards), rule=job.rule.name,
                                     threads=int(job.threads),
                                     benchmark=str(job.benchmark) if job.benchmark else None,
                                     study=study, wildcards=tuple(wildcards.items()),
                                     runtime_min=job.resources.get("runtime"),
                                     mem_mb=job.resources.get("mem_mb"))))
            deps = {id(job): [id(d) for d in dag.dependencies[job]] for job, _ in raw}
    finally:
        os.chdir(cwd)
    norun = {id(job) for job, _ in raw if job.rule.norun}
    by_id = {id(job): j for job, j in raw}

    def running_deps(key, seen):
        for d in deps[key]:
            if d in norun:
                if d not in seen:
                    seen.add(d)
                    yield from running_deps(d, seen)
            else:
                yield by_id[d].name

    jobs = [Job(name=j.name, rule=j.rule, threads=j.threads, benchmark=j.benchmark, study=j.study,
                wildcards=j.wildcards, runtime_min=j.runtime_min, mem_mb=j.mem_mb, deps=tuple(sorted(set(running_deps(id(job), set())))))
            for job, j in raw if id(job) not in norun]
    return sorted(jobs, key=lambda j: j.name)

