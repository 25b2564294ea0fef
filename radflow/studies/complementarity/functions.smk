# Study list, methods, targets and input functions of the complementarity rules (rules.smk
# includes this file).

#: The complementarity studies (usually one), sorted.
COMPLEMENTARITY = kind_studies("complementarity")
#: Methods that need the study's simulation sample.
NEEDS_SIM = ("salad", "feta")


def comp_methods(study):
    """The configured methods of ``study`` that can run: SALAD and FETA need a sim sample;
    without one they are skipped (said once when the workflow is read)."""
    st = STUDIES[study]
    return [m for m in st["methods"] if m not in NEEDS_SIM or "sim" in st["samples"]]


for _s in COMPLEMENTARITY:
    for _m in sorted(set(STUDIES[_s]["methods"]) - set(comp_methods(_s))):
        print(f"complementarity study {_s}: method {_m} skipped: it needs the simulation sample "
              f"(studies.{_s}.samples.sim), which this config does not map", file=sys.stderr)


def comp_variants(study, injection):
    """Classifier variants of one injection: every configured kind, plus '<kind>_noise' at
    the robustness signal count."""
    st = STUDIES[study]
    kinds = st["classifier"]["kinds"]
    rob = st.get("robustness")
    noisy = rob is not None and injection.startswith(f"nsig{rob['n_signal']}_")
    return kinds + ([f"{k}_noise" for k in kinds] if noisy else [])


def comp_run_parts(study):
    """The classifier runs of each classify job of an injection and variant: consecutive
    groups of classifier.runs_per_job (radflow.jobs.job_parts)."""
    from radflow.jobs import job_parts

    clf = STUDIES[study]["classifier"]
    return job_parts(clf["runs"], clf.get("runs_per_job"))


def comp_scores(study):
    """Every scores file of ``study``: injections x classifier variants x run parts."""
    parts = range(len(comp_run_parts(study)))
    return [f"results/{study}/scores/{inj}_{v}_part{p}.h5" for inj in injections(study)
            for v in comp_variants(study, inj) for p in parts]


def comp_runs_arg(wildcards):
    """The --runs argument of a classify job: its part's runs, FIRST:STOP."""
    part = comp_run_parts(wildcards.study)[int(wildcards.part)]
    return f"--runs {part.start}:{part.stop}"


def comp_synthetic(study, injection_names):
    return [f"results/{study}/synthetic/{inj}_{m}.h5" for inj in injection_names
            for m in comp_methods(study)]


def comp_multiclass(study):
    return [f"results/{study}/multiclass/{inj}.json"
            for inj in background_only_injections(study)]


#: The study's figures (kind.yaml), all drawn by one rule.
COMPLEMENTARITY_FIGURES = ("D2", "D3", "D5", "D6", "D7", "D8", "D9", "D10", "D11", "D12", "D13",
                           "D14")


def comp_targets():
    return [f"results/{s}/summary.json" for s in COMPLEMENTARITY] + (
        figs(*COMPLEMENTARITY_FIGURES) if COMPLEMENTARITY else [])


KIND_TARGETS["complementarity"] = comp_targets


def comp_method_cfg(wildcards):
    """Params value of a synthetic job: the config it reads, its method's block only."""
    keys = ["seed", *(f"studies.{wildcards.study}.{k}" for k in
                      ("features", "signal_region", "sidebands", "generators"))]
    if wildcards.method in STUDIES[wildcards.study]:
        keys.append(f"studies.{wildcards.study}.{wildcards.method}")
    return cfg(*keys)(wildcards)


def comp_synthetic_inputs(wildcards):
    """The sample files a synthetic job reads: data, signal, and sim for SALAD and FETA."""
    roles = ["data", "signal"] + (["sim"] if wildcards.method in NEEDS_SIM else [])
    return {r: study_sample_inputs(wildcards.study, r) for r in roles}


def comp_sim_args(wildcards, input):
    return f"--sim {input.sim[0]} {input.sim[1]}" if "sim" in input.keys() else ""


def comp_classify_cfg(wildcards):
    """Params value of a classify job: the config its variant reads (nn: the network's
    schedule; hgb: the tree settings; '_noise' variants also the noise features)."""
    kind, noisy = wildcards.variant.split("_")[0], wildcards.variant.endswith("_noise")
    own = (("epochs", "patience", "batch_size", "learning_rate") if kind == "nn" else ("hgb",))
    keys = ["features", *(f"classifier.{k}" for k in ("folds", "runs", "ensemble", *own))]
    if noisy:
        keys.append("robustness.noise_features")
    return study_cfg(*keys)(wildcards)
