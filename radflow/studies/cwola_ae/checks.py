"""Config checks of a CWoLa-Hunting-vs-autoencoder study (beyond its kind.yaml schema). One
background-only autoencoder serves every study of the kind (one per signal), so their
autoencoder, model selection, fit range, binning, data sample, repetitions and background
fraction (each run's data draw is the autoencoder's) must agree with the first by name."""
from radflow.config import ConfigError


def check(pre: str, st: dict, config: dict) -> None:
    inj = st["injection"]
    if "reference_sr_background" not in inj:
        raise ConfigError(f"config field '{pre}.injection': needs 'sb' with "
                          "'reference_sr_background' and 'scaling'")
    if 0.0 not in inj["sb"] or len(inj["sb"]) < 2:
        raise ConfigError(f"config field '{pre}.injection.sb': must contain 0 (the S = 0 "
                          "benchmark: spurious significance) and at least one S/B > 0")
    if len(set(inj["sb"])) != len(inj["sb"]):
        raise ConfigError(f"config field '{pre}.injection.sb': repeated benchmark")
    names = sorted(n for n, s in config["studies"].items() if s["kind"] == st["kind"])
    first = config["studies"][names[0]]
    for key in ("autoencoder", "model_selection", "fit_range", "binning", "samples.data",
                "injection.repetitions", "injection.background_fraction"):
        if _get(st, key) != _get(first, key):
            raise ConfigError(f"config field '{pre}.{key}': differs from "
                              f"studies.{names[0]}.{key}; one background-only autoencoder "
                              "serves every CWoLa-vs-autoencoder study, so they must agree")


def _get(st: dict, dotted: str):
    """The value under the ``dotted`` key of a study (None if absent)."""
    for k in dotted.split("."):
        st = st.get(k) if isinstance(st, dict) else None
    return st
