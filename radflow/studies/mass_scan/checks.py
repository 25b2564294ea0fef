"""Config checks of a mass-hypothesis scan (beyond its kind.yaml schema): the study's nominal
fixed-count injection, a sim sample for SA-CWoLa, an extra background sample for the
reference experiments, at least 2 windows inside the fit range and
a dijet fit with degrees of freedom."""
from radflow.config import ConfigError
from radflow.stats import fit as stats
from radflow.regions import study_scan_windows


def check(pre: str, st: dict, config: dict) -> None:
    sc = st["scan"]
    if st["injection"]["repetitions"] != 1:
        raise ConfigError(f"config field '{pre}.injection.repetitions': {pre}.scan runs on one "
                          "repetition (the nominal injection; its spread comes from the "
                          "pseudo-experiments), so it must be 1")
    if not isinstance(st["injection"].get("n_signal"), int):
        raise ConfigError(f"config field '{pre}.injection.n_signal': {pre}.scan injects one "
                          "fixed signal count (the study's nominal injection)")
    if "sa_cwola" in sc["methods"] and "sim" not in st["samples"]:
        raise ConfigError(f"config field '{pre}.samples': {pre}.scan (methods "
                          f"{sc['methods']}) needs the sample role 'sim'")
    if sc["reference_experiments"] > 0 and "extra" not in st["samples"]:
        raise ConfigError(f"config field '{pre}.samples': {pre}.scan.reference_experiments = "
                          f"{sc['reference_experiments']} needs the sample role 'extra' (a "
                          "background sample the pseudo-experiments do not use), or set it to 0")
    if "extra" in st["samples"] and st["samples"]["extra"] == st["samples"]["data"]:
        raise ConfigError(f"config field '{pre}.samples': the role 'extra' "
                          f"({st['samples']['extra']}) must be another sample than 'data'")
    w = sc["windows"]
    try:
        wins = study_scan_windows(st)
    except ValueError as err:
        raise ConfigError(f"config field '{pre}.scan.windows': {err}") from None
    if len(wins) < 2:
        raise ConfigError(f"config field '{pre}.scan.windows': {len(wins)} window(s) on "
                          f"{w['n_bins']} bins; a scan needs at least 2")
    if w["n_bins"] - w["sr_bins"] <= stats.N_PARAMS:
        raise ConfigError(f"config field '{pre}.scan.windows': {w['n_bins'] - w['sr_bins']} "
                          "bins outside the SR leave the dijet fit no degrees of freedom")
