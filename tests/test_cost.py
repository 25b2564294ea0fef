"""The cost model (radflow/cost.py): the fit recovers known coefficients, sizes follow the
config, the CI run's benchmark files lie within a factor 2 of the model, every job of the
paper config gets its request from the model, and a node limit below a request stops the
DAG naming the rule."""
import re
from collections import defaultdict

import numpy as np
import pytest

from radflow import cost, studies, timing, workflow_dag
from tests.conftest import CI_CONFIG, REPO
from scripts import fit_costs

PAPER_CONFIG = REPO / "config" / "paper.yaml"


def test_fit_recovers_known_coefficients():
    """Rows at two scales of cpu = 3 + 2e-4 work and rss = 600 + 1e-3 held (two models, the
    second with a constant cost) give those coefficients back."""
    by_model = defaultdict(list)
    for scale, events in enumerate((1e4, 8e4)):
        for epochs in (5, 20):
            work, held = events * epochs, events * 3
            by_model["train"].append((scale, work, held, 3 + 2e-4 * work, 600 + 1e-3 * held))
        by_model["plot"].append((scale, 0.0, 0.0, 2.5, 150.0))
    models = fit_costs.fit_models(by_model)
    assert models["train"]["runtime_s"] == pytest.approx([3, 2e-4], rel=1e-4)
    assert models["train"]["mem_mb"] == pytest.approx([600, 1e-3], rel=1e-4)
    assert (models["train"]["jobs"], models["train"]["scales"]) == (4, 2)
    assert models["plot"]["runtime_s"] == pytest.approx([2.5, 0], abs=1e-6)
    assert models["plot"]["mem_mb"] == pytest.approx([150, 0], abs=1e-4)


def test_models_shared_and_split():
    """Both mass-scan rules use one model; the common classifier's nn and hgb jobs
    (with or without noise features) two; generation one per sample, else the pooled one;
    any other rule its own."""
    assert cost.models("mass_scan_toys", {"study": "s", "block": "toys3"}) == ["mass_scan"]
    assert cost.models("mass_scan_observed", {"study": "s"}) == ["mass_scan"]
    assert cost.models("complementarity_classify", {"variant": "hgb_noise"}) == ["complementarity_classify:hgb"]
    assert cost.models("complementarity_classify", {"variant": "nn"}) == ["complementarity_classify:nn"]
    assert cost.models("generate", {"sample": "sim", "chunk": "0"}) == ["generate:sim", "generate"]
    assert cost.models("dctr", {"study": "salad"}) == ["dctr"]


def test_request_applies_the_margin_and_the_node_limit():
    """generate of a 100k-event sample in 10 chunks: work = held = 10k events; with
    runtime_s [60, 0.03] and mem_mb [200, 0.05] the fit is 360 s = 6 min and 700 MB, the
    request 2 x 6 = 12 min and 1.5 x 700 + 500 = 1550 MB; a 1500 MB node is too small."""
    coef = {"margin": {"runtime_factor": 2.0, "runtime_floor_min": 5, "mem_factor": 1.5, "mem_floor_mb": 500},
            "models": {"generate": {"runtime_s": [60.0, 0.03], "mem_mb": [200.0, 0.05]}}}
    config = {"samples": {"sig": {"n_events": 100_000, "n_chunks": 10}}, "cluster": {"node_mem_mb": 2000}}
    wildcards = {"sample": "sig", "chunk": "3"}
    assert cost.size("generate", wildcards, config) == (10_000, 10_000)
    assert cost.predict("generate", wildcards, config, coef=coef) == cost.Cost(6.0, 700.0)
    assert cost.request("generate", wildcards, config, coef=coef) == cost.Cost(12, 1550)
    config["cluster"]["node_mem_mb"] = 1500
    with pytest.raises(cost.CostError, match=r"rule generate \[sample=sig,chunk=3\].*1550 MB.*"
                                             r"cluster.node_mem_mb = 1500"):
        cost.request("generate", wildcards, config, coef=coef)


def test_every_sized_model_was_fitted_at_two_scales():
    """The models of the rules with a size function were fitted to runs at two scales."""
    models = cost.coefficients()["models"]
    for rule in cost.SIZES:
        wildcards = {"variant": "nn"} if rule == "complementarity_classify" else {}
        wildcards["sample"] = "data"
        assert models[cost.models(rule, wildcards)[0]]["scales"] >= 2, rule


def test_paper_config_jobs_all_get_a_request(tmp_path):
    """The dry-run DAG of config/paper.yaml (on a node with room for every job): each job's
    runtime and mem_mb are the model's request for it, for every rule of the workflow."""
    big = tmp_path / "big_node.yaml"
    big.write_text("cluster: {node_mem_mb: 1000000}\n")
    jobs = workflow_dag.snakemake_dag([PAPER_CONFIG, big], 1, workdir=tmp_path)
    config = studies.load_config(PAPER_CONFIG, big)
    for j in jobs:
        req = cost.request(j.rule, j.wildcards, config, j.threads)
        assert (j.runtime_min, j.mem_mb) == (req.runtime_min, req.mem_mb), j.name
    assert {cost.models(j.rule, j.wildcards)[-1] for j in jobs} <= set(cost.coefficients()["models"])
    assert {j.rule for j in jobs} >= set(cost.SIZES)


def test_node_limit_below_a_request_stops_the_dry_run(tmp_path):
    """A node of 1000 MB is below every training job's request: building the CI DAG (what a
    dry run does before anything is submitted) fails naming a rule and the config field."""
    small = tmp_path / "small_node.yaml"
    small.write_text("cluster: {node_mem_mb: 1000}\n")
    with pytest.raises(Exception) as err:
        workflow_dag.snakemake_dag([CI_CONFIG, small], 1, workdir=tmp_path)
    assert re.search(r"rule (\w+) \[.*\]: predicted peak memory \d+ MB \(with margin\) exceeds config "
                     r"field cluster.node_mem_mb = 1000 MB", str(err.value)), str(err.value)


#: Snakemake samples a job's CPU time every 0.5 s over its first 15 s of wall time, then
#: every 30 s: a longer job's CPU time is extrapolated from its last sample
#: (radflow.timing.whole_job_cpu_s, at most its true value at a constant rate), its wall
#: time x threads an upper bound.
EXACT_CPU_WALL_S = timing.FIRST_SAMPLES_S
#: Jobs of less CPU time than this, on average, are below the benchmark's sampling: their
#: CPU time reads 0 in one run (all 96 inject rows the model was fitted to) and 0.25 s in the
#: next (the same 21 CI inject jobs), so their rule's model is not checked.
MIN_SAMPLED_CPU_S = 1.0


def test_ci_run_benchmarks_within_a_factor_2_of_the_model(ci_run, tmp_path):
    """Per rule of the CI run with at least 5 s of CPU time (and 1 s a job,
    :data:`MIN_SAMPLED_CPU_S`): its summed CPU time within a
    factor 2 of the fitted model times the run's machine speed (for jobs longer than the
    exact sampling, the interval from their extrapolated CPU time to their wall time x
    threads must meet that range), and for each job of at least 100 MB its max_rss within a
    factor 2. The machine speed is the median over those rules of measured / predicted CPU time,
    within a factor 3 of 1: CPU seconds of the same jobs differ between machines (and on a
    shared VM within an hour) by a factor largely common to all rules, while a rule whose model is
    wrong stands out from the others."""
    jobs = workflow_dag.snakemake_dag([CI_CONFIG], 1, workdir=tmp_path)
    config = studies.load_config(CI_CONFIG)
    bench = timing.load_benchmarks(jobs, ci_run.parent)
    low, high, predicted = defaultdict(float), defaultdict(float), defaultdict(float)
    n_jobs = defaultdict(int)
    for j in jobs:
        if j.name not in bench:
            continue
        b = bench[j.name]
        n_jobs[j.rule] += 1
        p = cost.predict(j.rule, j.wildcards, config, j.threads)
        cpu = timing.whole_job_cpu_s(b)
        low[j.rule] += cpu
        high[j.rule] += cpu if b.wall_s <= EXACT_CPU_WALL_S else max(cpu, b.wall_s * j.threads)
        predicted[j.rule] += p.runtime_min * 60
        if b.max_rss_mb >= 100:
            assert 0.5 <= p.mem_mb / b.max_rss_mb <= 2, (j.name, p.mem_mb, b)
    checked = [rule for rule, measured in low.items()
               if measured >= 5 and measured / n_jobs[rule] >= MIN_SAMPLED_CPU_S]
    assert len(checked) >= 10, checked
    speed = float(np.median([low[rule] / predicted[rule] for rule in checked]))
    assert 1 / 3 <= speed <= 3, speed
    for rule in checked:
        expected = speed * predicted[rule]
        assert low[rule] <= 2 * expected and high[rule] >= 0.5 * expected, \
            (rule, predicted[rule], speed, low[rule], high[rule])
