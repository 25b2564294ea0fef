"""Repetitions and signal injection: S/B scans (SALAD paper, Fig. 8) and fixed signal
counts (SA-CWoLa paper: 1500 events at LHC Olympics statistics). Injections are named
``sb{S/B}_rep{r}`` or ``nsig{n}_rep{r}``.

Every repetition r is its own experiment (:func:`repetition_samples`, docs/samples.md,
"Repetitions"): from each background sample (roles other than 'signal') it keeps every
event of the generated pool independently with probability ``injection.background_fraction``
(Bernoulli thinning without replacement: a Poisson sample of that fraction of the pool's
expected counts, seeded by config seed, sample and r, so all studies of a sample share it);
every sample it uses gets its own train/test split (``test_fraction``, seeded by config
seed, study, sample and r); and the signal is drawn anew (seeded by config seed, study and
r). The inject rule computes all of it once per injection; every consumer reads it with
:func:`load_repetition`.

S/B scans split the train half of the repetition's 'data' draw into two quarters, anew in
every repetition: quarter 0 is the 'data' of the search, into which signal is injected;
quarter 1 is the independent background-only 'data' of SALAD's ideal line. For a target
S/B in the signal region, signal events are taken in a random order (seeded by config seed,
study and repetition, so every method sees the same draw, and within a repetition the
injection at a smaller S/B is a subset of the one at a larger S/B) until the injected SR
events number S/B x (quarter-0 SR background events). Fixed counts use the whole train half as search
data (quarter 0), scale the count to the repetition's data events and draw that many
signal events from the whole signal sample; they follow the repetition's signal split. At
most half of the signal sample's SR events (S/B) or of its events (fixed count) is injected:
the rest is the evaluation signal.
"""
from __future__ import annotations

import json

import numpy as np

from radflow import h5io
from radflow.seeds import derive_seed

#: The role of a study's signal sample (config ``studies.<name>.samples``): never thinned.
SIGNAL_ROLE = "signal"


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


def background_seed(seed: int, sample: str, rep: int) -> int:
    """Seed of repetition ``rep``'s draw from background sample ``sample`` (not keyed by the
    study: every study of a sample and repetition shares the draw, e.g. the CWoLa-vs-AE
    studies and their common autoencoder)."""
    return derive_seed(seed, "background", sample, rep)


def split_seed(seed: int, study: str, sample: str, rep: int) -> int:
    """Seed of repetition ``rep``'s train/test split of ``sample`` in ``study``."""
    return derive_seed(seed, "split", study, sample, rep)


def injection_seed(seed: int, study: str, rep: int, n: int | None = None) -> int:
    """Seed of the signal draw order of repetition ``rep`` (``n``: the fixed count, None for
    an S/B scan, whose injections of one repetition share one order)."""
    keys = (study, rep) if n is None else (study, f"nsig{n}", rep)
    return derive_seed(seed, "inject", *keys)


def background_draw(n_pool: int, fraction: float, seed: int, sample: str, rep: int) -> np.ndarray:
    """Sorted indices (int64) into a background pool of ``n_pool`` events of those that
    repetition ``rep`` uses: each kept independently with probability ``fraction`` (seeded by
    :func:`background_seed`); all of them for ``fraction`` 1. Two repetitions share a fraction
    ``fraction`` of their events, so the correlation of any bin count between them is
    ``fraction`` (docs/samples.md, "Repetitions")."""
    if not 0 < fraction <= 1:
        raise ValueError(f"background fraction {fraction} is not in (0, 1]")
    if fraction == 1:
        return np.arange(n_pool)
    keep = np.random.default_rng(background_seed(seed, sample, rep)).random(n_pool) < fraction
    return np.nonzero(keep)[0]


def split(n: int, test_fraction: float, seed: int, study: str, sample: str, rep: int) -> np.ndarray:
    """Bool (n,): True for the test half of ``n`` events, each with probability
    ``test_fraction`` (seeded by :func:`split_seed`)."""
    rng = np.random.default_rng(split_seed(seed, study, sample, rep))
    return rng.random(n) < test_fraction


def repetition_samples(pools: dict, study: str, rep: int, seed: int, background_fraction: float,
                       test_fraction: float) -> tuple[dict, dict]:
    """Events and split of every sample of repetition ``rep`` of ``study``.

    ``pools``: {role: (sample name, pool size)} of the study's samples. The signal role keeps
    its whole pool; every other role is a background draw (:func:`background_draw`). Returns
    (columns, seeds): columns ``{role}_index`` (int64 (n_role,), sorted indices into the
    pool) and ``{role}_test`` (bool (n_role,)), as :func:`load_repetition` reads them; seeds
    {"background": {role: seed} (the roles thinned: none for ``background_fraction`` 1),
    "split": {role: seed}}."""
    cols, seeds = {}, {"background": {}, "split": {}}
    for role, (sample, n_pool) in sorted(pools.items()):
        if role == SIGNAL_ROLE:
            idx = np.arange(n_pool)
        else:
            idx = background_draw(n_pool, background_fraction, seed, sample, rep)
            if background_fraction < 1:
                seeds["background"][role] = background_seed(seed, sample, rep)
        cols[f"{role}_index"] = idx
        cols[f"{role}_test"] = split(len(idx), test_fraction, seed, study, sample, rep)
        seeds["split"][role] = split_seed(seed, study, sample, rep)
    return cols, seeds


def write_repetition(path, columns: dict, pools: dict, seeds: dict, attrs: dict) -> None:
    """Write an injection file: the per-role ``columns`` (:func:`repetition_samples` plus a
    role's own, e.g. ``signal_injected``), with ``attrs``, the pool sizes and the ``seeds``
    (JSON: what :func:`repetition_attrs` gives back)."""
    h5io.write_columns(path, columns, attrs={
        **attrs, "pool_sizes": json.dumps({r: int(n) for r, (_, n) in pools.items()}),
        "seeds": json.dumps(seeds, sort_keys=True)})


def repetition_attrs(path) -> dict:
    """Attributes of an injection file, with ``seeds`` and ``pool_sizes`` decoded."""
    att = h5io.read_attrs(path)
    for key in ("seeds", "pool_sizes"):
        if key in att:
            att[key] = json.loads(att[key])
    return att


def repetition_seeds(path) -> dict:
    """What a per-run output records of its repetition (injection file ``path``): {"rep",
    "background_fraction", "seeds": {"background": {role: seed}, "split": {role: seed},
    "injection": seed, ["quarter": seed]}}."""
    att = repetition_attrs(path)
    return {"rep": int(att["rep"] if "rep" in att else att["run"]),
            "background_fraction": float(att["background_fraction"]), "seeds": att["seeds"]}


def summary_seeds(runs) -> dict:
    """What a study summary records of its repetitions, from the per-run records
    ``runs`` (dicts with ``repetition_seeds``: :func:`repetition_seeds`, and ``injection``,
    the injection's name, where a repetition has several): the background fraction they
    share and per repetition its seeds: {"background_fraction", "seeds": {rep: {"background":
    {role: seed}, "split": {role: seed}, "injection": {injection: seed}}}}. Raises ValueError
    when the runs disagree on the fraction or on one repetition's draws (a mixed run).
    Records without ``repetition_seeds`` (hand-made ones, as in the statement tests) are
    left out: with none, the fraction is None and :func:`shared_fraction` 0."""
    fractions, seeds = set(), {}
    for run in runs:
        if "repetition_seeds" not in run:
            continue
        rec = run["repetition_seeds"]
        fractions.add(rec["background_fraction"])
        s = rec["seeds"]
        rep = seeds.setdefault(str(rec["rep"]), {"background": s["background"],
                                                 "split": s["split"], "injection": {}})
        if (rep["background"], rep["split"]) != (s["background"], s["split"]):
            raise ValueError(f"repetition {rec['rep']}: two background draws or splits")
        rep["injection"][run.get("injection", f"rep{rec['rep']}")] = s["injection"]
    if len(fractions) > 1:
        raise ValueError(f"repetitions with different background fractions {sorted(fractions)}")
    return {"background_fraction": fractions.pop() if fractions else None,
            "seeds": dict(sorted(seeds.items(), key=lambda kv: int(kv[0])))}


def shared_fraction(runs) -> float:
    """The background fraction that the repetitions of the per-run records ``runs`` share
    (their pairwise overlap: :func:`radflow.stats.claims.overlap_factor`); 0 for one
    repetition, which shares nothing."""
    s = summary_seeds(runs)
    return s["background_fraction"] if len(s["seeds"]) > 1 else 0.0


def load_repetition(features_path, regions_path, injection_path, role: str, columns) -> dict:
    """The events of one sample that a repetition uses, with that repetition's split.

    :func:`radflow.regions.load_study_sample` of the sample (``columns`` and the region
    masks), restricted to the rows of ``{role}_index`` of ``injection_path`` (the inject
    rule's file); ``test`` is the repetition's split, ``index`` the rows' indices in the
    pool, and every other ``{role}_{name}`` column of the file becomes ``name`` (data:
    ``quarter``; signal: ``injected``, ``injected_test``; CWoLa-vs-AE signal: ``rank``).
    Returns a dict of 1-D arrays (n_role,). Raises :class:`radflow.h5io.InputError` naming
    the files when the injection file has no such role or was made from another pool."""
    from radflow import regions

    sample = regions.load_study_sample(features_path, regions_path, columns)
    inj = h5io.read_columns(injection_path)
    pre = f"{role}_"
    if pre + "index" not in inj:
        raise h5io.InputError(f"{injection_path}: no repetition of role {role!r} (has "
                              f"{sorted(inj)}); rerun the inject rule")
    n_pool = len(sample["sr"])
    pools = repetition_attrs(injection_path).get("pool_sizes", {})
    if pools.get(role) != n_pool:
        raise h5io.InputError(f"{injection_path}: made from a pool of {pools.get(role)} "
                              f"{role!r} events, but {regions_path} has {n_pool}; rerun the "
                              "inject rule from the same regions")
    idx = inj[pre + "index"]
    out = {k: np.asarray(v)[idx] for k, v in sample.items()}
    out.update({k[len(pre):]: v for k, v in inj.items() if k.startswith(pre)})
    return out


def draw_count(n_signal_events: int, n: int, seed: int, study: str, rep: int,
               source: str = "sig_xy") -> np.ndarray:
    """Boolean mask (N_sig,) of ``n`` signal events drawn at random (seeded by
    :func:`injection_seed`: config seed, study, n and repetition)."""
    if n > n_signal_events // 2:
        raise InjectionError(
            f"injecting {n} signal events needs at least {2 * n} in sample '{source}' (half "
            f"of it stays for evaluation), but it has {n_signal_events}; generate more "
            "signal (config samples.<signal>.n_events) or lower the injection")
    order = np.random.default_rng(injection_seed(seed, study, rep, n)).permutation(
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


def quarter_seed(seed: int, study: str, rep: int) -> int:
    """Seed of repetition ``rep``'s quarters (:func:`data_quarter`)."""
    return derive_seed(seed, "quarter", study, rep)


def data_quarter(test: np.ndarray, seed: int, study: str, rep: int) -> np.ndarray:
    """Quarter of each data event in repetition ``rep``: -1 for the test half, else 0
    (search data) or 1 (independent background-only data), each half of the train half."""
    rng = np.random.default_rng(quarter_seed(seed, study, rep))
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
    order = np.random.default_rng(injection_seed(seed, study, rep)).permutation(len(signal_sr))
    mask = np.zeros(len(signal_sr), bool)
    if target == 0:
        return mask
    in_sr = np.cumsum(signal_sr[order])
    last = int(np.searchsorted(in_sr, target))          # first position reaching the target
    mask[order[: last + 1]] = True
    return mask
