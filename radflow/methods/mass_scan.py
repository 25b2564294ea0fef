"""The anomaly detectors of a mass-hypothesis scan: CWoLa and SA-CWoLa (SA-CWoLa paper,
eq. 2.3) trained with each window's weak labels (SR 1, sidebands 0, CWoLa region weights),
by k-fold so that every data event is scored by models that never saw it, for several
scans at once (the observed data and bootstrap pseudo-experiments): per window, the (scan,
method, fold) members of up to :data:`SCANS_PER_ENSEMBLE` scans are one vectorized
ensemble, each with its own event weights and minibatches (radflow.ml.ensemble).

A scan is a row of event multiplicities over the data events: 1 for the observed data
(once per training seed), Poisson draws for a bootstrap pseudo-experiment (an event drawn
twice counts twice in its members' losses, thresholds and spectra; folds are per event, so a
copy never lands in both the training and the scored fold). :func:`run_scans` trains and
fits T scans; :func:`observed_scan` is the observed data's scan over several training seeds,
the only place that sees which events are injected signal (to count them per window, never
to select).
"""
from __future__ import annotations

import numpy as np

from radflow import regions
from radflow.ml import ensemble, models, train
from radflow.seeds import derive_seed
from radflow.stats import mass_scan as scan_stats

#: Detectors the scan can train per window.
METHODS = ("cwola", "sa_cwola")
#: Scans per vectorized ensemble (x methods x k members): larger ensembles cost more per
#: member (their per-step arrays leave the cache), smaller ones more traces and steps.
SCANS_PER_ENSEMBLE = 100


def architecture(hidden) -> models.Architecture:
    """Dense ReLU classifier with the layer widths ``hidden``, sigmoid output, Adam 1e-3."""
    return models.Architecture(hidden=tuple(models.Layer(int(u), "relu") for u in hidden))


def region_weights(masks: dict, mult) -> np.ndarray:
    """CWoLa region weights of events with multiplicities ``mult`` (N,), or (T, N) for T
    scans at once: per scan SR total = SB total, the two sidebands equal, total = the
    weighted count of window events; times the multiplicity; 0 outside the window (and in a
    region without events). ``masks``: sr, sb_low, sb_high (N,) bool. Returns the shape
    of ``mult``, float64."""
    mult = np.asarray(mult, float)
    member = np.stack([masks[r] for r in ("sr", "sb_low", "sb_high")], axis=1)    # (N, 3)
    totals = mult @ member.astype(float)                                          # (..., 3)
    n = totals.sum(axis=-1, keepdims=True)
    scale = np.divide(np.array([0.5, 0.25, 0.25]) * n, totals, out=np.zeros_like(totals),
                      where=totals > 0)
    return np.where(member.any(axis=1), np.take(scale, member.argmax(axis=1), axis=-1) * mult,
                    0.0)


def _predict_rows(ens, x, idx, real, chunk: int = 2048) -> np.ndarray:
    """Scores (M, V) of each member on its own rows of x (N, d): idx (M, V) indices into x,
    real (M, V) 0 on padding (scores there are meaningless)."""
    tf = ens.network.tf
    x_tf = tf.constant(np.asarray(x, np.float32))
    out = np.empty(idx.shape, np.float32)
    for start in range(0, idx.shape[1], chunk):
        ib = tf.constant(idx[:, start:start + chunk])
        out[:, start:start + chunk] = ens.network(tf.gather(x_tf, ib))[..., 0].numpy()
    return out


def train_scores(x, mjj, mult, scan_windows, methods, *, k: int, seed: int, hidden,
                 epochs: int, patience: int, batch_size: int, sim=None, lam: float = 0.5,
                 fit_range=None, scan_ids=None) -> dict:
    """Scores of every data event in every scan and window, per method.

    x (N, d), mjj (N,) GeV: the data events; ``mult`` (T, N) int: the multiplicity of each
    event in each of T scans. ``sim``: (x_sim (Ns, d), mjj_sim (Ns,)), needed for
    'sa_cwola' (its sim events enter with weight -``lam`` times their region weights and
    keep multiplicity 1 in every scan). ``scan_ids`` (T,): names of the scans (default
    0..T-1); a member's initialization and minibatch order come from ``seed``, its scan's id,
    method, window and fold, so a scan gives the same scores whichever scans share its job.
    Folds: k per event, drawn bin by bin (30 log bins
    of ``fit_range``); member (scan, method, fold f) of a window trains on its window's
    events of the folds other than f and f + 1, validates on f + 1 (early stopping) and
    scores fold f of the whole fit range. One vectorized ensemble per window and
    :data:`SCANS_PER_ENSEMBLE` scans (its members have similar numbers of rows, so few idle
    steps).

    Returns {method: (T, W, N) float32}, NaN for events of multiplicity 0 in a scan, and
    "best_epoch": (T, n_methods, W, k)."""
    methods = list(methods)
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"scan: unknown methods {sorted(unknown)} (known: {list(METHODS)})")
    mult = np.atleast_2d(np.asarray(mult, np.int64))
    n_scans, n = mult.shape
    x = np.asarray(x, np.float32)
    strata = np.digitize(mjj, regions.log_bins(fit_range, 30)) if fit_range else None
    fold = train.fold_assignment(n, k, seed, strata)
    use_sim = "sa_cwola" in methods
    if use_sim and sim is None:
        raise ValueError("scan: method sa_cwola needs the simulation sample")
    sim_folds = None
    if use_sim:
        x_sim, mjj_sim = np.asarray(sim[0], np.float32), np.asarray(sim[1])
        sim_folds = (x_sim, mjj_sim, train.fold_assignment(
            len(x_sim), k, derive_seed(seed, "scan", "sim folds")))
    ids = list(range(n_scans)) if scan_ids is None else list(scan_ids)
    out = {name: np.full((n_scans, len(scan_windows), n), np.nan, np.float32) for name in methods}
    best = np.zeros((n_scans, len(methods), len(scan_windows), k), int)
    for start in range(0, n_scans, SCANS_PER_ENSEMBLE):
        part = slice(start, start + SCANS_PER_ENSEMBLE)
        _train_chunk(x, mjj, mult[part], ids[part], fold, scan_windows, methods, sim_folds,
                     {name: a[part] for name, a in out.items()}, best[part], k=k, seed=seed,
                     hidden=hidden, epochs=epochs, patience=patience, batch_size=batch_size,
                     lam=lam)
    out["best_epoch"] = best
    return out


def _member_weights(weight, role) -> np.ndarray:
    """Weights (T * methods * k, L) float32 of the members (t, m, f) in member order: the
    scan's and method's ``weight`` (T, methods, L) where fold role ``role`` (k, L) bool is
    true, else 0."""
    return np.where(role[None, None], weight[:, :, None], np.float32(0)).reshape(
        -1, role.shape[1])


def _train_chunk(x, mjj, mult, ids, fold, scan_windows, methods, sim_folds, out, best, *,
                 k, seed, hidden, epochs, patience, batch_size, lam):
    """:func:`train_scores` of the T scans ``mult`` (T, N) named ``ids``, one vectorized
    ensemble per window: writes their scores into ``out`` {method: (T, W, N)} and their
    best epochs into ``best`` (T, methods, W, k). ``fold`` (N,): the events' folds;
    ``sim_folds``: (x_sim, mjj_sim, fold_sim) or None."""
    n_scans, n_methods = len(mult), len(methods)
    members = [(t, m, f) for t in range(n_scans) for m in range(n_methods) for f in range(k)]
    t_of, m_of, f_of = (np.array([mem[c] for mem in members]) for c in range(3))
    # The events each member scores (its fold, multiplicity > 0), the same in every window.
    score_idx, score_real = ensemble._padded_rows(
        (mult > 0)[t_of] & (fold[None] == f_of[:, None]))                           # (M, V)
    scored = score_real > 0
    score_t, score_m = (np.broadcast_to(a[:, None], scored.shape)[scored] for a in (t_of, m_of))
    score_i = score_idx[scored]
    for wi, window in enumerate(scan_windows):
        masks = regions.window_masks(mjj, window)
        inside = masks["sr"] | masks["sb_low"] | masks["sb_high"]
        sub = {r: v[inside] for r, v in masks.items()}
        xw, yw, fw = x[inside], sub["sr"].astype(np.float32), fold[inside]
        weight = np.repeat(region_weights(sub, mult[:, inside]).astype(np.float32)[:, None],
                           n_methods, axis=1)                                     # (T, methods, Nw)
        if sim_folds is not None:
            x_sim, mjj_sim, fold_sim = sim_folds
            sm = regions.window_masks(mjj_sim, window)
            s_in = sm["sr"] | sm["sb_low"] | sm["sb_high"]
            s_sub = {r: v[s_in] for r, v in sm.items()}
            s_w = (-lam * region_weights(s_sub, np.ones(int(s_in.sum())))).astype(np.float32)
            is_sa = np.array([name == "sa_cwola" for name in methods])[:, None]
            weight = np.concatenate([weight, np.broadcast_to(
                np.where(is_sa, s_w[None], np.float32(0)), (n_scans, n_methods, len(s_w)))],
                axis=2)
            xw = np.concatenate([xw, x_sim[s_in]])
            yw = np.concatenate([yw, s_sub["sr"].astype(np.float32)])
            fw = np.concatenate([fw, fold_sim[s_in]])
        # Fold roles per fold f (k, L): train on the folds other than f and f + 1, validate
        # on f + 1; member (t, m, f) weighs its scan's and method's weights by them.
        f_all = np.arange(k)[:, None]
        tr = (fw[None] != f_all) & (fw[None] != (f_all + 1) % k)
        val = fw[None] == (f_all + 1) % k
        w_tr, w_val = (_member_weights(weight, role) for role in (tr, val))          # (M, L)
        member_seeds = [derive_seed(seed, "scan", ids[t], methods[m], window["name"], f)
                        for t, m, f in members]
        ens = ensemble.train_ensemble(
            xw, yw, architecture(hidden), len(members), derive_seed(seed, "scan", window["name"]),
            w_tr, w_val, epochs=epochs, patience=patience, batch_size=batch_size,
            member_seeds=member_seeds)
        del w_tr, w_val
        pred = _predict_rows(ens, x, score_idx, score_real)[scored]
        for mi, name in enumerate(methods):
            pick = score_m == mi
            out[name][score_t[pick], wi, score_i[pick]] = pred[pick]
        best[t_of, m_of, wi, f_of] = ens.best_epoch


def run_scans(x, mjj, mult, ids, scan_windows, methods, efficiencies, edges, *, seed: int,
              classifier: dict, sim=None, lam: float = 0.5, fit_range=None,
              keep_fits: bool = False):
    """Train (:func:`train_scores`) and fit T scans of the events x (N, d), mjj (N,) GeV with
    multiplicities ``mult`` (T, N) and names ``ids`` (T,). ``classifier``: hidden, k, epochs,
    patience, batch_size; ``edges`` (n_bins + 1,) GeV: the fit binning.

    Returns (fits, best_epoch): fits[t][m][w] the list over efficiencies of
    :func:`radflow.stats.mass_scan.local_significance` entries of scan t, method m, window w
    (each fit after the first of a (method, window) starts from the previous scan's minimum);
    best_epoch (T, methods, W, k)."""
    scores = train_scores(x, mjj, mult, scan_windows, methods, k=classifier["k"],
                          hidden=classifier["hidden"], epochs=classifier["epochs"],
                          patience=classifier["patience"], batch_size=classifier["batch_size"],
                          sim=sim, lam=lam, fit_range=fit_range, scan_ids=ids, seed=seed)
    refs, out = {}, []
    bin_of = scan_stats.event_bins(mjj, edges)
    for t in range(len(mult)):
        per_method = []
        for method in methods:
            per_window = []
            for wi, w in enumerate(scan_windows):
                entries = scan_stats.local_significance(
                    mjj, scores[method][t, wi], mult[t], w, efficiencies, edges,
                    references=refs.get((method, wi)), keep_fits=keep_fits, bin_of=bin_of)
                if all(e["fit"] is not None for e in entries):
                    refs[(method, wi)] = [e["fit"] for e in entries]
                per_window.append(entries)
            per_method.append(per_window)
        out.append(per_method)
    return out, scores["best_epoch"]


def observed_ids(n_seeds: int) -> list[str]:
    """Scan names of the observed scan's ``n_seeds`` trainings ('observed', 'observed seed 1',
    ...): each name seeds its members' initialization and minibatches (:func:`train_scores`),
    so the trainings are independent and seed 0 is the single-training scan's."""
    return ["observed", *(f"observed seed {s}" for s in range(1, n_seeds))]


def observed_scan(x, mjj, is_injected, scan_windows, methods, efficiencies, edges, *,
                  n_seeds: int, **train_kw) -> dict:
    """The observed scan: the events x (N, d), mjj (N,) GeV (data and injected signal) scanned
    once per training seed (same events, folds and multiplicities 1; the seeds differ in
    initialization and minibatch order only), as one vectorized ensemble.

    ``is_injected`` (N,) bool is read only to count each window's SR events by origin: the
    thresholds are score quantiles of all SR events and the fits see all selected events.
    ``train_kw``: :func:`run_scans`'s keywords (seed, classifier, sim, lam, fit_range).
    Returns {"ids": (S,) scan names, "fits": [seed][method][window] entry lists (with the
    fitted spectra, without the FitResult objects), "n_sr_data", "n_sr_injected": (W,) counts,
    "best_epoch": (S, methods, W, k)}."""
    is_injected = np.asarray(is_injected, bool)
    if is_injected.shape != np.shape(mjj):
        raise ValueError(f"observed scan: is_injected has shape {is_injected.shape}, "
                         f"mjj {np.shape(mjj)}")
    ids = observed_ids(n_seeds)
    mult = np.ones((n_seeds, len(mjj)), np.int64)
    fits, best = run_scans(x, mjj, mult, ids, scan_windows, methods, efficiencies, edges,
                           keep_fits=True, **train_kw)
    for entry in (e for per_method in fits for per_window in per_method
                  for entries in per_window for e in entries):
        entry.pop("fit")
    sr = [regions.window_masks(mjj, w)["sr"] for w in scan_windows]
    return {"ids": ids, "fits": fits, "best_epoch": best,
            "n_sr_data": [int((m & ~is_injected).sum()) for m in sr],
            "n_sr_injected": [int((m & is_injected).sum()) for m in sr]}
