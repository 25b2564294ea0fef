# Helpers shared by the rule files.


def fig(fid, name):
    """Output pair (PDF, PNG) of a figure, named by its catalog id (../shared/DESIGN.md)."""
    return [f"results/figures/{fid}_{name}.pdf", f"results/figures/{fid}_{name}.png"]


def script_path(name):
    """Absolute path of scripts/<name>.py, so jobs run from any working directory."""
    return str(Path(workflow.basedir).parent / "scripts" / f"{name}.py")


def feature_inputs(wildcards):
    """Inputs of the features rule: a generated sample's chunks, or the external file."""
    s = SAMPLES[wildcards.sample]
    if s["source"] == "generate":
        return expand("results/events/{sample}/chunk{chunk}.root", sample=wildcards.sample,
                      chunk=cfgmod.generated_chunks(config, wildcards.sample))
    return [s["path"]]
