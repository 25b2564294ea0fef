# One repetition of a study per injection (S/B grid or fixed signal count, x repetitions):
# the repetition's background draw and train/test split of every sample of the study, and
# the signal injection; drawn once and shared by all methods of that study, which read it
# with radflow.inject.load_repetition.


rule inject:
    input:
        unpack(repetition_inputs),
    output:
        "results/{study}/inject/{injection}.h5",
    wildcard_constraints:
        injection=r"(sb|nsig)[0-9.e+-]+_rep[0-9]+",
    params:
        config=study_cfg("injection", "test_fraction"),
        regions=regions_args,
        script=script("inject"),
        code=code("inject"),
    log:
        "results/logs/inject/{study}_{injection}.log",
    benchmark:
        "results/benchmarks/inject/{study}_{injection}.tsv"
    resources:
        **cost_resources("inject"),
    conda:
        f"{ENVS}/generate.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection {wildcards.injection} {params.regions} --output {output} > {log} 2>&1"
