"""CWoLa Hunting vs autoencoder (the fifth paper): signal benchmarks and the training sets of
the nested k-fold.

Benchmarks are quoted, as in the paper, by S/B in the signal region at the paper's
statistics (``reference_sr_background`` SR background events, 9.0e4: its Fig. 2 has
S/B = 6e-3 at S/sqrt(B) = 1.8). With ``scaling: sqrt`` the SR signal count injected into our
n_B SR background events keeps the paper's S/sqrt(B): S = S/B * sqrt(B_ref * n_B); with
``linear`` it keeps S/B. Within a run the signal events are taken in one seeded random order
from the train half of the signal sample (the test half is the evaluation signal), until the
benchmark's SR count is reached; so a smaller benchmark's injection is a subset of a larger
one's, and every run draws a new subset (the paper's "random subset of signal events each
time").
"""
from __future__ import annotations

import numpy as np

from radflow import h5io, inject, jobs
from radflow.methods import cwola


def run_parts(study: dict) -> list[range]:
    """The benchmarks (indices into the injection's S/B list) of each training job of a run
    of a CWoLa-vs-autoencoder study (its config): consecutive groups of
    ``cwola_hunting.benchmarks_per_job`` (radflow.jobs.job_parts)."""
    return jobs.job_parts(len(study["injection"]["sb"]),
                          study["cwola_hunting"].get("benchmarks_per_job"))


def read_scores(paths) -> dict:
    """The columns of one run's CWoLa Hunting score files (one per job of
    :func:`benchmark_parts`, in any order) as one table: the shared per-event columns once and
    every ``score_b{j}``. ValueError naming the file whose events differ from the first's or
    that repeats a benchmark."""
    paths = list(paths)
    table = h5io.read_columns(paths[0])
    for path in paths[1:]:
        cols = h5io.read_columns(path)
        for c, v in cols.items():
            if c.startswith("score_b"):
                if c in table:
                    raise ValueError(f"{path}: benchmark column {c} is also in another part")
                table[c] = v
            elif not np.array_equal(v, table[c]):
                raise ValueError(f"{path}: column {c} differs from {paths[0]}'s: the parts of a "
                                 "run must come from the same injection")
    return table


def sr_target(sb_paper: float, n_background_sr: int, reference_sr_background: float,
              scaling: str) -> int:
    """SR signal events of the benchmark quoted at ``sb_paper`` (S/B at the paper's
    ``reference_sr_background`` SR background events) for ``n_background_sr`` of ours."""
    return inject.scaled_count(sb_paper * reference_sr_background, n_background_sr,
                               reference_sr_background, scaling)


def signal_order(pool, seed: int, study: str, run: int) -> np.ndarray:
    """Rank (N_sig,) of each signal event in the run's seeded draw order
    (radflow.inject.injection_seed); -1 outside the ``pool`` (bool (N_sig,): the events that
    may be injected)."""
    idx = np.nonzero(pool)[0]
    rank = np.full(len(pool), -1)
    rank[np.random.default_rng(inject.injection_seed(seed, study, run)).permutation(idx)] = \
        np.arange(len(idx))
    return rank


def n_taken(rank, signal_sr, target: int, source: str, sb_paper: float) -> int:
    """How many events of the draw order ``rank`` (N_sig,) are injected so that ``target``
    of them fall in the SR (``signal_sr`` bool (N_sig,)); the out-of-SR events drawn on the
    way are injected too (they land in the sidebands, as a real signal's tails would).
    Raises :class:`radflow.inject.InjectionError` naming the sample and both counts when the
    pool holds fewer SR events than the target."""
    if target == 0:
        return 0
    order = np.argsort(np.where(rank < 0, np.iinfo(np.int64).max, rank))[: int((rank >= 0).sum())]
    in_sr = np.cumsum(signal_sr[order])
    if in_sr.size == 0 or in_sr[-1] < target:
        have = int(in_sr[-1]) if in_sr.size else 0
        raise inject.InjectionError(
            f"S/B = {sb_paper:g} needs {target} signal events in the signal region, but sample "
            f"'{source}' has only {have} there in its train half (the test half is the "
            "evaluation signal); generate more signal (config samples.<signal>.n_events) or "
            "lower the benchmarks")
    return int(np.searchsorted(in_sr, target)) + 1


def training_weights(sr, sb_low, sb_high, member) -> np.ndarray:
    """CWoLa Hunting's region weights (N,) over the events of one training set (``member``
    bool (N,)): sidebands equal, SR = sum of sidebands, total = their number; 0 elsewhere."""
    member = np.asarray(member, bool)
    return cwola.region_weights(sr & member, sb_low & member, sb_high & member)


#: Per-event columns of :func:`event_table` that the score files carry.
TABLE_COLUMNS = ("mjj", "mj1", "mj2", "sr", "sb", "is_signal", "evaluation", "signal_index")


def event_table(data: dict, signal: dict, features) -> dict:
    """The events of a study run in one order, shared by every score file: the data events
    in the fit range, then the signal events in the fit range. ``data``/``signal``: columns
    of one run's samples (radflow.inject.load_repetition; the signal's ``test`` is the run's
    split). Returns x (N, d) of ``features``, and (N,) columns
    :data:`TABLE_COLUMNS` plus sb_low, sb_high: mjj, mj1, mj2 in GeV, region masks,
    is_signal, evaluation (signal of the test half: never injected) and signal_index (the
    event's row in ``signal``, its whole pool: -1 for data)."""
    parts = []
    for sample, is_signal in ((data, False), (signal, True)):
        fit = np.asarray(sample["fit"], bool)
        n = int(fit.sum())
        parts.append({
            "x": np.column_stack([sample[c] for c in features])[fit],
            **{c: np.asarray(sample[c])[fit] for c in ("mjj", "mj1", "mj2", "sr", "sb", "sb_low")},
            "is_signal": np.full(n, is_signal),
            "evaluation": (np.asarray(sample["test"], bool)[fit] if is_signal
                           else np.zeros(n, bool)),
            "signal_index": np.nonzero(fit)[0] if is_signal else np.full(n, -1)})
    table = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    table["sb_high"] = table["sb"] & ~table["sb_low"]
    return table


def injected_rank(table: dict, rank) -> np.ndarray:
    """The run's draw rank (radflow.methods.cwola_hunting.signal_order, over the signal
    sample) of each table event, -1 for data and never-injected signal. Benchmark j injects
    the events with 0 <= rank < n_injected[j]."""
    idx = np.asarray(table["signal_index"])
    return np.where(idx >= 0, np.asarray(rank)[np.maximum(idx, 0)], -1)
