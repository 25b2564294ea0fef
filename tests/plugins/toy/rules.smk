# The toy study kind (tests only): one figure per config, from the first toy study by name.
from radflow import provenance as _toy_provenance

TOY_DIR = Path(workflow.current_basedir)
TOY = (kind_studies("toy") or [None])[0]
KIND_TARGETS["toy"] = lambda: figs("T1") if TOY else []


rule plot_toy:
    input:
        data=lambda wc: study_sample_inputs(TOY, "data"),
    output:
        t1=fig("T1"),
    params:
        config=cfg(f"studies.{TOY}.toy", f"studies.{TOY}.signal_region", f"studies.{TOY}.sidebands"),
        study=TOY,
        script=lambda wc, input: str(TOY_DIR / "plot_toy.py"),
        code=_toy_provenance.code_version(TOY_DIR / "plot_toy.py"),
    log:
        "results/logs/plot_toy/T1.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        f"{ENVS}/plot.yaml"
    shell:
        "python {params.script} --config-json {params.config:q} --study {params.study}"
        " --data {input.data} --t1 {output.t1} > {log} 2>&1"
