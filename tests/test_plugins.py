"""Study kinds are plugins: a kind that lives only in tests/plugins/toy (kind.yaml, rules.smk,
its plot script) joins the DAG through one config entry (``study_kinds`` + a study naming its
kind), with no edit anywhere else; the registry rejects what would make two kinds collide."""
import json
import re
import shutil

import pytest
import yaml

from radflow import studies
from radflow.config import ConfigError
from tests.conftest import REPO, snakemake

TOY = REPO / "tests" / "plugins" / "toy"


def toy_config(ci_config, path):
    """The CI config plus the toy kind's folder and one toy study, written to ``path``."""
    cfg = json.loads(json.dumps(ci_config))
    cfg["study_kinds"] = [str(TOY)]
    cfg["studies"]["toy"] = {"kind": "toy", "samples": {"data": "data"},
                             "fit_range": [2600.0, 5000.0], "signal_region": [3300.0, 3700.0],
                             "sidebands": [[2900.0, 3300.0], [3700.0, 4100.0]],
                             "toy": {"bins": 20}}
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_registry_knows_radflows_kinds_and_a_plugin_folder():
    kinds = studies.registry([TOY])
    assert {"salad", "sacwola", "cathode", "cwola_ae", "mass_scan", "toy"} <= set(kinds)
    assert "T1" in studies.catalog(kinds) and studies.catalog(kinds)["T1"]["kind"] == "toy"
    assert "toy" not in studies.registry()


def test_registry_rejects_a_second_kind_of_one_name_and_a_shared_figure_id(tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(TOY, twin)
    with pytest.raises(ConfigError, match="study kind 'toy' defined twice"):
        studies.registry([TOY, twin])
    spec = yaml.safe_load((twin / "kind.yaml").read_text())
    spec["name"] = "twin"
    spec["figures"] = {"A1": spec["figures"]["T1"]}
    (twin / "kind.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(ConfigError, match="figure id A1 claimed by the kinds salad and twin"):
        studies.registry([twin])


def test_plugin_study_is_validated_by_its_kind(ci_config, tmp_path):
    cfg = yaml.safe_load(toy_config(ci_config, tmp_path / "c.yaml").read_text())
    studies.validate(json.loads(json.dumps(cfg)))
    bad = json.loads(json.dumps(cfg))
    bad["studies"]["toy"]["toy"]["bins"] = 1
    with pytest.raises(ConfigError, match=r"studies\.toy\.toy\.bins"):
        studies.validate(bad)
    bad = json.loads(json.dumps(cfg))
    del bad["study_kinds"]
    with pytest.raises(ConfigError, match=r"studies\.toy\.kind.*unknown study kind 'toy'"):
        studies.validate(bad)


def test_dry_run_schedules_the_plugin_rules(ci_config, tmp_path):
    path = toy_config(ci_config, tmp_path / "toy.yaml")
    out = snakemake(tmp_path / "run", "-n", configfile=path).stdout
    assert "rule plot_toy:" in out
    assert "results/figures/T1_toy_mjj.png" in out and "results/toy/regions/data.h5" in out


def test_figures_build_the_plugin_figure_after_the_ci_run(ci_run, ci_config, tmp_path):
    """`make figures` with the toy config in (a copy of) the CI run's directory builds T1 and
    runs only the toy's jobs (its regions and figure) and what lists every figure (captions,
    all)."""
    path = toy_config(ci_config, tmp_path / "toy.yaml")
    work = tmp_path / "run"
    for d in ("results", ".snakemake"):
        shutil.copytree(ci_run.parent / d, work / d, symlinks=True)
    proc = snakemake(work, configfile=path)
    assert (work / "results" / "figures" / "T1_toy_mjj.png").stat().st_size > 0
    # Snakemake prints "rule NAME:" or, for jobs it runs in its own process, "localrule NAME:".
    ran = set(re.findall(r"^(?:local)?rule (\w+):$", proc.stdout + proc.stderr, re.M))
    assert ran == {"regions", "plot_toy", "report_captions", "all"}, ran
