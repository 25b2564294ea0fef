"""Config validation names the offending field, in Python and before any Snakemake job;
config files are overlays merged over config/config.yaml."""
import copy

import numpy as np
import pytest
import yaml

from radflow import config as cfgmod, studies
from tests.conftest import CI_CONFIG, REPO, snakemake

OVERLAYS = ["config.yaml", "ci.yaml", "paper.yaml"]


def set_(path, value):
    def modify(cfg):
        node = cfg
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return modify


BAD = [
    (set_(["studies", "salad", "sidebands"], [[2600.0, 3300.0], [3750.0, 5000.0]]),
     r"studies\.salad\.sidebands\[0\].*overlaps"),
    (set_(["samples", "data", "n_events"], -5), r"samples\.data\.n_events"),
    (set_(["studies", "salad", "samples"], {"data": "data", "sim": "herwig", "signal": "sig_xy"}),
     r"studies\.salad\.samples\.sim.*herwig"),
    (set_(["studies", "salad", "samples"], {"data": "data", "signal": "sig_xy"}),
     r"studies\.salad\.samples.*'sim' is missing"),
    (set_(["studies", "salad", "kind"], "salsa"), r"studies\.salad\.kind.*unknown study kind"),
    (set_(["studies", "salad", "flow"], {"n_blocks": 2}), r"studies\.salad\.flow.*not a key"),
    (set_(["studies", "cathode", "flow", "epochs"], 0), r"studies\.cathode\.flow\.epochs"),
    (set_(["studies", "cwola_ae_500", "autoencoder", "val_events"], 0),
     r"studies\.cwola_ae_500\.autoencoder\.val_events"),
    (set_(["samples", "lhco"], {"source": "lhco_h5", "path": "nowhere/events.h5"}),
     r"samples\.lhco\.path.*nowhere/events.h5"),
    (set_(["samples", "data", "process"], "ttbar"), r"samples\.data\.process"),
    (set_(["studies", "salad", "signal_region"], [3750.0, 3250.0]), r"studies\.salad\.signal_region"),
    (set_(["studies", "sacwola", "sa_cwola"], {"lambdas": [0.25, 0.5], "nominal_lambda": 0.5}),
     r"studies\.sacwola\.sa_cwola\.lambdas.*must contain 0"),
    (set_(["studies", "sacwola", "bump_hunt", "efficiencies"], [0.5, 0.1]),
     r"studies\.sacwola\.bump_hunt\.efficiencies.*1\.0"),
    (set_(["studies", "sacwola", "injection"], {"sb": [0.0], "n_classifiers": 2, "repetitions": 1}),
     r"studies\.sacwola\.injection.*n_signal"),
    (set_(["studies", "sacwola", "injection", "scaling"], "cubic"), r"studies\.sacwola\.injection"),
]


@pytest.mark.parametrize("modify,message", BAD)
def test_bad_config_names_field(small_config, modify, message):
    path, _ = small_config(modify)
    with pytest.raises(cfgmod.ConfigError, match=message):
        studies.load_config(path)


def test_snakemake_rejects_bad_config_before_any_job(tmp_path, small_config):
    path, _ = small_config(BAD[0][0])
    proc = snakemake(tmp_path / "run", "-n", configfile=path, check=False)
    assert proc.returncode != 0
    assert "studies.salad.sidebands[0]" in proc.stdout + proc.stderr
    assert not (tmp_path / "run" / "results").exists()


@pytest.mark.parametrize("name", OVERLAYS)
def test_each_config_merged_passes_the_snakefile_s_checks(name):
    """config/<name> merged over the default passes what the Snakefile runs before any job:
    the schema with its defaults, the binned regions, the semantic checks and each study kind's;
    and studies.load_config (scripts run by hand with --config) accepts it."""
    from snakemake.utils import validate

    cfg = cfgmod.merged([REPO / "config" / name])
    validate(cfg, str(cfgmod.SCHEMA), set_default=True)
    studies.validate(cfg)
    studies.load_config(REPO / "config" / name)


@pytest.mark.parametrize("name", ["ci.yaml", "paper.yaml"])
def test_overlays_hold_only_what_they_change(name):
    """ci.yaml and paper.yaml are the smallest overlays of their configs: nothing in them
    repeats config/config.yaml."""
    path = REPO / "config" / name
    assert cfgmod.overlay(cfgmod.read(cfgmod.DEFAULT), cfgmod.merged([path])) == cfgmod.read(path)


def _leaves(node, pre=()):
    if isinstance(node, dict):
        return {k: v for key, sub in node.items() for k, v in _leaves(sub, pre + (key,)).items()}
    return {pre: node}


def test_overlay_changes_exactly_what_it_names(tmp_path):
    """A leaf of an overlay changes that leaf, a list replaces the list, a null removes the
    key; everything else is the default's."""
    default = cfgmod.read(cfgmod.DEFAULT)
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump({"studies": {
        "salad": {"alpha": 0.3, "injection": {"sb": [0.0, 0.1]}},
        "cathode_shift": None,
        "mass_scan": {"scan": {"windows": {"centres": None, "step": 2}}}}}))
    before, after = _leaves(default), _leaves(cfgmod.merged([path]))
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed == {("studies", "salad", "alpha"), ("studies", "salad", "injection", "sb")}
    assert after[("studies", "salad", "injection", "sb")] == [0.0, 0.1]
    assert {k for k in after if k not in before} == {("studies", "mass_scan", "scan", "windows",
                                                      "step")}
    removed = {k for k in before if k not in after}
    assert removed == {k for k in before if k[:2] == ("studies", "cathode_shift")} | {
        ("studies", "mass_scan", "scan", "windows", "centres")}


def test_merge_is_snakemake_s_and_shares_no_mapping():
    """cfgmod.merge merges as Snakemake merges --configfiles (snakemake.utils.update_config),
    and the mappings YAML anchors share (cathode_shift: <<: *cathode) are separate in the
    merged config."""
    from snakemake.utils import update_config

    default = cfgmod.read(cfgmod.DEFAULT)
    for name in ("ci.yaml", "paper.yaml"):
        overlay = cfgmod.read(REPO / "config" / name)
        expected = copy.deepcopy(default)
        update_config(expected, copy.deepcopy(overlay))
        assert cfgmod.merge(default, overlay) == expected
    sts = cfgmod.merged([CI_CONFIG])["studies"]
    assert sts["cathode"]["flow"] == sts["cathode_shift"]["flow"]
    sts["cathode"]["flow"]["epochs"] += 1
    assert sts["cathode"]["flow"] != sts["cathode_shift"]["flow"]


def test_overlay_of_a_config_merges_back_to_it(ci_config):
    """cfgmod.overlay writes what a config changes relative to the default, with null for
    the keys it lacks: merged over the default it is that config again."""
    default = cfgmod.read(cfgmod.DEFAULT)
    cfg = copy.deepcopy(ci_config)
    del cfg["studies"]["cwola_ae_300"], cfg["studies"]["sacwola"]["sa_cwola"]["forms"]
    ovl = cfgmod.overlay(default, cfg)
    assert ovl["studies"]["cwola_ae_300"] is None
    assert ovl["studies"]["sacwola"]["sa_cwola"]["forms"] is None
    assert cfgmod.drop_nulls(cfgmod.merge(default, ovl)) == cfg


def test_snakemake_merges_configfiles_over_the_default_and_overrides_on_top(tmp_path):
    """`snakemake -n`: config/ci.yaml, then an overlay that removes a study (null) and
    changes one training setting, then --config seed=7, all over config/config.yaml."""
    extra = tmp_path / "extra.yaml"
    extra.write_text("studies:\n  cathode_shift: null\ntraining: {epochs: 4}\n")
    proc = snakemake(tmp_path / "run", "-n", "-p", "--config", "seed=7",
                     configfile=[CI_CONFIG, extra])
    out = proc.stdout + proc.stderr
    commands = [line for line in out.splitlines() if "--config-json" in line]
    assert commands and "cathode_shift" not in out
    training = [c for c in commands if '"training":' in c]
    assert training and all('"training":{"batch_size":128,"epochs":4,"n_init":2,"patience":3}'
                            in c for c in training)
    seeded = [c for c in commands if '"seed":' in c]
    assert seeded and all('"seed":7' in c for c in seeded)
    generate = [c for c in commands if "generate.py" in c and "--sample data " in c]
    assert generate and all('"n_chunks":2,"n_events":5000' in c for c in generate)


def test_binned_study_gets_the_papers_regions_and_rejects_disagreeing_windows():
    """studies.cwola_ae_500 declares only its log binning; validation derives the paper's SR and
    sidebands, and explicit windows that disagree with the binning name the field."""
    cfg = studies.load_config()
    st = cfg["studies"]["cwola_ae_500"]
    assert np.round(st["signal_region"]).tolist() == [3371.0, 3661.0]
    assert np.round(st["sidebands"]).tolist() == [[3169.0, 3371.0], [3661.0, 3895.0]]
    studies.validate(cfg)                                   # idempotent
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["signal_region"] = [3300.0, 3700.0]
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.signal_region.*binning"):
        studies.validate(bad)
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["sidebands"] = [[3169.0, 3371.0]]
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.sidebands.*binning"):
        studies.validate(bad)
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["binning"]["mass_hypothesis"] = 2900.0
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.binning.*outside"):
        del bad["studies"]["cwola_ae_500"]["signal_region"], bad["studies"]["cwola_ae_500"]["sidebands"]
        studies.validate(bad)


def test_cwola_ae_studies_share_one_autoencoder_and_need_their_keys():
    """The background-only autoencoder serves every CWoLa-vs-AE study, so their autoencoder
    settings must agree; a study without its nested k-fold settings or its S = 0 benchmark is
    rejected naming the field."""
    cfg = studies.load_config()
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["autoencoder"] = dict(cfg["studies"]["cwola_ae_500"]["autoencoder"],
                                                         latent=3)
    # The reference is the first study by name (the one whose settings the rules use).
    with pytest.raises(cfgmod.ConfigError,
                       match=r"studies\.cwola_ae_500\.autoencoder.*differs from studies\.cwola_ae_300"):
        studies.validate(bad)
    bad = copy.deepcopy(cfg)
    del bad["studies"]["cwola_ae_500"]["cuts"]
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.cuts.*required"):
        studies.validate(bad)
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["injection"]["sb"] = [1e-3, 2e-3]
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.injection\.sb.*S = 0"):
        studies.validate(bad)
    bad = copy.deepcopy(cfg)
    bad["studies"]["cwola_ae_500"]["samples"]["signal"] = "sig_nowhere"
    with pytest.raises(cfgmod.ConfigError, match=r"studies\.cwola_ae_500\.samples\.signal.*sig_nowhere"):
        studies.validate(bad)


def test_yaml_files_load_as_pyyaml_s_safe_loader_reads_them(tmp_path):
    """radflow.config.load_yaml (libyaml's parser where PyYAML has it) gives every YAML file
    of the repository as PyYAML's pure-Python SafeLoader does, types included, and like it
    refuses a Python tag."""
    files = [p for p in REPO.rglob("*.yaml") if not {".venv", "results", ".snakemake"} & set(
        p.relative_to(REPO).parts)]
    assert len(files) >= 15
    for path in files:
        fast, plain = cfgmod.load_yaml(path), yaml.load(path.read_text(), Loader=yaml.SafeLoader)
        assert fast == plain and repr(fast) == repr(plain), path
    bad = tmp_path / "python_tag.yaml"
    bad.write_text("x: !!python/object:os.system {}\n")
    with pytest.raises(yaml.YAMLError, match="python/object"):
        cfgmod.load_yaml(bad)
