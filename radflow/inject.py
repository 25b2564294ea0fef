"""Signal injection: S/B scans (SALAD paper, Fig. 8) and fixed signal counts (SA-CWoLa
paper: 1500 events at LHC Olympics statistics). Injections are named ``sb{S/B}_rep{r}`` or
``nsig{n}_rep{r}``.

S/B scans split the train half of the 'data' sample into two quarters, anew in every
repetition: quarter 0 is the 'data' of the search, into which signal is injected; quarter 1
is the independent background-only 'data' of SALAD's ideal line. For a target S/B in the
signal region, signal events are taken in a random order (seeded by config seed, study and
repetition, so every method sees the same draw, and within a repetition the injection at a
smaller S/B is a subset of the one at a larger S/B) until the injected SR events number
S/B x (quarter-0 SR background events). Fixed counts use the whole train half as search
data (quarter 0) and draw that many signal events from the whole signal sample; they
follow its train/test split. At most half of the signal sample's SR events (S/B) or of
its events (fixed count) is injected: the rest is the evaluation signal.
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


def extra_background(extra_sr: np.ndarray, n: int, seed: int, study: str, rep: int,
                     role: str) -> np.ndarray:
    """Indices of ``n`` events drawn without replacement, anew in every repetition (seeded
    by config seed, study and ``rep``), from the SR events of the extra background-only
    sample (mask ``extra_sr`` (N,)): the background of optimal CWoLa (SA-CWoLa) and of the
    idealized anomaly detector (CATHODE), as many as the search data has SR training events.
    Raises :class:`InjectionError` naming ``role`` and both counts when the pool is short."""
    pool = np.nonzero(extra_sr)[0]
    if len(pool) < n:
        raise InjectionError(
            f"the extra background sample has {len(pool)} SR events, {role} needs {n} (the "
            "data SR count); raise samples.data_extra.n_events")
    return np.random.default_rng(derive_seed(seed, study, "extra", rep)).choice(pool, n, replace=False)


def data_quarter(test: np.ndarray, seed: int, study: str, rep: int) -> np.ndarray:
    """Quarter of each data event in repetition ``rep``: -1 for the test half, else 0
    (search data) or 1 (independent background-only data), each half of the train half."""
    rng = np.random.default_rng(derive_seed(seed, "quarter", study, rep))
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
    if target > available // 2:
        raise InjectionError(
            f"S/B = {sb:g} needs {target} signal events in the SR ({n_background_sr} background "
            f"events there), but sample '{source}' has only {available} there and half of them "
            "stay for evaluation; lower the S/B grid or generate more signal (config "
            "samples.<signal>.n_events)")
    order = np.random.default_rng(derive_seed(seed, "inject", study, rep)).permutation(
        len(signal_sr))
    mask = np.zeros(len(signal_sr), bool)
    if target == 0:
        return mask
    in_sr = np.cumsum(signal_sr[order])
    last = int(np.searchsorted(in_sr, target))          # first position reaching the target
    mask[order[: last + 1]] = True
    return mask
