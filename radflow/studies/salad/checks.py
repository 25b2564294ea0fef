"""Config checks of a SALAD study (beyond its kind.yaml schema)."""
from radflow.config import ConfigError


def check(pre: str, st: dict, config: dict) -> None:
    if 0.0 not in st["injection"]["sb"]:
        raise ConfigError(f"config field '{pre}.injection.sb': must contain 0 "
                          "(the background-only run behind A4-A7 and A9)")
