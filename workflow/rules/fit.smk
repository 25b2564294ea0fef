# Bump hunt (SA-CWoLa paper, Sec. 2.3): threshold scan, sideband fits, significances, and
# the study summary.


rule fit:
    input:
        with_signal=lambda wc: f"results/{wc.study}/train/{signal_injection(wc.study)}_scores.h5",
        background_only=f"results/{{study}}/train/{BACKGROUND_ONLY}_scores.h5",
    output:
        "results/{study}/fits.json",
    params:
        script=script_path("bump_hunt"),
        config=CONFIG_FILE,
    log:
        "results/logs/fit/{study}.log",
    benchmark:
        "results/benchmarks/fit/{study}.tsv"
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --config {params.config} --study {wildcards.study}"
        " --with-signal {input.with_signal} --background-only {input.background_only}"
        " --output {output} > {log} 2>&1"


rule sacwola_summary:
    wildcard_constraints:
        study="sacwola",
    input:
        with_signal=lambda wc: f"results/{wc.study}/train/{signal_injection(wc.study)}.json",
        background_only=f"results/{{study}}/train/{BACKGROUND_ONLY}.json",
        fits="results/{study}/fits.json",
    output:
        "results/{study}/summary.json",
    params:
        script=script_path("sacwola_summary"),
    log:
        "results/logs/fit/{study}_summary.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/stats.yaml"
    shell:
        "python {params.script} --with-signal {input.with_signal}"
        " --background-only {input.background_only} --fits {input.fits}"
        " --output {output} > {log} 2>&1"
