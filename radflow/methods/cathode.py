"""CATHODE (arXiv 2109.00546): a background template in the signal region sampled from a
sideband-trained conditional flow, and a classifier data vs template.

Masses of the template are drawn from a Gaussian kernel density estimate of the SR data's
mjj in logit space (CATHODE's ``bw = 0.01``), so they follow the SR mjj shape and stay
inside the SR. The classifier sees data and template with balanced class weights.

The study's classifiers (the CATHODE paper's comparison, :data:`METHODS`) train as one
vectorized ensemble on one table of training blocks (:func:`training_blocks`,
:func:`train_classifiers`): CATHODE (SR data vs the flow's SR template), idealized anomaly
detector (SR data vs as many SR events of the independent background sample), CWoLa (SR
data vs sideband data) and supervised (signal vs independent background), each with
balanced class weights and one validation split per initialization. The template's quality
is the per-feature KS test against the SR test background and the CATHODE classifier's AUC
between them (:func:`template_quality`).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from radflow import inject
from radflow.ml import ensemble, metrics, models
from radflow.seeds import derive_seed

#: The study's classifiers, in ensemble member order.
METHODS = ("cathode", "idealized", "cwola", "supervised")
#: Method -> (block labelled 1, block labelled 0) of :func:`training_blocks`.
PAIRS = {"cathode": ("data_sr", "template"), "idealized": ("data_sr", "background_sr"),
         "cwola": ("data_sr", "data_sb"), "supervised": ("signal_mc", "background_sr")}


def sample_sr_masses(mjj_sr, n: int, signal_region, bandwidth: float, seed: int) -> np.ndarray:
    """n masses (GeV) from a Gaussian KDE of the SR data masses ``mjj_sr`` (N,), GeV, built
    on t = logit((m - lo) / (hi - lo)) for the SR edges (lo, hi) with kernel width
    ``bandwidth`` in t; every draw lies inside the SR."""
    mjj_sr = np.asarray(mjj_sr, float)
    lo, hi = map(float, signal_region)
    if len(mjj_sr) == 0:
        raise ValueError(f"CATHODE: no data events in the signal region [{lo:g}, {hi:g}] GeV "
                         "to build the mass KDE from")
    u = np.clip((mjj_sr - lo) / (hi - lo), 1e-6, 1 - 1e-6)
    t = np.log(u) - np.log1p(-u)
    rng = np.random.default_rng(seed)
    draw = t[rng.integers(0, len(t), n)] + bandwidth * rng.standard_normal(n)
    return lo + (hi - lo) / (1.0 + np.exp(-draw))


def balanced_weights(is_first, n_first: int, n_second: int) -> np.ndarray:
    """Class weights (N,) making the two classes' total weights equal (Keras'
    ``class_weight='balanced'`` up to a common factor): 1 for the first class, n_first /
    n_second for the second."""
    return np.where(is_first, 1.0, n_first / n_second)


def feature_matrix(columns: dict, features) -> np.ndarray:
    """Events x (N, F) of a sample given as columns {name: (N,)}: the ``features`` (F names)
    side by side, each in its own units (GeV for masses), dtype that of the columns."""
    return np.column_stack([columns[c] for c in features])


def training_blocks(data: dict, signal: dict, injected, template: dict, extra: dict, features,
                    seed: int, study: str, rep: int) -> dict:
    """The classifiers' training events by block, {name: x (N_block, F)} in this order:

    - ``data_sr``, ``data_sb``: train-half data in the SR and in the sidebands, each followed
      by the injected signal of that region;
    - ``template``: the flow's SR template without its held-out part;
    - ``signal_mc``: train-half SR signal that was not injected (labelled Monte Carlo);
    - ``background_sr``: as many SR events of the extra background-only sample as
      ``data_sr`` has, drawn anew in every repetition ``rep``
      (:func:`radflow.inject.extra_background`, seeded by config ``seed``, ``study``, ``rep``).

    Also returns, apart from the blocks, the truth-vs-truth control: the SR events of the
    extra sample that ``background_sr`` did not take, (N_control, F); the idealized
    detector never trains on them (:func:`template_quality`).

        data, signal, extra: a repetition's sample columns (radflow.inject.load_repetition: the
    ``features`` and the bool masks ``sr``, ``sb``, ``test``, each (N,)); injected (N_signal,)
    bool: the signal events injected into the data's train half; template: the template's
    columns (``features`` and the bool mask ``holdout``). Features in their own units.
    Returns (blocks, control). Raises :class:`radflow.inject.InjectionError` when the
    extra sample has too few SR events."""
    x_d, x_sig, x_e = (feature_matrix(p, features) for p in (data, signal, extra))
    x_tmpl = feature_matrix(template, features)
    sel_inj = injected & (signal["sr"] | signal["sb"])
    blocks = {  # name -> events (rows of the shared table)
        "data_sr": np.r_[x_d[~data["test"] & data["sr"]], x_sig[sel_inj & signal["sr"]]],
        "data_sb": np.r_[x_d[~data["test"] & data["sb"]], x_sig[sel_inj & signal["sb"]]],
        "template": x_tmpl[~template["holdout"]],
        "signal_mc": x_sig[~signal["test"] & signal["sr"] & ~injected]}
    n_sr = len(blocks["data_sr"])
    pick = inject.extra_background(extra["sr"], n_sr, seed, study, rep, "the idealized detector")
    blocks["background_sr"] = x_e[pick]
    rest = np.asarray(extra["sr"], bool).copy()
    rest[pick] = False
    return blocks, x_e[rest]


def classifier_tasks(blocks: dict, n_init: int, seed: int, study: str,
                     injection: str) -> tuple[np.ndarray, dict]:
    """The shared training table and the methods' tasks for
    :func:`radflow.ml.ensemble.train_methods`.

    blocks: :func:`training_blocks`. Returns the table x (N, F), the blocks stacked in their
    order (N = total events of all blocks), and {method: (y (N,) float, train_weight
    (n_init, N), val_weight (n_init, N))} for each of :data:`METHODS` in order: label 1 for
    the method's first block (:data:`PAIRS`), balanced class weights
    (:func:`balanced_weights`) on its two blocks, 0 elsewhere, and one random validation
    split per initialization i, seeded by derive_seed(seed, study, 'val', injection,
    method index, i)."""
    names = list(blocks)
    table = np.concatenate([blocks[k] for k in names])
    which = np.concatenate([np.full(len(blocks[k]), i) for i, k in enumerate(names)])
    tasks = {}
    for mi, method in enumerate(METHODS):
        pos, neg = (names.index(k) for k in PAIRS[method])
        is_pos, used = which == pos, (which == pos) | (which == neg)
        w = np.where(used, balanced_weights(is_pos, len(blocks[PAIRS[method][0]]),
                                            len(blocks[PAIRS[method][1]])), 0.0)
        # One validation split per initialization.
        splits = [ensemble.validation_split(
            w, derive_seed(seed, study, "val", injection, mi, i))
            for i in range(n_init)]
        tasks[method] = (is_pos.astype(float), *map(np.array, zip(*splits)))
    return table, tasks


def train_classifiers(blocks: dict, n_init: int, seed: int, study: str, injection: str, *,
                      epochs: int, patience: int, batch_size: int, keep_best: int,
                      learning_rate: float) -> ensemble.MethodEnsemble:
    """Every method of :data:`METHODS` with ``n_init`` initializations as one vectorized
    ensemble (architecture 'cathode', radflow.ml.models, with Adam's ``learning_rate``) on
    the blocks of :func:`training_blocks` (tasks: :func:`classifier_tasks`); members seeded
    by derive_seed(seed, study, 'train', injection). Schedule (config
    ``studies.<study>.classifier``): ``epochs`` of minibatches of ``batch_size``, a member
    stopping after ``patience`` epochs without a lower validation loss, its score the mean
    of the scores of its ``keep_best`` lowest-validation-loss epochs (the CATHODE paper: 100
    epochs of 128, no early stopping, 10 epochs). Scores: the returned ensemble's
    ``scores(x)`` of events x (N, F) in the features' units, each method's initializations
    averaged (the plain mean, as the CATHODE paper averages its classifier runs)."""
    table, tasks = classifier_tasks(blocks, n_init, seed, study, injection)
    arch = dataclasses.replace(models.get("cathode"), learning_rate=learning_rate)
    return ensemble.train_methods(
        table, tasks, arch, n_init, derive_seed(seed, study, "train", injection),
        epochs=epochs, patience=patience, batch_size=batch_size, keep_best=keep_best,
        combine="mean")


def score_test_set(ens: ensemble.MethodEnsemble, x_test, x_holdout) -> tuple[dict, np.ndarray]:
    """Scores of the trained classifiers (:func:`train_classifiers`) on the test events
    x_test (N, F), {method: (N,)} for :data:`METHODS`, and the CATHODE classifier's scores
    (N_holdout,) on the held-out template x_holdout (N_holdout, F); both scored in one
    pass over the events x_test then x_holdout."""
    n_test = len(x_test)
    combined = ens.scores(np.r_[x_test, x_holdout])
    return {m: combined[m][:n_test] for m in METHODS}, combined["cathode"][n_test:]


def summary(labels, scores) -> dict:
    """AUC, FPR and SIC at 50% signal efficiency and the max SIC, SIC = eS / sqrt(eB) as the
    CATHODE paper defines it (no offset; max over thresholds that keep >=
    radflow.ml.metrics.MIN_BACKGROUND background events); labels (N,) bool, scores (N,)."""
    return metrics.classifier_summary(labels, scores, "cathode")


def template_quality(x_holdout, x_background, score_holdout, score_background,
                     features, score_control_background, score_control) -> dict:
    """The template's quality against the SR test background, with its truth-vs-truth control.

    x_holdout (N_h, F): the held-out template events; x_background (N_b, F): the SR test
    background (features in their own units, ``features`` their F names);
    score_holdout (N_h,), score_background (N_b,): the CATHODE classifier's scores of both;
    score_control (N_c,), score_control_background (N_b,): the idealized detector's scores of
    the control (extra-sample SR background it never trained on, :func:`training_blocks`) and
    of the same SR test background. Returns per feature the two-sample KS statistic and
    p-value between template and background; ``classifier_auc``: CATHODE's AUC of background
    (label 1) vs held-out template (label 0); ``control_auc``: the idealized detector's AUC of
    background (label 1) vs control (label 0), which differs from 0.5 only by the finite
    samples (at n_sig = 0 the idealized detector is trained on background vs background:
    the complementarity paper's truth-vs-truth control); and the counts."""
    from scipy import stats                  # 0.4 s of import: only where it is used

    n_background = len(x_background)

    def auc(s_bkg, s_other):
        return metrics.roc_auc(np.r_[np.ones(len(s_bkg)), np.zeros(len(s_other))],
                               np.r_[s_bkg, s_other])

    return {"ks": {c: dict(zip(("statistic", "pvalue"),
                               map(float, stats.ks_2samp(x_holdout[:, i], x_background[:, i]))))
                   for i, c in enumerate(features)},
            "classifier_auc": auc(score_background, score_holdout),
            "control_auc": auc(score_control_background, score_control),
            "n_template_holdout": len(x_holdout), "n_background_test": n_background,
            "n_control": len(score_control)}


def signal_vs_background(is_signal, injected, scores: dict) -> tuple[dict, dict]:
    """Signal vs background on the test events that were not injected into the data (the SR
    test background and the never-injected SR test signal). is_signal, injected (N,) bool;
    scores {method: (N,)}. Returns the counts {'background_sr', 'signal_sr'} and
    {method: :func:`summary`}."""
    roc = ~injected
    bkg = ~is_signal
    counts = {"background_sr": int((roc & bkg).sum()), "signal_sr": int((roc & ~bkg).sum())}
    return counts, {m: summary(is_signal[roc], v[roc]) for m, v in scores.items()}
