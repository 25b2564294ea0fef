"""How a study's ensemble members split into jobs (config ``*_per_job``): a split job trains
fewer members and holds less memory, and since every member is seeded by its own index, the
parts give the numbers of one whole job."""
from __future__ import annotations


def job_parts(n: int, per_job: int | None) -> list[range]:
    """Indices 0..n-1 (a run's S/B benchmarks, a classifier's runs) in consecutive jobs of
    ``per_job`` (None: one job for all)."""
    step = per_job or n
    return [range(a, min(a + step, n)) for a in range(0, n, step)]
