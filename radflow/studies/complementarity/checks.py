"""Config checks of a complementarity study (beyond its kind.yaml schema): one such study
per config (its figures D2-D14 have one output each), its background-only runs (D3, D5-D8
are at n_sig = 0), a block for every configured flow method, runs that split into whole
ensembles, and a robustness signal count that the grid has."""
from radflow.config import ConfigError


def check(pre: str, st: dict, config: dict) -> None:
    same = sorted(n for n, s in config["studies"].items() if s["kind"] == st["kind"])
    if len(same) != 1:
        raise ConfigError(f"config field '{pre}.kind': one {st['kind']} study per config "
                          f"(found {same})")
    inj = st["injection"]
    if not inj.get("background_only", True):
        raise ConfigError(f"config field '{pre}.injection.background_only': the study needs "
                          "its background-only runs (figures D3, D5-D8 are at n_sig = 0)")
    for method in ("cathode", "curtains", "feta"):
        if method in st["methods"] and method not in st:
            raise ConfigError(f"config field '{pre}.{method}': the method {method} is in "
                              f"'{pre}.methods' but has no settings block")
    clf = st["classifier"]
    if clf["runs"] % clf["ensemble"]:
        raise ConfigError(f"config field '{pre}.classifier.ensemble': {clf['ensemble']} does "
                          f"not divide classifier.runs = {clf['runs']} into whole ensembles")
    counts = inj["n_signal"] if isinstance(inj["n_signal"], list) else [inj["n_signal"]]
    rob = st.get("robustness")
    if rob is not None and rob["n_signal"] not in [0, *counts]:
        raise ConfigError(f"config field '{pre}.robustness.n_signal': {rob['n_signal']} is not "
                          f"a signal count of '{pre}.injection.n_signal' {counts} (or 0)")
    lo, hi = st["fit_range"]
    window = st.get("curtains", {}).get("sidebands")
    if window is not None and not (lo <= window[0] < window[1] <= hi):
        raise ConfigError(f"config field '{pre}.curtains.sidebands': {window} must be an "
                          f"increasing pair inside the fit range {st['fit_range']}")
