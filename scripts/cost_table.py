"""What a config costs, from the cost model (radflow/cost.py): per rule its jobs, threads,
fitted core-hours (CPU time x threads, summed over jobs), requested core-hours (the
``resources:`` runtime with its margin x threads), the largest job's fitted peak memory and
its request, then the totals and the largest job against the config's cluster.node_mem_mb.
The jobs are those of the DAG Snakemake builds for the config (radflow/workflow_dag.py).
Markdown to stdout; with --doc, also the block ``cost`` of that file (as
scripts/readme_tables.py fills its blocks).

    python scripts/cost_table.py --configfile config/paper.yaml --doc docs/performance.md
"""
import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radflow import cost, studies, workflow_dag  # noqa: E402
from scripts.readme_tables import fill  # noqa: E402


def rows(jobs, config, coef):
    """{rule: [(job, fitted Cost, requested Cost)]} of ``jobs`` (radflow.timing.Job)."""
    out = defaultdict(list)
    for j in jobs:
        p = cost.predict(j.rule, j.wildcards, config, j.threads, coef)
        out[j.rule].append((j, p, cost.with_margin(p, coef)))
    return out


def markdown(by_rule, config, configfiles) -> str:
    lines = [f"Config {' + '.join(configfiles)}: {sum(map(len, by_rule.values()))} jobs. "
             "Fitted: the model's central value; requested: with the margin of "
             "radflow/cost_coefficients.yaml.", "",
             "| rule | jobs | threads | core-h fitted | core-h requested | peak MB fitted | peak MB requested |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    total_fit = total_req = 0.0
    for rule, rs in sorted(by_rule.items(), key=lambda kv: -sum(p.runtime_min * p.threads for _, p, _ in kv[1])):
        fit_h = sum(p.runtime_min * p.threads for _, p, _ in rs) / 60
        req_h = sum(r.runtime_min * r.threads for _, _, r in rs) / 60
        total_fit, total_req = total_fit + fit_h, total_req + req_h
        lines.append(f"| {rule} | {len(rs)} | {max(j.threads for j, _, _ in rs)} | {fit_h:.2f} | {req_h:.2f} "
                     f"| {max(p.mem_mb for _, p, _ in rs):.0f} | {max(r.mem_mb for _, _, r in rs):.0f} |")
    job, p, r = max((x for rs in by_rule.values() for x in rs), key=lambda x: x[2].mem_mb)
    limit = config["cluster"]["node_mem_mb"]
    lines.append(f"| **total** | {sum(map(len, by_rule.values()))} | | **{total_fit:.1f}** | **{total_req:.1f}** "
                 f"| {max(p.mem_mb for rs in by_rule.values() for _, p, _ in rs):.0f} "
                 f"| {max(r.mem_mb for rs in by_rule.values() for _, _, r in rs):.0f} |")
    lines += ["", f"Largest job: {job.name}, peak memory {p.mem_mb:.0f} MB fitted, {r.mem_mb:.0f} MB "
              f"requested; node limit (cluster.node_mem_mb) {limit} MB: "
              + ("fits." if r.mem_mb <= limit else "**exceeds it**.")]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configfile", action="append", required=True, metavar="FILE",
                    help="config overlay merged over config/config.yaml, as for snakemake; repeatable")
    ap.add_argument("--doc", metavar="FILE", help="also write the table into this file's block 'cost'")
    args = ap.parse_args(argv)
    config = studies.load_config(*args.configfile)
    # The DAG with a node limit no job exceeds, so that the table shows what exceeds it.
    with tempfile.TemporaryDirectory() as tmp:
        unlimited = Path(tmp) / "unlimited.yaml"
        unlimited.write_text("cluster: {node_mem_mb: 1000000000}\n")
        jobs = workflow_dag.snakemake_dag([*args.configfile, unlimited], 1, workdir=tmp)
    text = markdown(rows(jobs, config, cost.coefficients()), config, args.configfile)
    if args.doc:
        docs = {Path(args.doc): Path(args.doc).read_text()}
        fill(docs, "cost", text)
        Path(args.doc).write_text(docs[Path(args.doc)])
    print(text)


if __name__ == "__main__":
    main()
