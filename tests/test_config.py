"""Config validation names the offending field, in Python and before any Snakemake job."""
import numpy as np
import pytest

from radflow import config as cfgmod, studies
from tests.conftest import REPO, snakemake


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


def test_default_and_paper_configs_valid():
    for name in ("config.yaml", "paper.yaml", "ci.yaml"):
        studies.load_config(cfgmod.REPO / "config" / name)


def test_binned_study_gets_the_papers_regions_and_rejects_disagreeing_windows():
    """studies.cwola_ae_500 declares only its log binning; validation derives the paper's SR and
    sidebands, and explicit windows that disagree with the binning name the field."""
    import copy

    cfg = studies.load_config(REPO / "config" / "config.yaml")
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
    import copy

    cfg = studies.load_config(REPO / "config" / "config.yaml")
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
