# Study list, targets and input functions of the cwola_ae rules (rules.smk includes this file).

#: The CWoLa-vs-autoencoder studies (one per 3-prong signal), sorted by name.
CWOLA_AE = kind_studies("cwola_ae")
#: The reference study (first by name, so that the order of the config's keys changes
#: nothing): its autoencoder settings, fit range and binning are every such study's (checked
#: on load), so the background-only autoencoder and its model selection run once for all
#: signals. None without a study of the kind.
CWOLA_AE_FIRST = (CWOLA_AE or [None])[0]


def cwola_ae_targets():
    if not CWOLA_AE:
        return []
    return ["results/cwola_ae/summary.json", *figs(*E_FIGURES), *figs(*E_SELECTION)]


KIND_TARGETS["cwola_ae"] = cwola_ae_targets


def cwola_ae_runs(what, ext):
    """Per-run outputs (``what``: inject, fits) of every CWoLa-vs-autoencoder study."""
    return [f"results/{study}/{what}/run{r}.{ext}" for study in CWOLA_AE
            for r in range(STUDIES[study]["injection"]["repetitions"])]


def cwola_ae_run0(what, ext):
    """Run 0 outputs of every CWoLa-vs-autoencoder study (the single-run figures)."""
    return [f"results/{study}/{what}/run0.{ext}" for study in CWOLA_AE]


def cwola_parts(study):
    """The S/B benchmarks (ranges of indices) of each CWoLa Hunting training job of a run of
    ``study`` (its cwola_hunting.benchmarks_per_job)."""
    from radflow.methods.cwola_hunting import run_parts

    return run_parts(STUDIES[study])


def cwola_scores(study, run):
    """The CWoLa Hunting score files of one run: one per training job (cwola_parts)."""
    return [f"results/{study}/cwola/run{run}_part{p}.h5" for p in range(len(cwola_parts(study)))]


def cwola_benchmarks(wildcards):
    """--benchmarks FIRST:STOP of one CWoLa Hunting training job."""
    part = cwola_parts(wildcards.study)[int(wildcards.part)]
    return f"--benchmarks {part.start}:{part.stop}"


def all_signal_args(wildcards, input):
    """--signal NAME FEATURES REGIONS for every CWoLa-vs-autoencoder study's signal."""
    return " ".join(f"--signal {sample_of(s, 'signal')} {f} {r}"
                    for s, f, r in zip(CWOLA_AE, input.signal_features, input.signal_regions))


def ae_inputs(wildcards):
    """Inputs of the shared autoencoder: the reference study's data, every study's signal
    and, per run, the reference study's run (its data draw, which every study of the kind
    shares: radflow.inject.background_seed)."""
    out = dict(data=study_sample_inputs(CWOLA_AE_FIRST, "data"),
               signal_features=[study_sample_inputs(s, "signal")[0] for s in CWOLA_AE],
               signal_regions=[study_sample_inputs(s, "signal")[1] for s in CWOLA_AE])
    if "run" in wildcards.keys():
        out["injection"] = f"results/{CWOLA_AE_FIRST}/inject/run{wildcards.run}.h5"
    return out


#: Figure ids of the run-0 figures (E1-E11) and of the model selection (E14-E17).
E_FIGURES = ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11")
E_SELECTION = ("E14", "E15", "E16", "E17")
