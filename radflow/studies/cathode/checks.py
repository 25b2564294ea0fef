"""Config checks of an ANODE/CATHODE study (beyond its kind.yaml schema). The kind's
nominal study has alpha = 0 (C1-C4, with its background-only runs); a study with alpha > 0 is
CATHODE's correlation test m_j -> m_j + alpha mjj (C5), compared with the nominal one."""
from radflow.config import ConfigError


def check(pre: str, st: dict, config: dict) -> None:
    same = {n: s for n, s in config["studies"].items() if s["kind"] == st["kind"]}
    nominal = sorted(n for n, s in same.items() if s["alpha"] == 0.0)
    if len(nominal) != 1:
        raise ConfigError(f"config field '{pre}.alpha': the {st['kind']} studies need exactly one "
                          f"nominal study with alpha = 0 (found {nominal})")
    if st["alpha"] == 0.0 and not st["injection"]["background_only"]:
        raise ConfigError(f"config field '{pre}.injection.background_only': this study needs "
                          "its background-only runs (the template check at n_sig = 0)")
