"""Captions of the HTML report (``make report``), from the figure catalogs of the study
kinds (their kind.yaml, radflow.studies) and the study summaries, with the same statement formatting as
the generated tables of README.md and docs/studies/ (readme_tables.py), so report and docs
cannot disagree.

Per figure results/report/captions/{ID}.rst: catalog id, paper and its figure number, what
the figure shows, and for each summary statement the catalog attaches to it: the paper's
claim, our number, the criterion and its verdict (holds, fails, undetermined). Also runtimes.rst (the rules' job
times from results/benchmarks) as the caption of results/report/config.yaml (the config of
the run). Fails naming the figure, key and summary when a statement the catalog lists is
missing from its summary, and naming the statement when a summary statement is shown with
no figure of the run."""
import argparse
import fnmatch
import json
import re
from collections import defaultdict
from pathlib import Path

import yaml

import _bootstrap  # sys.path, job header, run()
import readme_tables
from radflow import h5io, timing
from radflow.config import load_yaml


def rst_text(text: str) -> str:
    """``text`` with the characters that are markup in reStructuredText escaped."""
    return re.sub(r"([\\*`|_<>\[\]])", r"\\\1", str(text))


def statement_rst(key: str, st: dict) -> str:
    """One statement as an rst bullet: claim, our number, criterion, verdict."""
    return (f"- **{readme_tables.verdict(st).replace('*', '')}** -- paper: {rst_text(st['paper'])} "
            f"| ours: {rst_text(readme_tables.fmt(st['measured']))} "
            f"| criterion: {rst_text(st['criterion'])} (``{key}``)")


def shown_keys(fid: str, entry: dict, summary: dict | None) -> list:
    """The statement keys of ``summary`` a catalog entry shows: each listed key, and for a
    listed pattern with '*' (fnmatch) every key matching it, possibly none (statements of
    optional parts of a study, e.g. one per configured classifier). SystemExit when a plain
    key is missing."""
    have = (summary or {}).get("statements", {})
    keys = []
    for key in entry["statements"]:
        if "*" in key:
            keys += [k for k in fnmatch.filter(have, key) if k not in keys]
        elif key not in have:
            raise SystemExit(f"report_captions: figure {fid}: statement '{key}' is missing from "
                             f"{entry['summary']} (statements there: {sorted(have)})")
        elif key not in keys:
            keys.append(key)
    return keys


def caption(fid: str, entry: dict, summary: dict | None) -> str:
    head = (f"**{fid}** -- {rst_text(entry['paper'])}"
            + ("" if entry["paper_figure"] == "-" else f", {rst_text(entry['paper_figure'])}")
            + f". {rst_text(entry['shows'])}")
    keys = shown_keys(fid, entry, summary)
    if not keys:
        return head + "\n"
    lines = [statement_rst(k, summary["statements"][k]) for k in keys]
    return head + "\n\nStatements (" + rst_text(entry["summary"]) + "):\n\n" + "\n".join(lines) + "\n"


def runtimes_rst(bench_dir: Path) -> str:
    """Job wall times per rule from the Snakemake benchmark files (one directory per rule)."""
    per_rule = defaultdict(list)
    for path in sorted(bench_dir.rglob("*.tsv")):
        per_rule[path.parent.name].append(timing.read_benchmark(path).wall_s)
    lines = ["Config of this run (below) and the job wall times (s) of the rules with a "
             "benchmark file (``results/benchmarks``; one thread per training job).", "",
             ".. list-table::", "   :header-rows: 1", "",
             "   * - rule (benchmark directory)", "     - jobs", "     - total [s]", "     - max [s]"]
    for rule, times in sorted(per_rule.items()):
        lines += [f"   * - {rule}", f"     - {len(times)}", f"     - {sum(times):.0f}",
                  f"     - {max(times):.0f}"]
    total = sum(sum(t) for t in per_rule.values())
    lines += ["", f"Sum over these jobs: {total / 60:.1f} min."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--catalog", nargs="+", required=True, help="the kinds' kind.yaml files")
    ap.add_argument("--figures", nargs="+", required=True, help="the PNG figures of the run")
    ap.add_argument("--summaries", nargs="*", default=[])
    ap.add_argument("--benchmarks", required=True, help="results/benchmarks")
    ap.add_argument("--config-json", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--config-out", required=True)
    args = ap.parse_args(argv)
    catalog = {fid: entry for path in args.catalog
               for fid, entry in load_yaml(path)["figures"].items()}
    summaries = {p: json.loads(Path(p).read_text()) for p in args.summaries}
    ids = [Path(f).name.split("_", 1)[0] for f in args.figures]
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shown = defaultdict(set)
    for fid in ids:
        if fid not in catalog:
            raise SystemExit(f"report_captions: figure {fid} has no entry in the catalogs "
                             f"{args.catalog}")
        entry = catalog[fid]
        summary = summaries.get(entry["summary"])
        if entry["statements"] and summary is None:
            raise SystemExit(f"report_captions: figure {fid} shows statements of "
                             f"{entry['summary']}, which this run did not produce")
        shown[entry["summary"]].update(shown_keys(fid, entry, summary))
        with h5io.atomic_output(out / f"{fid}.rst") as tmp:
            tmp.write_text(caption(fid, entry, summary))
    for path, summary in summaries.items():
        missing = sorted(set(summary.get("statements", {})) - shown[path])
        if missing:
            raise SystemExit(f"report_captions: statements {missing} of {path} are shown with no "
                             f"figure of this run (attach them in a kind.yaml of {args.catalog})")
    with h5io.atomic_output(out / "runtimes.rst") as tmp:
        tmp.write_text(runtimes_rst(Path(args.benchmarks)))
    with h5io.atomic_output(args.config_out) as tmp:
        tmp.write_text(yaml.safe_dump(json.loads(args.config_json), sort_keys=False))
    print(f"{len(ids)} captions, {sum(map(len, shown.values()))} statements")


if __name__ == "__main__":
    _bootstrap.run(main)
