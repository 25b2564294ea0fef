"""Config checks of a CWoLa-Hunting-vs-autoencoder study (beyond its kind.yaml schema). One
background-only autoencoder serves every study of the kind (one per signal), so their
autoencoder, model selection, fit range and binning must agree with the first by name."""
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
    for key in ("autoencoder", "model_selection", "fit_range", "binning"):
        if st.get(key) != first.get(key):
            raise ConfigError(f"config field '{pre}.{key}': differs from "
                              f"studies.{names[0]}.{key}; one background-only autoencoder "
                              "serves every CWoLa-vs-autoencoder study, so they must agree")
