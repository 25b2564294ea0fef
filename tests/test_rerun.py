"""Rerun promise: a change reruns exactly the jobs it touches. Dry runs (`snakemake -n`)
on the state the CI-sized run left behind, in a copy of the checkout (so the test can
edit code and config without touching the repository)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from radflow import config as cfgmod
from tests.conftest import CI_CONFIG, REPO

TRAINING = {"train_supervised", "dctr", "dctr_closure", "salad_lines", "sacwola_train",
            "cathode_train"}
# Trainings of the CWoLa-vs-autoencoder study (their settings are per study, not `training`).
CWOLA_AE_TRAINING = {"cwola_hunting", "autoencoder", "ae_model_selection"}
CWOLA_AE_AFTER = {"cwola_ae_fits", "cwola_ae_summary", "plot_cwola_ae", "plot_ae_selection", "all",
                  "report_captions"}
# Every job downstream of a training (figures, fits, summaries) and the target rule.
AFTER_TRAINING = {"plot_supervised", "plot_dctr", "salad_summary", "plot_salad_sensitivity",
                  "sacwola_bump_hunt", "sacwola_summary", "plot_sacwola_features", "plot_sacwola_classifiers",
                  "plot_background_fit", "plot_significance", "cathode_summary", "plot_anode",
                  "plot_cathode", "all", "report_captions"}
CATHODE_AFTER_FLOWS = {"cathode_train", "cathode_summary", "plot_anode", "plot_cathode", "all",
                       "report_captions"}
PLOTS = {"plot_features", "plot_supervised", "plot_dctr", "plot_salad_sensitivity",
         "plot_sacwola_features", "plot_sacwola_classifiers", "plot_background_fit",
         "plot_significance", "plot_anode", "plot_cathode", "plot_cwola_ae", "plot_ae_selection",
         "plot_mass_scan", "plot_complementarity", "all", "report_captions"}
# The complementarity study: its generators (flows, DCTR), classifiers and what follows.
COMPLEMENTARITY = {"complementarity_synthetic", "complementarity_classify",
                   "complementarity_multiclass", "complementarity_summary", "plot_complementarity"}
# The mass scan (the CI config's studies.mass_scan.scan) and its figures.
SCAN = {"mass_scan_observed", "mass_scan_toys", "mass_scan_summary", "plot_mass_scan"}


@pytest.fixture(scope="module")
def moved(ci_run, tmp_path_factory):
    """A moved checkout: workflow, code and config copied to a new directory together with
    the CI run's results and Snakemake metadata (mtimes kept); config/config.yaml is the
    CI run's merged config (config/ci.yaml over the default), so a bare `snakemake` there
    means the CI run's config."""
    root = tmp_path_factory.mktemp("moved") / "radflow"
    for d in ("workflow", "scripts", "radflow", "config", "docs"):
        shutil.copytree(REPO / d, root / d, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "config" / "config.yaml").write_text(
        yaml.safe_dump(cfgmod.merged([CI_CONFIG]), sort_keys=False))
    for d in ("results", ".snakemake"):
        shutil.copytree(ci_run.parent / d, root / d, symlinks=True)
    return root


def dry_run(root, *args):
    """{rule: job count} that `snakemake -n -p` schedules in ``root`` (empty: nothing to do),
    and the printed output."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "-p", "--cores", "2", *args],
                          cwd=root, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    if "Nothing to be done" in out:
        return {}, out
    table = out[out.index("Job stats:"):]
    table = table[:table.index("total")]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}, out


def edited_config(root, name, modify):
    cfg = yaml.safe_load((root / "config" / "config.yaml").read_text())
    modify(cfg)
    path = root / "config" / name
    path.write_text(yaml.safe_dump(cfg))
    return str(path.relative_to(root))


def test_moved_checkout_and_bare_snakemake_schedule_nothing(moved):
    jobs, out = dry_run(moved)
    assert jobs == {}, out[-2000:]
    jobs, out = dry_run(moved, "--configfile", "config/config.yaml")
    assert jobs == {}, out[-2000:]


def test_training_epochs_rerun_trainings_and_descendants_only(moved):
    path = edited_config(moved, "epochs.yaml", lambda c: c["training"].update(epochs=6))
    jobs, _ = dry_run(moved, "--configfile", path)
    assert set(jobs) == TRAINING | AFTER_TRAINING


def test_plot_option_reruns_that_plot_only(moved):
    path = edited_config(moved, "plots.yaml", lambda c: c["plots"]["mjj"].update(bins=30))
    jobs, _ = dry_run(moved, "--configfile", path)
    assert set(jobs) == {"plot_features", "all", "report_captions"}


def test_seed_override_reaches_the_jobs_and_reruns_generation(moved, ci_config):
    cfg = ci_config
    used = {s for study in cfg["studies"].values() for s in study["samples"].values()}
    jobs, out = dry_run(moved, "--config", "seed=7")
    # Every chunk of every sample the studies use.
    assert jobs["generate"] == sum(cfg["samples"][s]["n_chunks"] for s in used)
    commands = [line for line in out.splitlines() if "--config-json" in line]
    seeded = [c for c in commands if '"seed":' in c]
    assert seeded and all('"seed":7' in c for c in seeded)


def test_sacwola_alpha_reruns_that_study_only(moved, ci_config):
    path = edited_config(moved, "alpha.yaml", lambda c: c["studies"]["sacwola"].update(alpha=0.2))
    jobs, out = dry_run(moved, "--configfile", path)
    assert "generate" not in jobs and "features" not in jobs and "salad_lines" not in jobs
    n_samples = len(ci_config["studies"]["sacwola"]["samples"])
    outputs = [line for line in out.splitlines() if line.strip().startswith("output:")]
    assert jobs["regions"] == n_samples and any("results/sacwola/regions" in o for o in outputs)
    assert not any("results/salad/" in o for o in outputs)


def test_flow_epochs_rerun_that_study_s_flows_and_descendants_only(moved):
    path = edited_config(moved, "flow.yaml", lambda c: c["studies"]["cathode"].update(
        flow=dict(c["studies"]["cathode"]["flow"], epochs=3)))
    jobs, out = dry_run(moved, "--configfile", path)
    assert set(jobs) == {"cathode_flows"} | CATHODE_AFTER_FLOWS
    outputs = [line for line in out.splitlines() if line.strip().startswith("output:")]
    assert not any("results/cathode_shift/" in o for o in outputs)


def test_nested_kfold_epochs_rerun_that_study_s_cwola_hunting_only(moved, ci_config):
    path = edited_config(moved, "cwola.yaml", lambda c: c["studies"]["cwola_ae_500"].update(
        cwola_hunting=dict(c["studies"]["cwola_ae_500"]["cwola_hunting"], epochs=2)))
    jobs, out = dry_run(moved, "--configfile", path)
    st = ci_config["studies"]["cwola_ae_500"]
    reps = st["injection"]["repetitions"]
    parts = -(-len(st["injection"]["sb"]) // st["cwola_hunting"]["benchmarks_per_job"])
    assert jobs == {"cwola_hunting": reps * parts, "cwola_ae_fits": reps, "cwola_ae_summary": 1,
                    "plot_cwola_ae": 1, "plot_ae_selection": 1, "all": 1, "report_captions": 1}
    outputs = [line for line in out.splitlines() if line.strip().startswith("output:")]
    assert not any("results/cwola_ae_300/" in o for o in outputs)


def test_autoencoder_val_events_rerun_the_runs_autoencoders_not_the_model_selection(
        moved, ci_config):
    """The model selection trains with its own member count, subsample and validation
    events: a change of the runs' autoencoder.val_events reruns the runs' ensembles and what
    reads them only."""
    def edit(c):
        for name in ("cwola_ae_500", "cwola_ae_300"):
            c["studies"][name]["autoencoder"] = dict(c["studies"][name]["autoencoder"],
                                                     val_events=400)
    jobs, _ = dry_run(moved, "--configfile", edited_config(moved, "ae.yaml", edit))
    reps = ci_config["studies"]["cwola_ae_500"]["injection"]["repetitions"]
    assert jobs == {"autoencoder": reps, "cwola_ae_fits": 2 * reps, "cwola_ae_summary": 1,
                    "plot_cwola_ae": 1, "plot_ae_selection": 1, "all": 1, "report_captions": 1}


def test_code_edit_reruns_the_jobs_that_run_it(moved):
    plotting = moved / "radflow" / "plotting.py"
    ensemble = moved / "radflow" / "ml" / "ensemble.py"
    original = {p: p.read_text() for p in (plotting, ensemble)}
    try:
        plotting.write_text(original[plotting] + "\n# edited\n")
        jobs, _ = dry_run(moved)
        assert set(jobs) == PLOTS
        plotting.write_text(original[plotting])
        ensemble.write_text(original[ensemble] + "\n# edited\n")
        jobs, _ = dry_run(moved)
        # The flows share the ensembles' per-member minibatches and optimizer.
        assert set(jobs) == (TRAINING | AFTER_TRAINING | {"data_vs_sim", "cathode_flows"}
                             | CWOLA_AE_TRAINING | CWOLA_AE_AFTER | SCAN | COMPLEMENTARITY)
    finally:
        for p, text in original.items():
            p.write_text(text)
    assert dry_run(moved)[0] == {}


def test_one_method_s_setting_reruns_that_method_s_samples_and_descendants_only(moved):
    path = edited_config(moved, "feta.yaml", lambda c: c["studies"]["complementarity"]["feta"].update(
        oversampling=3))
    jobs, out = dry_run(moved, "--configfile", path)
    assert set(jobs) == {"complementarity_synthetic", "complementarity_classify",
                         "complementarity_multiclass", "complementarity_summary",
                         "plot_complementarity", "report_captions", "all"}
    synthetic = [line for line in out.splitlines() if "output:" in line and "/synthetic/" in line]
    assert synthetic and all("_feta." in line for line in synthetic)
