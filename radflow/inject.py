"""Signal injection: S/B scans (SALAD paper, Fig. 8) and fixed signal counts (SA-CWoLa
paper: 1500 events at LHC Olympics statistics). Injections are named ``sb{S/B}_rep{r}`` or
``nsig{n}_rep{r}``.

Both split the train half of the 'data' sample into two quarters: quarter 0 is the 'data'
of the search, into which signal is injected; quarter 1 is the independent background-only
'data' (SALAD's ideal line, optimal CWoLa). For a target S/B in the signal region, signal
events are drawn (seeded by config seed, study, S/B and repetition, so every method sees the
same draw) until the injected SR events number S/B x (quarter-0 SR background events). For
a fixed count, that many signal events are drawn from the whole signal sample and follow its
train/test split. The signal events that are not injected are used for evaluation.
"""
from __future__ import annotations

import numpy as np

from radflow.seeds import derive_seed


class InjectionError(ValueError):
    """More signal requested than the signal sample holds."""


def name(sb: float, rep: int) -> str:
    """Injection label used in file names, e.g. 'sb0.01_rep0'."""
    return f"sb{sb:g}_rep{rep}"


def parse(label: str) -> tuple[str, float, int]:
    """('sb' | 'nsig', value, repetition) of a label such as 'sb0.01_rep0' or 'nsig1500_rep0'."""
    head, rep = label.split("_rep")
    kind = "nsig" if head.startswith("nsig") else "sb"
    return kind, float(head[len(kind):]), int(rep)


def scaled_count(n_reference: float, n_events: int, reference_events: float,
                 scaling: str) -> int:
    """Signal events to inject into ``n_events`` background events, given ``n_reference``
    at ``reference_events`` (the LHCO R&D set: 1500 in 1e6). ``linear`` keeps S/B fixed;
    ``sqrt`` keeps S/sqrt(B), i.e. the expected significance, fixed."""
    ratio = n_events / reference_events
    return int(round(n_reference * (ratio if scaling == "linear" else np.sqrt(ratio))))


def draw_count(n_signal_events: int, n: int, seed: int, study: str, rep: int,
               source: str = "sig_xy") -> np.ndarray:
    """Boolean mask (N_sig,) of ``n`` signal events drawn at random (seeded by config seed,
    study, n and repetition)."""
    if n > n_signal_events // 2:
        raise InjectionError(
            f"injecting {n} signal events needs at least {2 * n} in sample '{source}' (half "
            f"of it stays for evaluation), but it has {n_signal_events}; generate more "
            "signal (config samples.<signal>.n_events) or lower the injection")
    order = np.random.default_rng(derive_seed(seed, "inject", study, f"nsig{n}", rep)).permutation(
        n_signal_events)
    mask = np.zeros(n_signal_events, bool)
    mask[order[:n]] = True
    return mask


def data_quarter(test: np.ndarray, seed: int, study: str) -> np.ndarray:
    """Quarter of each data event: -1 for the test half, else 0 (search data) or 1
    (independent background-only data), each half of the train half."""
    rng = np.random.default_rng(derive_seed(seed, "quarter", study))
    q = (rng.random(len(test)) < 0.5).astype(np.int8)
    return np.where(test, -1, q).astype(np.int8)


def draw(signal_sr: np.ndarray, n_background_sr: int, sb: float, seed: int, study: str,
         rep: int, source: str = "sig_xy") -> np.ndarray:
    """Boolean mask over signal events (N_sig,): the injected ones.

    Events are taken in a seeded random order until ``round(sb * n_background_sr)`` of
    them fall in the SR; the out-of-SR events drawn on the way are injected too (they land
    in the sidebands, as a real signal's tails would).
    """
    target = int(round(sb * n_background_sr))
    available = int(np.sum(signal_sr))
    if target > available:
        raise InjectionError(
            f"S/B = {sb:g} needs {target} signal events in the SR ({n_background_sr} background "
            f"events there), but sample '{source}' has only {available}; lower the S/B grid "
            "or generate more signal (config samples.<signal>.n_events)")
    order = np.random.default_rng(derive_seed(seed, "inject", study, f"{sb:g}", rep)).permutation(
        len(signal_sr))
    mask = np.zeros(len(signal_sr), bool)
    if target == 0:
        return mask
    in_sr = np.cumsum(signal_sr[order])
    last = int(np.searchsorted(in_sr, target))          # first position reaching the target
    mask[order[: last + 1]] = True
    return mask
