"""Write the README's paper-comparison tables from the study summaries, so the README never
states a number that no rule produced: each block between
``<!-- BEGIN generated: {study} -->`` and ``<!-- END generated: {study} -->`` is replaced by
a table "paper statement | our number | holds?" of results/{study}/summary.json (and, for
the CATHODE study, the block ``cathode_max_sic``: max SIC per method and n_sig; for the
CWoLa-vs-autoencoder study, ``cwola_ae_benchmarks``: AUC and Z per signal and S/B; for the
mass scan (``scan=results/mass_scan/scan/summary.json``), ``scan_windows``: local Z per window
and the global result). The report's captions (report_captions.py) format the statements
with the same functions.

    python scripts/readme_tables.py --summary salad=results/salad/summary.json \\
        --summary sacwola=results/sacwola/summary.json --readme README.md
"""
import argparse
import json
import re
from pathlib import Path

HOLDS = {True: "**yes**", False: "**no**", None: "undecided"}


def fmt(value) -> str:
    """Compact text of a measured value: a spread over repetitions as mean +- standard
    error (n), a [value, error] pair as value +- error, nested dicts as key: value."""
    if isinstance(value, dict):
        if {"mean", "err", "n"} <= set(value):
            if value["mean"] is None:
                return "n/a"
            if value["err"] is None:
                return f"{value['mean']:.3g} (n = {value['n']})"
            return f"{value['mean']:.3g} +- {value['err']:.2g} (n = {value['n']})"
        return "; ".join(f"{k}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return f"{value[0]:.3g} +- {value[1]:.2g}"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def table(summary: dict) -> str:
    rows = ["| paper statement | our number | criterion | holds? |", "| --- | --- | --- | --- |"]
    for st in summary["statements"].values():
        cells = [st["paper"], fmt(st["measured"]), st["criterion"], HOLDS[st["holds"]]]
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
    """The mass scan's local Z per window and efficiency (first method), the pseudo-
    experiments' 84% quantile of it, and the global result, from results/{study}/scan/summary.json."""
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
    gv = summary["cross_check"]
    rows += ["", f"Largest local Z {o['max_local_z']:.2f} ({o['method']}, {o['window']}, eps = "
             f"{o['efficiency']:g}; local p = {o['local_pvalue']:.2g}); global p = "
             f"{g['pvalue']:.3g} +- {g['pvalue_error']:.2g} ({g['n_exceeding']} of {g['n_pseudo']} "
             f"pseudo-experiments reach it{', a bound' if g['bound'] else ''}), global Z = "
             f"{g['z']:.2f}. Same curve ({gv['method']}, eps = {gv['efficiency']:g}) alone: "
             f"pseudo-experiments p = {gv['toys']['pvalue']:.3g}, Gross-Vitells p = "
             f"{gv['gross_vitells']['pvalue']:.3g} (<N(u0 = {gv['gross_vitells']['level']:g})> = "
             f"{gv['gross_vitells']['mean_upcrossings']:.2f}). Largest local Z of the "
             f"pseudo-experiments: median {pe['max_local_z_quantiles']['0.5']:.2f}, 84% "
             f"{pe['max_local_z_quantiles']['0.84']:.2f}, 97.5% "
             f"{pe['max_local_z_quantiles']['0.975']:.2f}; {pe['n_failed_fits']} of "
             f"{pe['n_fits']} of their fits failed."]
    return "\n".join(rows)


def replace_block(text: str, study: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN generated: {study} -->\n).*?(<!-- END generated: {study} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README has no '<!-- BEGIN generated: {study} -->' ... END block")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summary", action="append", required=True, metavar="STUDY=PATH")
    ap.add_argument("--readme", required=True)
    args = ap.parse_args(argv)
    readme = Path(args.readme)
    text = readme.read_text()
    for item in args.summary:
        study, path = item.split("=", 1)
        summary = json.loads(Path(path).read_text())
        text = replace_block(text, study, table(summary))
        if study == "cathode":
            text = replace_block(text, "cathode_max_sic", cathode_max_sic(summary))
        if study == "cwola_ae":
            text = replace_block(text, "cwola_ae_benchmarks", cwola_ae_benchmarks(summary))
        if study == "scan":
            text = replace_block(text, "scan_windows", scan_windows(summary))
    readme.write_text(text)


if __name__ == "__main__":
    main()
