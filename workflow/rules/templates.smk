# Background templates shared by study kinds: DCTR (data vs simulation in the sidebands,
# parametrized in mjj; its weights reweight the simulation in the SR), per injection of any
# study with a simulation sample (SALAD; SA-CWoLa from its long sidebands).


rule dctr:
    input:
        data=role_inputs("data"),
        sim=role_inputs("sim"),
        signal=role_inputs("signal"),
        injection="results/{study}/inject/{injection}.h5",
    output:
        "results/{study}/dctr/{injection}.h5",
    wildcard_constraints:
        study="|".join(s for s in STUDIES if "sim" in STUDIES[s]["samples"]) or "(?!)",
    params:
        config=cfg("seed", "studies.{study}.features", "training"),
        sideband=lambda wc: "long_sb" if STUDIES[wc.study].get("long_sidebands") else "sb",
        script=script("dctr"),
        code=code("dctr"),
    log:
        "results/logs/dctr/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/dctr/{study}_{injection}.tsv"
    resources:
        **cost_resources("dctr"),
    threads: 1
    conda:
        f"{ENVS}/ml.yaml"
    shell:
        "TF_NUM_INTRAOP_THREADS={threads} TF_NUM_INTEROP_THREADS={threads}"
        " python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --data {input.data} --sim {input.sim} --signal {input.signal}"
        " --injection {input.injection} --sideband {params.sideband}"
        " --output {output} > {log} 2>&1"
