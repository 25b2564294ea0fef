"""Config checks of an SA-CWoLa study (beyond its kind.yaml schema)."""
from radflow.config import ConfigError


def check(pre: str, st: dict, config: dict) -> None:
    sa, bh = st["sa_cwola"], st["bump_hunt"]
    if 0.0 not in sa["lambdas"] or sa["nominal_lambda"] not in sa["lambdas"]:
        raise ConfigError(f"config field '{pre}.sa_cwola.lambdas': must contain 0 (plain "
                          f"CWoLa) and nominal_lambda = {sa['nominal_lambda']}")
    if "eq23" not in sa["forms"] and "sa_cwola" in bh["methods"]:
        raise ConfigError(f"config field '{pre}.bump_hunt.methods': 'sa_cwola' is the eq23 form, "
                          f"which {pre}.sa_cwola.forms does not train")
    if "flipped" not in sa["forms"] and "sa_cwola_flipped" in bh["methods"]:
        raise ConfigError(f"config field '{pre}.bump_hunt.methods': 'sa_cwola_flipped' needs "
                          f"'flipped' in {pre}.sa_cwola.forms")
    if 1.0 not in bh["efficiencies"]:
        raise ConfigError(f"config field '{pre}.bump_hunt.efficiencies': must contain 1.0 "
                          "(no selection: the background-only fit of B4)")
    if isinstance(st["injection"]["n_signal"], list):
        raise ConfigError(f"config field '{pre}.injection.n_signal': one count (the "
                          "SA-CWoLa study's bump hunt compares one injection)")
    if not st["injection"]["background_only"]:
        raise ConfigError(f"config field '{pre}.injection.background_only': this study needs "
                          "its background-only runs (B7)")
