# The HTML report (`make report`: snakemake --report results/report.html): every figure is
# registered by fig() (common.smk) under its paper with the caption this rule writes from the
# figure catalogs of the study kinds (kind.yaml) and the summaries; the run's config with the rules' runtimes.

import hashlib


rule report_captions:
    input:
        figures=lambda wc: [p for p in get_final_output() if p.endswith(".png")],
        summaries=lambda wc: report_summaries(),
    output:
        captions=directory("results/report/captions"),
        config=report("results/report/config.yaml", caption=str(CAPTIONS / "runtimes.rst"),
                      category="Run: config and runtimes"),
    params:
        config=json.dumps(config, sort_keys=True, separators=(",", ":")),
        # The catalog by content (a moved checkout reruns nothing) and, derived, by path.
        catalog_version=hashlib.sha256(b"".join(
            (KINDS[k].path / "kind.yaml").read_bytes() for k in sorted(KINDS))).hexdigest()[:16],
        catalog=lambda wildcards, input: " ".join(
            str(KINDS[k].path / "kind.yaml") for k in sorted(KINDS)),
        script=script("report_captions"),
        code=code("report_captions"),
    log:
        "results/logs/report_captions/captions.log",
    benchmark:
        "results/benchmarks/report_captions/captions.tsv"
    resources:
        **cost_resources("report_captions"),
    conda:
        f"{ENVS}/stats.yaml"
    shell:
        "python {params.script} --catalog {params.catalog} --figures {input.figures}"
        " --summaries {input.summaries} --benchmarks results/benchmarks"
        " --config-json {params.config:q} --out-dir {output.captions}"
        " --config-out {output.config} > {log} 2>&1"
