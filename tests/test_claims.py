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


def test_spread_and_interval_by_hand():
    s = claims.spread([1.0, 2.0, 4.0])
    assert s["mean"] == pytest.approx(7 / 3) and s["n"] == 3 and s["dof"] == 2
    assert s["std"] == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert s["err"] == pytest.approx(s["std"] / np.sqrt(3))
    # Student's t with 2 degrees of freedom: 4.303 standard errors at 95%.
    assert s["hi"] - s["mean"] == pytest.approx(4.302653 * s["err"], rel=1e-6)
    assert claims.estimate(0.0, 1.0)["hi"] == pytest.approx(1.959964, rel=1e-6)   # Gaussian
    one = claims.spread([0.7])
    assert one["std"] is None and one["err"] is None and one["lo"] is None
    d = claims.at_most(one, 0.5)                                # one repetition: no error
    assert d == {"verdict": "undetermined", "leans": "fails"}


def test_welch_difference_by_hand():
    a, b = claims.estimate(1.0, 0.3, 2), claims.estimate(0.5, 0.4, 4)
    d = claims.difference(a, b)
    assert d["mean"] == 0.5 and d["err"] == pytest.approx(0.5)
    assert d["dof"] == pytest.approx(0.5**4 / (0.3**4 / 2 + 0.4**4 / 4))
    assert claims.difference(claims.estimate(1.0, 0.3), claims.estimate(0.5, 0.4))["dof"] is None


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
    """Three outcomes: the whole interval satisfies the statement, violates it, or neither."""
    e = claims.estimate(0.55, 0.01)                              # [0.530, 0.570]
    assert claims.at_least(e, 0.5)["verdict"] == "holds"
    assert claims.at_least(e, 0.6)["verdict"] == "fails"
    assert claims.at_least(e, 0.56) == {"verdict": "undetermined", "leans": "fails"}
    assert claims.at_most(e, 0.6)["verdict"] == "holds" and claims.at_most(e, 0.5)["verdict"] == "fails"
    assert claims.at_most(e, 0.56) == {"verdict": "undetermined", "leans": "holds"}
    # 'within X' holds only when the whole interval is inside: a large error is not a match.
    assert claims.within(e, 0.5, 0.6)["verdict"] == "holds"
    assert claims.within(claims.estimate(0.55, 0.2), 0.5, 0.6)["verdict"] == "undetermined"
    assert claims.within(e, 0.6, 0.7)["verdict"] == "fails"
    h, f, u = claims.test(True), claims.test(False), claims.at_least(e, 0.56)
    assert claims.all_of([h, u])["verdict"] == "undetermined" and claims.all_of([h, f, u])["verdict"] == "fails"
    assert claims.all_of([h, h])["verdict"] == "holds"
    assert claims.any_of([f, h])["verdict"] == "holds" and claims.any_of([f, f])["verdict"] == "fails"
    assert claims.any_of([f, u]) == {"verdict": "undetermined", "leans": "fails"}
    with pytest.raises(ValueError, match="not one of"):
        claims.claim("x", {}, "y", {"verdict": True, "leans": None})


def spread(mean, err, n=3):
    return claims.estimate(mean, err, n - 1, std=err * np.sqrt(n), n=n)


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
    closure = {r: {"auc_raw": 0.62, "auc_raw_err": 0.005, "auc_dctr": 0.505, "auc_dctr_err": 0.005,
                   "n_eval_data": 8000, "n_eval_sim": 8000}
               for r in ("sb", "sr")}
    return a8, a9, closure


def verdicts(statements) -> dict:
    return {k: v["verdict"] for k, v in statements.items()}


def test_salad_statements_follow_the_numbers():
    good = salad_summary.statements(*salad_inputs())
    assert set(verdicts(good).values()) == {"holds"}, verdicts(good)
    # SALAD 10 sigma below the ideal line, sim-only tagging signal, a 20% off prediction.
    bad = salad_summary.statements(*salad_inputs(salad_sic=5.0 - 10 * np.hypot(0.1, 0.1),
                                                 sim_auc0=0.7, a9_dctr=0.8))
    for key in ("salad_tracks_ideal", "sim_only_antitags_at_zero", "dctr_prediction_within_few_percent"):
        assert bad[key]["verdict"] == "fails", key
    # A sim-only AUC at 0.5 within its error: neither shown nor refuted.
    assert salad_summary.statements(*salad_inputs(sim_auc0=0.5))[
        "sim_only_antitags_at_zero"]["verdict"] == "undetermined"
    # One repetition: no error over repetitions, so the comparisons cannot be decided.
    a8, a9, closure = salad_inputs()
    for lines in a8.values():
        for by_sb in lines.values():
            for v in by_sb.values():
                v.update(claims.estimate(v["mean"], None), std=None, n=1)
    single = salad_summary.statements(a8, a9, closure)
    assert single["salad_tracks_ideal"] == {**single["salad_tracks_ideal"],
                                            "verdict": "undetermined", "leans": "holds"}
    assert single["dctr_closes_in_sr"]["verdict"] == "holds"    # test-set error, not repetitions


def sacwola_inputs(cwola_diff=-0.25, sa_diff=-0.02, salad_diff=0.02, cwola_failed=0.6,
                   cwola_max_z=1.0, other_max_z=1.0):
    auc = {"cwola": spread(0.55, 0.01), "optimal_cwola": spread(0.80, 0.01),
           "sa_cwola": spread(0.78, 0.01), "salad": spread(0.80, 0.01)}
    diffs = {"cwola-optimal_cwola": spread(cwola_diff, 0.005),
             "sa_cwola-optimal_cwola": spread(sa_diff, 0.005),
             "salad-sa_cwola": spread(salad_diff, 0.005)}
    sr_sb = {"cwola": spread(0.56, 0.01), "sa_cwola": spread(0.52, 0.01)}
    bh = {"background_only": {
        "cwola": {"max_z": spread(cwola_max_z, 0.1), "failed_fraction": cwola_failed},
        "sa_cwola": {"max_z": spread(other_max_z, 0.1), "failed_fraction": 0.1},
        "salad": {"max_z": spread(0.5, 0.1), "failed_fraction": 0.0}}}
    no_cut = {"converged": True, "gof_pvalue": 0.4, "deviance": 18.0, "ndf": 20}
    return auc, diffs, sr_sb, bh, no_cut, 0.5


def test_sacwola_statements_follow_the_numbers():
    good = sacwola_summary.statements(*sacwola_inputs())
    assert set(verdicts(good).values()) == {"holds"}, verdicts(good)
    bad = sacwola_summary.statements(*sacwola_inputs(cwola_diff=-0.01, sa_diff=-0.2, salad_diff=0.15,
                                                     cwola_failed=0.1, other_max_z=3.5))
    assert all(v == "fails" for k, v in verdicts(bad).items() if k != "background_fit_good"), verdicts(bad)
    # Not enough failed fits, and a largest Z whose interval straddles 2: undetermined.
    mid = sacwola_summary.statements(*sacwola_inputs(cwola_failed=0.1, cwola_max_z=2.0))
    assert mid["cwola_sculpts_background"]["verdict"] == "undetermined"
    # Failed fits count against every method alike: a good method with most fits failed
    # cannot claim 'no spurious significance'.
    auc, diffs, sr_sb, bh, no_cut, lam = sacwola_inputs()
    bh["background_only"]["salad"]["failed_fraction"] = 0.7
    assert sacwola_summary.statements(auc, diffs, sr_sb, bh, no_cut, lam)[
        "no_spurious_significance"]["verdict"] == "fails"
    no_cut.update(gof_pvalue=0.01)
    assert sacwola_summary.statements(auc, diffs, sr_sb, bh, no_cut, lam)[
        "background_fit_good"]["verdict"] == "fails"


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
            assert row.endswith(" " + readme_tables.verdict(st) + " |")
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

    def statement(verdict):
        return {"paper": "a claim", "measured": 1.0, "criterion": "x > 0", "verdict": verdict,
                "leans": None if verdict == "undetermined" else verdict, "level": 0.95}

    summaries = {"salad": {"statements": {"a": statement("holds"), "b": statement("holds"),
                                          "c": statement("fails"), "d": statement("undetermined")}},
                 "scan": {"statements": {"a": statement("undetermined"), "b": statement("fails")}}}
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
    assert "holds | fails | undetermined | doc" in header
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
                                          "statements": {"a": statement("holds")}}})
    assert own.splitlines()[-1] == ("| toy | Toy paper | T1-T2, T4 | 1 | 0 | 0 | "
                                    "[docs/studies/toy.md](docs/studies/toy.md) |")
    # Without figure ids anywhere, the figure column is left out.
    bare = readme_tables.overview({"toy": {"statements": {"a": statement("fails")}}})
    assert bare.splitlines()[0] == "| study | paper | holds | fails | undetermined | doc |"

    # A block no doc holds: the overview (README not given) and a study's table.
    with pytest.raises(SystemExit, match="'overview'"):
        readme_tables.main(["--summary", f"salad={paths[0]}", "--doc", str(doc)])
    with pytest.raises(SystemExit, match="'salad'"):
        readme_tables.main(["--summary", f"salad={paths[0]}", "--doc", str(readme)])


def cathode_runs(max_sic, n_reps=3, noise=0.02, auc_template=0.5, auc_noise=0.003):
    """Fake per-repetition classifier metrics {n_sig: {rep: run}} with the given max SIC per
    method (small multiplicative noise per repetition), the data-vs-template AUC and the
    truth-vs-truth control AUC (0.5) with Gaussian noise ``auc_noise``."""
    rng = np.random.default_rng(0)
    runs = {}
    for n in (0, 1000):
        runs[n] = {}
        for r in range(n_reps):
            sv = {m: {"auc": 0.8, "max_sic": v * (1 + noise * rng.standard_normal()),
                      "sic_at_50": 2.0} for m, v in max_sic.items()}
            runs[n][r] = {"methods": list(max_sic), "signal_vs_background": sv,
                          "template_quality": {
                              "classifier_auc": auc_template + auc_noise * rng.standard_normal(),
                              "control_auc": 0.5 + auc_noise * rng.standard_normal(),
                              "n_background_test": 40000, "n_template_holdout": 40000,
                              "n_control": 40000, "ks": {"mj2": {"statistic": 0.01, "pvalue": 0.5}}}}
    return runs


def test_cathode_statements_follow_the_numbers():
    from radflow.studies.cathode import summary as cathode_summary

    paper = {"supervised": 17.6, "idealized": 15.1, "cathode": 14.0, "cwola": 10.8, "anode": 6.5}
    shift = {"supervised": 17.6, "idealized": 10.5, "cathode": 10.2, "cwola": 1.04, "anode": 5.3}
    st = cathode_summary.statements(cathode_runs(paper, n_reps=10), cathode_runs(shift), 1000)
    assert set(verdicts(st).values()) == {"holds"}, verdicts(st)
    # CATHODE far below the idealized detector, ANODE above CATHODE, CWoLa unharmed by the
    # shift, a template that a classifier separates from the data: each statement fails.
    bad = dict(paper, cathode=4.0, anode=8.0)
    st = cathode_summary.statements(cathode_runs(bad, auc_template=0.6),
                                    cathode_runs(dict(shift, cwola=10.0)), 1000)
    assert set(verdicts(st).values()) == {"fails"}, verdicts(st)
    # Two noisy repetitions: t with 1 degree of freedom (12.7 errors) decides nothing.
    st = cathode_summary.statements(cathode_runs(paper, n_reps=2, noise=0.3, auc_noise=0.02),
                                    cathode_runs(shift, n_reps=2, noise=0.3), 1000)
    assert set(verdicts(st).values()) == {"undetermined"}, verdicts(st)
    # The template's AUC 5 control-sigma from 0.5 with a tight control band: no match.
    st = cathode_summary.statements(cathode_runs(paper, n_reps=5, auc_template=0.522), {}, 1000)
    assert st["template_matches_background"]["verdict"] == "fails"
