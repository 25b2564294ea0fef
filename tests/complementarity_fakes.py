"""Fake but realistic inputs of the complementarity study in the formats its jobs write, for the
statistics, summary and figure tests:

- synthetic samples results/{study}/synthetic/{injection}_{method}.h5 (5 features and mjj in
  GeV, ``weight``: SALAD's DCTR weights, 1 otherwise; ``generator``);
- classifier scores results/{study}/scores/{injection}_{variant}_part{k}.h5 (the fixed test set's
  ``is_signal``, ``mjj`` and features as columns; ``score/<method>`` (G, R, N_test) float32
  for the four methods and the sample-level ``combined``, ``score/truth`` (1, R, N_test));
- multiclass log posteriors results/{study}/multiclass/{injection}.json (n_sig = 0 only).

The scores follow a latent model with the paper's qualitative features: per event a
signal-likeness ``a`` (signal events high), an event term shared by all methods ``c``, a
method term ``u_m`` (background scores of two methods correlate weakly), a generator term
and run noise; the signal term grows with n_sig, so signal scores correlate strongly at the
largest n_sig. ``nn_noise`` loses most of its signal term (the paper-era NN with 10 noise
features), ``hgb_noise`` keeps it. Everything is seeded from ``seed``.

``python -m tests.complementarity_fakes DIR`` (from the repository root) writes a default
set under DIR.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import h5py
import numpy as np

from radflow import h5io, jobs

METHODS = ("salad", "cathode", "curtains", "feta")
FEATURES = ("mj2", "delta_m", "tau21_j1", "tau21_j2", "delta_R_jj")
SIGNAL_REGION = (3300.0, 3700.0)
#: Oversampling of each method's synthetic sample (paper Table 2; SALAD reweights: 1).
OVERSAMPLING = {"salad": 1.0, "cathode": 4.0, "curtains": 4.0, "feta": 6.0}
#: A small method-specific mismodelling of one feature (column, factor): KS ~ 1e-2.
DISTORTION = {"salad": ("tau21_j1", 1.02), "cathode": ("mj2", 1.0), "curtains": ("delta_R_jj", 1.01),
              "feta": ("mj2", 1.015)}
#: Weight of the method term u_m in a method's logit (combined samples average it down).
METHOD_TERM = {"salad": 0.6, "cathode": 0.6, "curtains": 0.7, "feta": 0.6, "combined": 0.35,
               "truth": 0.0}
#: Factor on the signal term of each classifier variant (noise features hurt the NN).
VARIANT_SIGNAL = {"nn": 1.0, "hgb": 0.95, "nn_noise": 0.25, "hgb_noise": 0.9}


def background_events(rng, n: int) -> dict:
    """SR QCD-like dijet background: columns (n,) in GeV (masses) or dimensionless."""
    ma, mb = rng.lognormal(np.log(80.0), 0.6, (2, n))
    return {"mjj": SIGNAL_REGION[0] + (SIGNAL_REGION[1] - SIGNAL_REGION[0]) * rng.beta(1.0, 1.4, n),
            "mj2": np.minimum(ma, mb), "delta_m": np.abs(ma - mb),
            "tau21_j1": rng.beta(5, 3, n), "tau21_j2": rng.beta(5, 3, n),
            "delta_R_jj": np.clip(rng.normal(3.1, 0.25, n), 2.0, None)}


def signal_events(rng, n: int) -> dict:
    """W' -> X(500) Y(100) like signal: mj2 ~ 100 GeV, delta_m ~ 400 GeV, two-prong jets."""
    return {"mjj": np.clip(rng.normal(3500.0, 60.0, n), *SIGNAL_REGION),
            "mj2": rng.normal(100.0, 8.0, n), "delta_m": rng.normal(400.0, 25.0, n),
            "tau21_j1": rng.beta(2, 5, n), "tau21_j2": rng.beta(2, 5, n),
            "delta_R_jj": np.clip(rng.normal(3.2, 0.2, n), 2.0, None)}


def signal_strength(n_sig: float, variant: str) -> float:
    """Coefficient of the signal-likeness in the logit: 0 at n_sig = 0, ~2 at 1500."""
    return 2.0 * (n_sig / 1500.0) ** 1.5 * VARIANT_SIGNAL[variant]


def repetition_seeds(rep: int, n_sig: int, seed: int) -> dict:
    """A repetition record as radflow.inject.repetition_seeds gives it."""
    base = 10000 * (seed + 1)
    return {"rep": rep, "background_fraction": 0.5,
            "seeds": {"background": {"data": base + rep, "data_extra": base + 100 + rep},
                      "split": {"data": base + 200 + rep, "sig_xy": base + 300 + rep},
                      "injection": base + 10000 * rep + n_sig}}


def write_scores(stem, test: dict, latent: dict, n_sig: int, rep: int, variant: str, seed: int,
                 n_generators: int, runs: int, ensemble: int, methods=METHODS,
                 runs_per_part=None) -> list:
    """The scores files {stem}_part{k}.h5 of one injection and variant: the fixed ``test``
    set (columns (N,)) and scores from the ``latent`` event terms, the runs in parts of
    ``runs_per_part`` (None: one part), as the classify jobs write them. Returns the paths."""
    rng = np.random.default_rng([seed, rep, n_sig, sum(map(ord, variant))])
    n = len(test["mjj"])
    k = signal_strength(n_sig, variant)
    scores = {}
    for m in (*methods, "combined", "truth"):
        g = 1 if m == "truth" else n_generators
        kk = k * (1.05 if m in ("combined", "truth") else 1.0)
        gen = 0.3 * rng.standard_normal((g, 1, n))
        noise = 0.3 * rng.standard_normal((g, runs, n))
        logit = (kk * latent["a"] + 0.3 * latent["c"] + METHOD_TERM[m] * latent["u"].get(m, 0.0)
                 + gen + noise - 1.0)
        scores[m] = (1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
    n_sr_data = 20000
    attrs = {"methods": list(methods), "n_signal": int(round(n_sig * 0.15)), "n_sr_data": n_sr_data,
             "ensemble": ensemble, "classifier": variant,
             "noise_features": 10 if variant.endswith("_noise") else 0,
             "repetition": json.dumps(repetition_seeds(rep, n_sig, seed))}
    paths = []
    for k, part in enumerate(jobs.job_parts(runs, runs_per_part)):
        path = f"{stem}_part{k}.h5"
        h5io.write_columns(path, test, {**attrs, "runs": [part.start, part.stop]})
        with h5py.File(path, "a") as f:
            for m, s in scores.items():
                f.create_dataset(f"score/{m}", data=s[:, part.start:part.stop])
        paths.append(path)
    return paths


def write_synthetic(path, method: str, rng, n: int, n_generators: int) -> None:
    """One method's synthetic SR background: truth-like with DISTORTION[method]."""
    ev = background_events(rng, n)
    col, factor = DISTORTION[method]
    ev[col] = ev[col] * factor
    weight = rng.lognormal(-0.02, 0.15, n) if method == "salad" else np.ones(n)
    ev.update(weight=weight.astype(np.float64),
              generator=(np.arange(n) * n_generators // n).astype(np.int32))
    h5io.write_columns(path, ev, {"method": method, "n_generators": n_generators,
                                  "oversampling": OVERSAMPLING[method], "n_sb_train": 8000,
                                  "n_sb_val": 2000})


def write_multiclass(path, rng, runs: int, methods=METHODS) -> None:
    """Eq. (3.1) log posteriors: each model favours its own samples, truth in between."""
    lp = {mi: {sj: (np.log(0.25) + (0.12 if mi == sj else -0.04 if sj != "truth" else 0.0)
                    + 0.01 * rng.standard_normal(runs)).tolist()
               for sj in (*methods, "truth")} for mi in methods}
    Path(path).write_text(json.dumps({"methods": list(methods), "log_posterior": lp}))


def write(directory, n_sig=(0, 750, 1500), repetitions: int = 3, variants=("nn", "hgb"),
          noise_variants=True, n_generators: int = 2, runs: int = 4, ensemble: int = 2,
          n_background: int = 3000, n_signal: int = 400, n_synthetic: int = 4000,
          methods=METHODS, seed: int = 0, runs_per_part=None) -> dict:
    """Write a fake study under ``directory`` (results/{study}): synthetic/, scores/ and
    multiclass/ for injections nsig{n}_rep{r}; the noise variants (``noise_variants``) only at
    the largest n_sig, as the study runs them. Returns {"scores", "synthetic", "multiclass":
    [paths]}."""
    directory = Path(directory)
    out = {"scores": [], "synthetic": [], "multiclass": []}
    for rep in range(repetitions):
        rng = np.random.default_rng([seed, rep])
        bkg, sig = background_events(rng, n_background), signal_events(rng, n_signal)
        test = {"is_signal": np.r_[np.zeros(n_background, bool), np.ones(n_signal, bool)],
                **{c: np.r_[bkg[c], sig[c]] for c in ("mjj", *FEATURES)}}
        n = n_background + n_signal
        latent = {"a": np.r_[0.3 * rng.standard_normal(n_background),
                             rng.normal(1.5, 1.0, n_signal)],
                  "c": rng.standard_normal(n),
                  "u": {m: rng.standard_normal(n) for m in (*METHODS, "combined")}}
        for n_s in n_sig:
            label = f"nsig{n_s}_rep{rep}"
            runs_here = [*variants, *((f"{v}_noise" for v in variants) if noise_variants
                                      and n_s == max(n_sig) else ())]
            for variant in runs_here:
                out["scores"] += write_scores(directory / "scores" / f"{label}_{variant}", test,
                                              latent, n_s, rep, variant, seed, n_generators,
                                              runs, ensemble, methods, runs_per_part)
            srng = np.random.default_rng([seed, rep, n_s, 7])
            for m in methods:
                p = directory / "synthetic" / f"{label}_{m}.h5"
                write_synthetic(p, m, srng, n_synthetic, n_generators)
                out["synthetic"].append(str(p))
            if n_s == 0:
                p = directory / "multiclass" / f"{label}.json"
                p.parent.mkdir(parents=True, exist_ok=True)
                write_multiclass(p, srng, runs, methods)
                out["multiclass"].append(str(p))
    return out


if __name__ == "__main__":
    paths = write(sys.argv[1])
    print(json.dumps({k: len(v) for k, v in paths.items()}))
