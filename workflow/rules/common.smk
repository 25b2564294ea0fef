# Helpers shared by the rule files.

# The injection without signal (S/B = 0): its DCTR serves A4-A7 and its scan A9.
NO_SIGNAL = "sb0_rep0"
# The background-only run of a fixed-count injection study (B5, B7, residual correction).
BACKGROUND_ONLY = "nsig0_rep0"


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


def injections(study):
    """Injection labels of a study: S/B x repetitions ('sb0.01_rep0') or the signal count at
    reference statistics x repetitions plus the background-only run ('nsig1500_rep0',
    'nsig0_rep0')."""
    inj = STUDIES[study]["injection"]
    if "sb" in inj:
        return [f"sb{sb:g}_rep{r}" for sb in inj["sb"] for r in range(inj["repetitions"])]
    return [f"nsig{inj['n_signal']}_rep{r}" for r in range(inj["repetitions"])] + [BACKGROUND_ONLY]


def signal_injection(study):
    """The (first) signal injection of a fixed-count study, e.g. 'nsig1500_rep0'."""
    return injections(study)[0]


def study_inputs(name):
    """Feature and region files of a sample in the {study} wildcard's study."""
    return [f"results/features/{name}.h5", f"results/{{study}}/regions/{name}.h5"]
