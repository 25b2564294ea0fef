"""Where the time of a run goes: tables per rule and per study of its Snakemake benchmark
files, the critical path of its job DAG and the makespan simulated on N cores
(radflow/timing.py). The DAG is the one Snakemake builds for the config, all jobs as with
--forceall (radflow/workflow_dag.py); the benchmark files are read under --root, the
directory the run's results/ lies in. Markdown to stdout; with --json the same numbers as
JSON (scripts/readme_tables.py --timing writes docs/performance.md from it).

    python scripts/timing_table.py --configfile config/config.yaml --cores 2 --json timing.json
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radflow import timing, workflow_dag  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configfile", action="append", required=True, metavar="FILE",
                    help="config overlay merged over config/config.yaml, as for snakemake; repeatable")
    ap.add_argument("--cores", type=int, default=2, help="cores of the simulated run (default 2)")
    ap.add_argument("--root", default=".", help="directory holding the run's results/benchmarks (default .)")
    ap.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = ap.parse_args(argv)
    jobs = workflow_dag.snakemake_dag(args.configfile, args.cores, workdir=args.root)
    summary = timing.summarize(jobs, timing.load_benchmarks(jobs, args.root), args.cores)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(summary, indent=1) + "\n")
    print(timing.markdown(summary))


if __name__ == "__main__":
    main()
