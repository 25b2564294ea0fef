# Signal injection: S/B grid or fixed signal count, x repetitions, drawn once per study and
# shared by all methods of that study.


rule inject:
    input:
        data="results/{study}/regions/data.h5",
        signal=lambda wc: study_sample_inputs(wc.study, "signal")[1],
    output:
        "results/{study}/inject/{injection}.h5",
    params:
        config=study_cfg("injection"),
        script=script("inject"),
        code=code("inject"),
    log:
        "results/logs/inject/{study}_{injection}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        f"{ENVS}/generate.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {wildcards.study}"
        " --injection {wildcards.injection} --data-regions {input.data}"
        " --signal-regions {input.signal} --output {output} > {log} 2>&1"
