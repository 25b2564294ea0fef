"""Fit the cost model (radflow/cost.py) to the benchmark files of runs at two or more scales
and write its coefficients (radflow/cost_coefficients.yaml). Each --run names a run's
benchmark directory (its results/benchmarks) and the config overlay it ran with; the jobs
and their wildcards come from the DAG Snakemake builds for that config
(radflow/workflow_dag.py), their sizes from radflow.cost.size. Per rule, the CPU time [s]
(``cpu_time``; a job longer than Snakemake's first 15 s of samples has it extrapolated to
its end, radflow.timing.whole_job_cpu_s) and max_rss [MB] of every job with a benchmark file
are fitted to a + b * work and c + d * held (radflow.cost.fit), per model
(radflow.cost.models: the rule, a model several rules share, or a kind of the rule's jobs).

    python scripts/fit_costs.py --run default/results/benchmarks config/config.yaml \\
        --run ci/results/benchmarks config/ci.yaml --out radflow/cost_coefficients.yaml
"""
import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from unittest import mock

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radflow import cost, studies, timing, workflow_dag  # noqa: E402

BENCH_PREFIX = "results/benchmarks/"


class _AnyModel(dict):
    """Every model name present, each with zero coefficients."""

    def __contains__(self, name):
        return True

    def __missing__(self, name):
        return {"runtime_s": [0.0, 0.0], "mem_mb": [0.0, 0.0]}


#: What the DAG's resources are evaluated with while the model is fitted (the coefficients
#: file may lack a model or not exist yet): 0 for every model, no margin.
ZERO = {"margin": {"runtime_factor": 0, "runtime_floor_min": 0, "mem_factor": 0, "mem_floor_mb": 0},
        "models": _AnyModel()}


def rows(bench_dir, configfile):
    """(model, work, held, CPU time [s], max_rss [MB]) per model (radflow.cost.models) of every job of ``configfile``'s DAG whose
    benchmark file lies in ``bench_dir``."""
    config = studies.load_config(configfile)
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(cost, "coefficients", lambda: ZERO):
        jobs = workflow_dag.snakemake_dag([configfile], 1, workdir=tmp)
    out = []
    for j in jobs:
        if not j.benchmark:
            continue
        path = Path(bench_dir) / j.benchmark.removeprefix(BENCH_PREFIX)
        if path.is_file():
            b = timing.read_benchmark(path)
            for name in cost.models(j.rule, j.wildcards):
                out.append((name, *cost.size(j.rule, j.wildcards, config),
                            timing.whole_job_cpu_s(b), b.max_rss_mb))
    return out


def fit_models(by_model: dict) -> dict:
    """{model: {runtime_s: [a, b], mem_mb: [c, d], jobs, scales}} from ``by_model`` ({model
    (radflow.cost.models): [(scale index, work, held, CPU time [s], max_rss [MB])]}), each
    pair fitted by radflow.cost.fit."""
    models = {}
    for name, rs in sorted(by_model.items()):
        a, b = cost.fit([r[1] for r in rs], [r[3] for r in rs])
        c, d = cost.fit([r[2] for r in rs], [r[4] for r in rs])
        models[name] = {"runtime_s": [round(a, 4), float(f"{b:.6g}")], "mem_mb": [round(c, 2), float(f"{d:.6g}")],
                        "jobs": len(rs), "scales": len({r[0] for r in rs})}
    return models


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", nargs=2, action="append", required=True, metavar=("BENCHMARKS", "CONFIG"),
                    help="a run's benchmark directory and its config overlay; repeat per scale")
    ap.add_argument("--out", default=str(cost.COEFFICIENTS), help="coefficients file to write")
    ap.add_argument("--runtime-factor", type=float, default=2.0, help="runtime margin factor (default 2)")
    ap.add_argument("--runtime-floor-min", type=int, default=5, help="least runtime request [min] (default 5)")
    ap.add_argument("--mem-factor", type=float, default=1.5, help="memory margin factor (default 1.5)")
    ap.add_argument("--mem-floor-mb", type=int, default=500, help="memory added to every request [MB] (default 500)")
    args = ap.parse_args(argv)
    if len(args.run) < 2:
        ap.error("give --run at least twice: the fit needs two scales")
    by_model, runs = defaultdict(list), []
    for i, (bench, configfile) in enumerate(args.run):
        found = rows(bench, configfile)
        for name, work, held, cpu, rss in found:
            by_model[name].append((i, work, held, cpu, rss))
        runs.append(f"{configfile}: {len(found)} benchmark rows")
    models = fit_models(by_model)
    doc = {"runs": runs,
           "margin": {"runtime_factor": args.runtime_factor, "runtime_floor_min": args.runtime_floor_min,
                      "mem_factor": args.mem_factor, "mem_floor_mb": args.mem_floor_mb},
           "models": models}
    header = ("# Cost model coefficients (radflow/cost.py): CPU time [s] = runtime_s[0] + runtime_s[1] * work,\n"
              "# max_rss [MB] = mem_mb[0] + mem_mb[1] * held. Written by scripts/fit_costs.py; do not edit.\n")
    Path(args.out).write_text(header + yaml.safe_dump(doc, sort_keys=False, width=100))
    print(f"{len(models)} models fitted -> {args.out}")


if __name__ == "__main__":
    main()
