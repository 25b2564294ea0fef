"""Write the generated tables of README.md and docs/studies/*.md from the study summaries,
so no doc states a number that no rule produced: each block between
``<!-- BEGIN generated: {block} -->`` and ``<!-- END generated: {block} -->`` is replaced, in
whichever of the ``--doc`` files holds it, by a table of results/{study}/summary.json: for
every study the table "paper statement | our number | criterion | verdict" (block {study}); for
the CATHODE study also ``cathode_max_sic`` (max SIC per method and n_sig); for the
CWoLa-vs-autoencoder study ``cwola_ae_benchmarks`` (AUC and Z per signal and S/B); for the
mass scan (``scan=results/mass_scan/scan/summary.json``) ``scan_windows`` (local Z per window
and the global result); and, from all summaries given, the README's ``overview`` (per study:
paper, figure ids, statements held / failed / undetermined, its doc). With ``--timing``, the
block ``timing`` (docs/performance.md): the tables of scripts/timing_table.py --json, formatted
by radflow.timing as the script prints them. A block that none of the ``--doc`` files holds is
an error naming the block. The report's captions (report_captions.py) format the statements
with the same functions.

    python scripts/readme_tables.py --summary salad=results/salad/summary.json \\
        --summary sacwola=results/sacwola/summary.json \\
        --summary cathode=results/cathode/summary.json \\
        --summary cwola_ae=results/cwola_ae/summary.json \\
        --summary scan=results/mass_scan/scan/summary.json \\
        --doc README.md --doc docs/studies/salad.md --doc docs/studies/sacwola.md \\
        --doc docs/studies/cathode.md --doc docs/studies/cwola_ae.md --doc docs/studies/mass_scan.md
    python scripts/readme_tables.py --timing results/timing.json --doc docs/performance.md
"""
import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radflow import timing  # noqa: E402

VERDICT = {"holds": "**holds**", "fails": "**fails**", "undetermined": "undetermined"}


def verdict(st: dict) -> str:
    """A statement's verdict as shown: holds / fails, or undetermined with the side its
    central value leans to."""
    text = VERDICT[st["verdict"]]
    return f"{text} (leans {st['leans']})" if st["verdict"] == "undetermined" and st["leans"] else text


def fmt(value) -> str:
    """Compact text of a measured value: an estimate (radflow.stats.claims) as mean
    [lo, hi] (n) with its confidence interval, or mean +- error without one, a
    [value, error] pair as value +- error, nested dicts as key: value."""
    if isinstance(value, dict):
        if {"mean", "err"} <= set(value):
            n = f" (n = {value['n']})" if "n" in value else ""
            if "alpha" in value:            # a coverage entry of the scan's calibration
                n = f" at or below {value['alpha']:g}{n}"
            if value["mean"] is None:
                return "n/a"
            if value.get("lo") is not None:
                return f"{value['mean']:.3g} [{value['lo']:.3g}, {value['hi']:.3g}]{n}"
            if value["err"] is not None:
                return f"{value['mean']:.3g} +- {value['err']:.2g}{n}"
            return f"{value['mean']:.3g}{n}"
        return "; ".join(f"{k}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return f"{value[0]:.3g} +- {value[1]:.2g}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "; ".join(fmt(v) for v in value)
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        return "[" + ", ".join(f"{v:.3g}" for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def table(summary: dict) -> str:
    level = next(iter(summary["statements"].values()))["level"] if summary["statements"] else 0.95
    rows = [f"| paper statement | our number (mean [{level:.0%} interval]) | criterion | verdict |",
            "| --- | --- | --- | --- |"]
    for st in summary["statements"].values():
        cells = [st["paper"], fmt(st["measured"]), st["criterion"], verdict(st)]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


CATHODE_METHODS = ("supervised", "idealized", "cathode", "cwola", "anode")


def cathode_max_sic(summary: dict) -> str:
    """The CATHODE study's max SIC per method (mean over repetitions) for each n_sig and
    for the mass-shifted run, from results/cathode/summary.json."""
    rows = ["| n_sig | supervised | idealized AD | CATHODE | CWoLa | ANODE |",
            "| --- | --- | --- | --- | --- | --- |"]
    runs = sorted(summary["signal_vs_background"].items(), key=lambda kv: int(kv[0]))
    # 'shift' is None when studies.cathode_shift is not configured.
    runs += [(f"{n}, m_j + 0.1 mjj", per) for n, per in (summary.get("shift") or {}).items()]
    for label, per in runs:
        rows.append(f"| {label} | " + " | ".join(f"{per[m]['max_sic']['mean']:#.3g}" for m in CATHODE_METHODS) + " |")
    return "\n".join(rows)


def cwola_ae_benchmarks(summary: dict) -> str:
    """The CWoLa-vs-autoencoder study per signal and S/B benchmark: S/B and S/sqrt(B) in our
    SR, and per method the AUC and the Z of the SR excess after the SIC-optimal / 1% / 0.1%
    cuts (medians over runs; a cut whose fits all failed is 'fail', and failed fits are
    counted), from results/cwola_ae/summary.json."""
    rows = ["| signal | S/B (paper) | S/B (ours) | S/sqrt(B) | AUC CWoLa | AUC AE "
            "| Z CWoLa (SIC-opt. / 1% / 0.1%) | Z AE (SIC-opt. / 1% / 0.1%) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]

    def med(stat):
        return "fail" if stat["median"] is None else f"{stat['median']:.2f}"

    def cuts(z):
        failed = sum(v["n_failed"] for v in z.values())
        return " / ".join(med(v) for v in z.values()) + (f" ({failed} failed)" if failed else "")

    for signal in summary["signals"]:
        for r in summary["benchmarks"][signal]:
            m = r["methods"]
            rows.append(f"| {signal} | {r['sb_paper']:g} | {r['sb']:.3g} | {r['significance_naive']:.2f} | "
                        f"{med(m['cwola']['auc'])} | {med(m['autoencoder']['auc'])} | "
                        f"{cuts(m['cwola']['z'])} | {cuts(m['autoencoder']['z'])} |")
    return "\n".join(rows)


def scan_windows(summary: dict) -> str:
    """The mass scan's local Z per window and efficiency (first method; median over the
    training seeds), the pseudo-experiments' 84% quantile of it, and the global result with
    its spread over training seeds and the calibration against the reference experiments,
    from results/{study}/scan/summary.json."""
    m = summary["methods"][0]
    effs = summary["efficiencies"]
    q84 = summary["pseudo_experiments"]["local_z_quantiles"]["0.84"][0]
    rows = ["| window | SR [GeV] | SR data events | injected signal in SR | "
            + " | ".join(f"local Z at eps = {e:g} (toys' 84%)" for e in effs) + " |",
            "| --- | --- | --- | --- |" + " --- |" * len(effs)]
    for w, (win, loc) in enumerate(zip(summary["windows"], summary["local"][m])):
        zs = [("fit failed" if e["z"] is None else f"{e['z']:.2f}") + f" ({q84[w][i]:.2f})"
              for i, e in enumerate(loc)]
        rows.append(f"| {win['name']} | {win['signal_region'][0]:.0f}-{win['signal_region'][1]:.0f} | "
                    f"{win['n_sr_data']} | {win['n_sr_injected']} | " + " | ".join(zs) + " |")
    o, g, pe = summary["observed"], summary["global"], summary["pseudo_experiments"]
    gv, spread = summary["cross_check"], o["max_local_z_spread"]
    per_seed = ", ".join(f"{x['max_local_z']:.2f}" for x in o["seeds"])
    text = (f"Largest local Z over {o['n_seeds']} training seeds: median {o['max_local_z']:.2f} "
            f"(MAD {spread['mad']:.2f}; per seed {per_seed}; at the median: {o['method']}, "
            f"{o['window']}, eps = {o['efficiency']:g}, local p = {o['local_pvalue']:.2g}); global "
            f"p of the median seed = {g['pvalue']:.3g} +- {g['pvalue_error']:.2g} (binomial, "
            f"{g['n_exceeding']} of {g['n_pseudo']} pseudo-experiments reach it"
            f"{', a bound' if g['bound'] else ''}; MAD over seeds {g['seed_spread']['mad']:.2g}), "
            f"global Z = {g['z']:.2f}. Same curve ({gv['method']}, eps = {gv['efficiency']:g}) "
            f"alone: pseudo-experiments p = {gv['toys']['pvalue']:.3g}, Gross-Vitells p = "
            f"{gv['gross_vitells']['pvalue']:.3g} (<N(u0 = {gv['gross_vitells']['level']:g})> = "
            f"{gv['gross_vitells']['mean_upcrossings']:.2f}). Largest local Z of the "
            f"pseudo-experiments: median {pe['max_local_z_quantiles']['0.5']:.2f}, 84% "
            f"{pe['max_local_z_quantiles']['0.84']:.2f}, 97.5% "
            f"{pe['max_local_z_quantiles']['0.975']:.2f}; {pe['n_failed_fits']} of "
            f"{pe['n_fits']} of their fits failed.")
    cal = summary.get("calibration")
    if cal:
        cov = "; ".join(f"{c['fraction']:.3f} at or below {c['alpha']:g}" for c in cal["coverage"])
        text += (f" Reference experiments ({cal['n']}): fraction of global p-values {cov} "
                 f"(KS p = {cal['ks_pvalue']:.2g}).")
    return "\n".join(rows + ["", text])


COMPLEMENTARITY_LABELS = {"salad": "SALAD", "cathode": "CATHODE", "curtains": "CURTAINs",
                          "feta": "FETA", "combined_samples": "combined (samples)",
                          "combined_scores": "combined (scores)", "truth": "true background"}


def complementarity_max_sic(summary: dict) -> str:
    """Max SIC per method and n_sig for every classifier variant, mean [95% interval] over
    repetitions, beside the complementarity paper's medians where it quotes them."""
    ref = summary.get("reference", {}).get("max_sic", {})
    variants = summary["variants"]
    n_sigs = sorted({n for v in variants for n in summary["per_variant"][v]["n_sig"]})
    head = ["method", "n_sig"] + [f"ours, {v}" for v in variants] + ["paper (NN)"]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for line in summary["lines"]:
        for n in n_sigs:
            cells = [COMPLEMENTARITY_LABELS.get(line, line), str(n)]
            for v in variants:
                m = summary["per_variant"][v]["metrics"].get(line, {}).get(str(n))
                cells.append(fmt(m["max_sic"]["spread"]) if m else "")
            paper = ref.get(str(n), {}).get(line)
            cells.append("" if paper is None else f"{paper:g}")
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def complementarity_cost(summary: dict) -> str:
    """The generators' training cost per method (the summary's generator_cost: medians over
    the run's generator trainings, one thread each)."""
    rows = ["| method | trainings | events given to fit | fit [s] | fit [s] per 100k events | "
            "sampled events | sampling [s] |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for m, c in summary.get("generator_cost", {}).items():
        rows.append(f"| {COMPLEMENTARITY_LABELS.get(m, m)} | {c['trainings']} | {c['fit_events']:.0f} | "
                    f"{c['fit_seconds']:.1f} | {c['fit_seconds_per_100k']:.0f} | "
                    f"{c['sample_events']:.0f} | {c['sample_seconds']:.1f} |")
    return "\n".join(rows)


#: Study name of a summary (the STUDY of --summary STUDY=PATH) -> its study kind, whose
#: folder radflow/studies/<kind>/ holds the figure catalog and docs/studies/<kind>.md the doc.
STUDY_KIND = {"salad": "salad", "sacwola": "sacwola", "cathode": "cathode",
              "complementarity": "complementarity", "cwola_ae": "cwola_ae",
              "scan": "mass_scan"}
KINDS_DIR = Path(__file__).resolve().parents[1] / "radflow" / "studies"


def kind_info(kind: str) -> dict:
    """The paper and figure ids of a study kind, from radflow/studies/<kind>/kind.yaml ({} if
    there is none)."""
    from radflow.config import load_yaml

    path = KINDS_DIR / kind / "kind.yaml"
    if not path.is_file():
        return {}
    spec = load_yaml(path)
    return {"paper": spec.get("paper"), "figures": list(spec.get("figures") or {})}


def id_ranges(ids) -> str:
    """Figure ids as ranges of consecutive numbers per letter: A1, A2, A3, B5 -> 'A1-A3, B5'."""
    parsed = []
    for fid in ids:
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", str(fid))
        parsed.append((m.group(1), int(m.group(2))) if m else (str(fid), None))
    out, i = [], 0
    while i < len(parsed):
        letter, n = parsed[i]
        j = i
        while (n is not None and j + 1 < len(parsed) and parsed[j + 1][0] == letter
               and parsed[j + 1][1] == parsed[j][1] + 1):
            j += 1
        first = letter if n is None else f"{letter}{n}"
        out.append(first if j == i else f"{first}-{letter}{parsed[j][1]}")
        i = j + 1
    return ", ".join(out)


def overview(summaries: dict) -> str:
    """One row per study summary ({study: summary}): the study, its paper, its figure ids, how
    many of its statements hold, fail and are undetermined (their ``verdict``) and its
    doc docs/studies/<kind>.md. Paper and figure ids are the summary's own ``paper`` and
    ``figures`` where it lists them, else those of the kind's catalog (kind.yaml); the
    figure column is left out when no study has figure ids."""
    rows = []
    for study, summary in summaries.items():
        kind = STUDY_KIND.get(study, study)
        info = kind_info(kind)
        own_paper, own_figures = summary.get("paper"), summary.get("figures")
        paper = own_paper if isinstance(own_paper, str) else info.get("paper") or ""
        figures = own_figures if isinstance(own_figures, list) else info.get("figures") or []
        verdicts = [st["verdict"] for st in summary["statements"].values()]
        counts = [verdicts.count(v) for v in ("holds", "fails", "undetermined")]
        doc = f"docs/studies/{kind}.md"
        rows.append((study, paper, id_ranges(figures), counts, f"[{doc}]({doc})"))
    with_figures = any(r[2] for r in rows)
    head = ["study", "paper"] + (["figures"] if with_figures else []) + ["holds", "fails", "undetermined", "doc"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for study, paper, figures, counts, doc in rows:
        cells = [study, paper] + ([figures] if with_figures else []) + [str(c) for c in counts] + [doc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def block_pattern(block: str) -> re.Pattern:
    return re.compile(rf"(<!-- BEGIN generated: {re.escape(block)} -->\n).*?(<!-- END generated: {re.escape(block)} -->)",
                      re.S)


def replace_block(text: str, block: str, body: str) -> str:
    """``text`` with the body of the generated block ``block`` replaced by ``body``."""
    pattern = block_pattern(block)
    if not pattern.search(text):
        raise SystemExit(f"no '<!-- BEGIN generated: {block} -->' ... END block")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def fill(docs: dict, block: str, body: str) -> None:
    """Replace the block ``block`` in every text of ``docs`` ({path: text}, changed in place)
    that holds it; SystemExit naming the block and the files when none does."""
    holders = [path for path, text in docs.items() if block_pattern(block).search(text)]
    if not holders:
        raise SystemExit(f"generated block '{block}' ('<!-- BEGIN generated: {block} -->' ... "
                         f"'<!-- END generated: {block} -->') is in none of the docs: "
                         + ", ".join(str(p) for p in docs))
    for path in holders:
        docs[path] = replace_block(docs[path], block, body)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summary", action="append", default=[], metavar="STUDY=PATH")
    ap.add_argument("--timing", metavar="JSON",
                    help="the --json output of scripts/timing_table.py: the block 'timing'")
    ap.add_argument("--doc", action="append", required=True, metavar="FILE",
                    help="a markdown file holding generated blocks (README.md, docs/studies/*.md); repeatable")
    args = ap.parse_args(argv)
    if not args.summary and not args.timing:
        ap.error("nothing to write: give --summary STUDY=PATH and/or --timing JSON")
    docs = {Path(d): Path(d).read_text() for d in args.doc}
    summaries = {}
    for item in args.summary:
        study, path = item.split("=", 1)
        summary = json.loads(Path(path).read_text())
        summaries[study] = summary
        fill(docs, study, table(summary))
        if study == "cathode":
            fill(docs, "cathode_max_sic", cathode_max_sic(summary))
        if study == "complementarity":
            fill(docs, "complementarity_max_sic", complementarity_max_sic(summary))
            fill(docs, "complementarity_cost", complementarity_cost(summary))
        if study == "cwola_ae":
            fill(docs, "cwola_ae_benchmarks", cwola_ae_benchmarks(summary))
        if study == "scan":
            fill(docs, "scan_windows", scan_windows(summary))
    if summaries:
        fill(docs, "overview", overview(summaries))
    if args.timing:
        fill(docs, "timing", timing.markdown(json.loads(Path(args.timing).read_text())))
    for path, text in docs.items():
        path.write_text(text)


if __name__ == "__main__":
    main()
