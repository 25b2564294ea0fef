"""Paper statements are decided against statistical errors: the error formulas against
independent estimates, and each statement of the SALAD and SA-CWoLa summaries on inputs
where the expected answer is known (it holds, it fails, or it cannot be decided)."""
import json

import numpy as np
import pytest

from radflow.ml import metrics
from radflow.stats import claims
from radflow.studies.sacwola import summary as sacwola_summary
from radflow.studies.salad import summary as salad_summary


def test_spread_by_hand():
    s = claims.spread([1.0, 2.0, 4.0])
    assert s["mean"] == pytest.approx(7 / 3) and s["n"] == 3
    assert s["std"] == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert s["err"] == pytest.approx(s["std"] / np.sqrt(3))
    one = claims.spread([0.7])
    assert one["std"] is None and one["err"] is None            # one repetition: no error
    assert claims.at_most(one["mean"], one["err"], 0.5) is None


def test_auc_error_matches_the_spread_of_independent_test_sets():
    rng = np.random.default_rng(0)
    n_pos, n_neg = 300, 2000
    aucs = [metrics.roc_auc(np.r_[np.ones(n_pos), np.zeros(n_neg)],
                            np.r_[rng.normal(0.8, 1, n_pos), rng.normal(0, 1, n_neg)])
            for _ in range(300)]
    predicted = claims.auc_error(float(np.mean(aucs)), n_pos, n_neg)
    # Hanley-McNeil assumes exponential score distributions; for Gaussian scores it is
    # conservative by ~15%, never optimistic.
    assert 0.95 * np.std(aucs) <= predicted <= 1.25 * np.std(aucs)


def test_decisions_by_hand():
    assert claims.at_most(0.55, 0.03, 0.5) is True      # 0.55 - 0.06 <= 0.5
    assert claims.at_most(0.60, 0.03, 0.5) is False
    assert claims.above(0.60, 0.03, 0.5) is True and claims.above(0.55, 0.03, 0.5) is False
    assert claims.below(0.40, 0.03, 0.5) is True and claims.below(0.45, 0.03, 0.5) is False
    assert claims.all_of([True, None]) is None and claims.all_of([True, False, None]) is False


def spread(mean, err, n=3):
    return {"mean": mean, "std": err * np.sqrt(n), "n": n, "err": err}


def salad_inputs(salad_sic=5.0, sim_auc0=0.40, a9_dctr=1.0, err=0.1):
    sbs = ("0", "0.005", "0.01", "0.02")
    a8 = {m: {line: {sb: spread(v, err if m == "sic_at_50" else 0.02) for sb in sbs}
              for line, v in lines.items()}
          for m, lines in {"auc": {"ideal": 0.8, "sim_only": 0.6, "salad": 0.75},
                           "sic_at_50": {"ideal": 5.0, "sim_only": 2.0, "salad": salad_sic},
                           "max_sic": {"ideal": 6.0, "sim_only": 2.0, "salad": 6.0},
                           "fpr_at_50": {"ideal": 0.1, "sim_only": 0.3, "salad": 0.1}}.items()}
    a8["auc"]["sim_only"]["0"] = spread(sim_auc0, 0.02)
    a8["auc"]["salad"]["0"] = spread(0.5, 0.02)
    a9 = {"with_dctr": {e: [a9_dctr, 0.02] for e in ("0.1", "0.03", "0.01")},
          "without_dctr": {e: [0.45, 0.02] for e in ("0.1", "0.03", "0.01")}}
    closure = {r: {"auc_raw": 0.62, "auc_raw_err": 0.005, "auc_dctr": 0.505, "auc_dctr_err": 0.005}
               for r in ("sb", "sr")}
    return a8, a9, closure


def test_salad_statements_follow_the_numbers():
    good = salad_summary.statements(*salad_inputs())
    assert all(s["holds"] is True for s in good.values()), {k: s["holds"] for k, s in good.items()}
    # SALAD 10 sigma below the ideal line, sim-only not anti-tagging, a 20% off prediction.
    bad = salad_summary.statements(*salad_inputs(salad_sic=5.0 - 10 * np.hypot(0.1, 0.1),
                                                 sim_auc0=0.5, a9_dctr=0.8))
    for key in ("salad_tracks_ideal", "sim_only_antitags_at_zero", "dctr_prediction_within_few_percent"):
        assert bad[key]["holds"] is False, key
    # One repetition: no error over repetitions, so the comparisons cannot be decided.
    a8, a9, closure = salad_inputs()
    for lines in a8.values():
        for by_sb in lines.values():
            for v in by_sb.values():
                v.update(std=None, err=None, n=1)
    single = salad_summary.statements(a8, a9, closure)
    assert single["salad_tracks_ideal"]["holds"] is None
    assert single["dctr_closes_in_sr"]["holds"] is True          # test-set error, not repetitions


def sacwola_inputs(cwola_auc=0.55, sa_auc=0.78, salad_auc=0.80, cwola_failed=0.6, other_max_z=1.0):
    auc = {"cwola": spread(cwola_auc, 0.01), "optimal_cwola": spread(0.80, 0.01),
           "sa_cwola": spread(sa_auc, 0.01), "salad": spread(salad_auc, 0.01)}
    sr_sb = {"cwola": spread(0.56, 0.01), "sa_cwola": spread(0.52, 0.01)}
    bh = {"background_only": {
        "cwola": {"max_z": spread(1.0, 0.3), "failed_fraction": cwola_failed},
        "sa_cwola": {"max_z": spread(other_max_z, 0.3), "failed_fraction": 0.1},
        "salad": {"max_z": spread(0.5, 0.3), "failed_fraction": 0.0}}}
    no_cut = {"converged": True, "gof_pvalue": 0.4, "deviance": 18.0, "ndf": 20}
    return auc, sr_sb, bh, no_cut, 0.5


def test_sacwola_statements_follow_the_numbers():
    good = sacwola_summary.statements(*sacwola_inputs())
    assert all(s["holds"] is True for s in good.values()), {k: s["holds"] for k, s in good.items()}
    bad = sacwola_summary.statements(*sacwola_inputs(cwola_auc=0.79, sa_auc=0.60, salad_auc=0.95,
                                                     cwola_failed=0.1, other_max_z=3.5))
    assert not any(s["holds"] for s in bad.values() if s["paper"] != good["background_fit_good"]["paper"])
    # Failed fits count against every method alike: a good method with most fits failed
    # cannot claim 'no spurious significance'.
    auc, sr_sb, bh, no_cut, lam = sacwola_inputs()
    bh["background_only"]["salad"]["failed_fraction"] = 0.7
    assert sacwola_summary.statements(auc, sr_sb, bh, no_cut, lam)["no_spurious_significance"]["holds"] is False


def copy_docs(tmp_path):
    """README.md and docs/studies/*.md of the repository copied under ``tmp_path`` (same
    relative paths); the copies' paths."""
    from tests.conftest import REPO

    docs = []
    for src in [REPO / "README.md", *sorted((REPO / "docs" / "studies").glob("*.md"))]:
        dst = tmp_path / src.relative_to(REPO)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(src.read_text())
        docs.append(dst)
    return docs


def test_readme_tables_come_from_the_summaries(ci_run, tmp_path):
    """The comparison tables of README.md and docs/studies/*.md are generated from the
    summary JSONs: every statement appears with its verdict, and the docs carry the blocks
    the script fills."""
    import readme_tables

    docs = copy_docs(tmp_path)
    studies = ("salad", "sacwola", "cathode", "cwola_ae")
    readme_tables.main([a for s in studies for a in ("--summary", f"{s}={ci_run / s / 'summary.json'}")]
                       + [a for d in docs for a in ("--doc", str(d))])
    out = "\n".join(d.read_text() for d in docs)
    for study in studies:
        s = json.loads((ci_run / study / "summary.json").read_text())
        for st in s["statements"].values():
            assert st["paper"].replace("|", "\\|") in out
            row = next(line for line in out.splitlines() if st["paper"].replace("|", "\\|") in line)
            assert row.endswith(readme_tables.HOLDS[st["holds"]] + " |")
        # The README's overview: one row per study, linking its doc.
        assert any(line.startswith(f"| {study} | ") and f"docs/studies/{study}.md" in line
                   for line in docs[0].read_text().splitlines())
    # The CATHODE max-SIC table: one row per n_sig (and the shifted run), the summary's means.
    s = json.loads((ci_run / "cathode" / "summary.json").read_text())
    for n, per in s["signal_vs_background"].items():
        row = next(line for line in out.splitlines() if line.startswith(f"| {n} | "))
        assert row == f"| {n} | " + " | ".join(f"{per[m]['max_sic']['mean']:#.3g}"
                                               for m in readme_tables.CATHODE_METHODS) + " |"
    # The CWoLa-vs-AE benchmark table: one row per signal and S/B, AUC medians of the summary.
    s = json.loads((ci_run / "cwola_ae" / "summary.json").read_text())
    for signal, rows in s["benchmarks"].items():
        for r in rows:
            line = next(ln for ln in out.splitlines() if ln.startswith(f"| {signal} | {r['sb_paper']:g} |"))
            assert f"| {r['methods']['autoencoder']['auc']['median']:.2f} |" in line


def test_readme_overview_counts_statements_and_missing_blocks_are_named(tmp_path):
    """The README's overview block counts each summary's statements that hold, fail and are
    undetermined and links the study's doc (the mass scan's 'scan' summary: mass_scan.md);
    a block that none of the --doc files holds stops naming the block."""
    import readme_tables

    def statement(holds):
        return {"paper": "a claim", "measured": 1.0, "criterion": "x > 0", "holds": holds}

    summaries = {"salad": {"statements": {"a": statement(True), "b": statement(True),
                                          "c": statement(False), "d": statement(None)}},
                 "scan": {"statements": {"a": statement(None), "b": statement(False)}}}
    paths = []
    for study, summary in summaries.items():
        paths.append(tmp_path / f"{study}.json")
        paths[-1].write_text(json.dumps(summary))
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- BEGIN generated: overview -->\n<!-- END generated: overview -->\n")
    doc = tmp_path / "study.md"
    doc.write_text("".join(f"<!-- BEGIN generated: {b} -->\nSTALE\n<!-- END generated: {b} -->\n"
                           for b in ("salad", "scan", "scan_windows")))
    args = ["--summary", f"salad={paths[0]}", "--doc", str(readme), "--doc", str(doc)]

    readme_tables.main(args)
    lines = readme.read_text().splitlines()
    header = next(ln for ln in lines if ln.startswith("| study |"))
    assert "held | failed | undetermined | doc" in header
    row = next(ln for ln in lines if ln.startswith("| salad |"))
    assert row.endswith("| 2 | 1 | 1 | [docs/studies/salad.md](docs/studies/salad.md) |")
    salad_block = doc.read_text().split("generated: salad -->")[1].split("<!-- END")[0]
    assert "STALE" not in salad_block and salad_block.count("| a claim |") == 4
    assert doc.read_text().count("STALE") == 2                  # scan blocks: no scan summary given

    table = readme_tables.overview(summaries)
    scan_row = next(ln for ln in table.splitlines() if ln.startswith("| scan |"))
    assert scan_row.endswith("| 0 | 1 | 1 | [docs/studies/mass_scan.md](docs/studies/mass_scan.md) |")
    # A summary's own paper and figure list take precedence over the kind's catalog.
    own = readme_tables.overview({"toy": {"paper": "Toy paper", "figures": ["T1", "T2", "T4"],
                                          "statements": {"a": statement(True)}}})
    assert own.splitlines()[-1] == ("| toy | Toy paper | T1-T2, T4 | 1 | 0 | 0 | "
                                    "[docs/studies/toy.md](docs/studies/toy.md) |")
    # Without figure ids anywhere, the figure column is left out.
    bare = readme_tables.overview({"toy": {"statements": {"a": statement(False)}}})
    assert bare.splitlines()[0] == "| study | paper | held | failed | undetermined | doc |"

    # A block no doc holds: the overview (README not given) and a study's table.
    with pytest.raises(SystemExit, match="'overview'"):
        readme_tables.main(["--summary", f"salad={paths[0]}", "--doc", str(doc)])
    with pytest.raises(SystemExit, match="'salad'"):
        readme_tables.main(["--summary", f"salad={paths[0]}", "--doc", str(readme)])


def cathode_runs(max_sic, n_reps=3, noise=0.02, auc_template=0.5):
    """Fake per-repetition classifier metrics {n_sig: {rep: run}} with the given max SIC per
    method (small multiplicative noise per repetition)."""
    rng = np.random.default_rng(0)
    runs = {}
    for n in (0, 1000):
        runs[n] = {}
        for r in range(n_reps):
            sv = {m: {"auc": 0.8, "max_sic": v * (1 + noise * rng.standard_normal()),
                      "sic_at_50": 2.0} for m, v in max_sic.items()}
            runs[n][r] = {"methods": list(max_sic), "signal_vs_background": sv,
                          "template_quality": {"classifier_auc": auc_template + 0.003 * rng.standard_normal(),
                                               "n_background_test": 40000, "n_template_holdout": 40000,
                                               "ks": {"mj2": {"statistic": 0.01, "pvalue": 0.5}}}}
    return runs


def test_cathode_statements_follow_the_numbers():
    from radflow.studies.cathode import summary as cathode_summary

    paper = {"supervised": 17.6, "idealized": 15.1, "cathode": 14.0, "cwola": 10.8, "anode": 6.5}
    shift = {"supervised": 17.6, "idealized": 10.5, "cathode": 10.2, "cwola": 1.04, "anode": 5.3}
    st = cathode_summary.statements(cathode_runs(paper), cathode_runs(shift), 1000)
    assert all(c["holds"] is True for c in st.values()), st
    # CATHODE far below the idealized detector, ANODE above CATHODE, CWoLa unharmed by the
    # shift, a template that a classifier separates from the data: each statement fails.
    bad = dict(paper, cathode=4.0, anode=8.0)
    st = cathode_summary.statements(cathode_runs(bad, auc_template=0.6),
                                    cathode_runs(dict(shift, cwola=10.0)), 1000)
    assert all(c["holds"] is False for c in st.values()), st
