"""The HTML report (`make report`) of the CI run: every figure of the DAG is in it, every
statement of every summary is in a caption with its verdict, it loads nothing from the
network; a caption that lists a statement the summary lacks, or a statement no figure
carries, stops the captions rule naming it."""
import html
import json
import re
import sys

import pytest
import yaml

from radflow import studies
from tests.conftest import REPO, snakemake

sys.path.insert(0, str(REPO / "scripts"))
import readme_tables  # noqa: E402
import report_captions  # noqa: E402



def read_catalog():
    """The figure catalog of radflow's study kinds (their kind.yaml), by figure id."""
    return {fid: {k: v for k, v in e.items() if k != "kind"}
            for fid, e in studies.catalog(studies.registry()).items()}


def summaries(results):
    """{relative path: summary} of the CI run's summaries named in the catalog."""
    catalog = read_catalog()
    paths = sorted({e["summary"] for e in catalog.values()})
    return {p: json.loads((results.parent / p).read_text()) for p in paths
            if (results.parent / p).exists()}


@pytest.fixture(scope="module")
def report(ci_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    snakemake(ci_run.parent, "--report", str(out))
    return out.read_text()


def results(report_html: str) -> dict:
    """The report's registered results {path: {"caption": html, ...}}: Snakemake embeds them
    as `var results = {...};` in the script element with id "results"."""
    m = re.search(r'<script id="results">\s*var results = (\{.*?\});?\s*</script>', report_html, re.S)
    assert m, "no results in the report"
    return json.loads(m.group(1))


def test_report_has_every_figure_of_the_dag(ci_run, report):
    figures = sorted(f"results/figures/{p.name}" for p in (ci_run / "figures").glob("*.png"))
    assert len(figures) >= 39
    registered = results(report)
    missing = [f for f in figures if f not in registered]
    assert not missing, missing
    for f in figures:
        fid = f.split("/")[-1].split("_")[0]
        assert f"<strong>{fid}</strong>" in registered[f]["caption"], f


def test_report_has_every_statement_with_its_verdict(ci_run, report):
    text = html.unescape(" ".join(r["caption"] for r in results(report).values()))
    found = summaries(ci_run)
    assert len(found) == 6, sorted(found)
    for path, summary in found.items():
        assert summary["statements"], path
        for key, st in summary["statements"].items():
            verdict = readme_tables.verdict(st).replace("*", "")
            pattern = rf"<strong>{re.escape(verdict)}</strong> -- paper: " + re.escape(st["paper"][:40])
            assert re.search(pattern, text, re.S), f"{path}: {key} ({verdict}) not in the report"
            assert key in text


def test_report_is_self_contained(report):
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", report)
    assert "config.yaml" in report


def run_captions(ci_run, tmp_path, monkeypatch, catalog):
    monkeypatch.chdir(ci_run.parent)
    path = tmp_path / "kind.yaml"
    path.write_text(yaml.safe_dump({"figures": catalog}))
    figs = [str(p) for p in sorted((ci_run / "figures").glob("*.png"))]
    report_captions.main(["--catalog", str(path), "--figures", *figs, "--summaries",
                          *summaries(ci_run), "--benchmarks", "results/benchmarks",
                          "--config-json", "{}", "--out-dir", str(tmp_path / "captions"),
                          "--config-out", str(tmp_path / "config.yaml")])
    return tmp_path / "captions"


def test_captions_name_every_statement_in_the_readme_format(ci_run, tmp_path, monkeypatch):
    catalog = read_catalog()
    out = run_captions(ci_run, tmp_path, monkeypatch, catalog)
    st = summaries(ci_run)["results/sacwola/summary.json"]["statements"]
    key = catalog["B4"]["statements"][0]
    b4 = (out / "B4.rst").read_text()
    assert key in b4
    assert report_captions.rst_text(readme_tables.fmt(st[key]["measured"])) in b4


def test_missing_summary_statement_fails_naming_figure_and_key(ci_run, tmp_path, monkeypatch):
    catalog = read_catalog()
    catalog["A8"]["statements"].append("not_a_statement")
    with pytest.raises(SystemExit, match=r"figure A8: statement 'not_a_statement' is missing "
                                         r"from results/salad/summary.json"):
        run_captions(ci_run, tmp_path, monkeypatch, catalog)


def test_statement_carried_by_no_figure_fails_naming_it(ci_run, tmp_path, monkeypatch):
    catalog = read_catalog()
    key = catalog["S3"]["statements"][0]
    for entry in catalog.values():
        entry["statements"] = [k for k in entry["statements"] if k != key]
    with pytest.raises(SystemExit, match=rf"statements \['{key}'\] of "
                                         r"results/mass_scan/scan/summary.json are shown with no figure"):
        run_captions(ci_run, tmp_path, monkeypatch, catalog)
