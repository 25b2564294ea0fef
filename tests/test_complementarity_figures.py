"""Figures D2-D14 of the complementarity study drawn from fake study files
(tests/complementarity_fakes.py, the spec's formats) through scripts/plot_complementarity.py,
and the numbers the figures print or draw checked against independent NumPy computations."""
import json
import re

import h5py
import matplotlib.pyplot as plt
import numpy as np
import pytest

from radflow import h5io
from radflow.studies.complementarity import figures, summary
from scripts import plot_complementarity as cli
from tests import complementarity_fakes as fakes

FIGURES = {"d2": "D2_sic_four_methods", "d3": "D3_synthetic_marginals_ks",
           "d5": "D5_auc_nsig0_vs_truth", "d6": "D6_score_scatter_background_nsig0",
           "d7": "D7_top_p_overlap_background_nsig0", "d8": "D8_multiclass_log_posterior",
           "d9": "D9_score_scatter_background", "d10": "D10_score_scatter_signal",
           "d11": "D11_top_p_overlap_background", "d12": "D12_top_p_overlap_signal",
           "d13": "D13_sic_vs_nsig", "d14": "D14_sic_curves_nsig750"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Fake study files (each run its own classifier job, so that an ensembled score spans
    two part files), their summary.json and the figures drawn by the script."""
    root = tmp_path_factory.mktemp("complementarity")
    paths = fakes.write(root / "results", repetitions=2, runs_per_part=1)
    s = summary.build(paths["scores"], paths["synthetic"], paths["multiclass"], list(fakes.FEATURES))
    (root / "summary.json").write_text(json.dumps(s))
    out = {k: root / "figures" / f"{name}.png" for k, name in FIGURES.items()}
    argv = ["--summary", str(root / "summary.json"), "--scores", *paths["scores"],
            "--synthetic", *[p for p in paths["synthetic"] if "/nsig0_" in p],
            "--multiclass", *paths["multiclass"]]
    for k, p in out.items():
        argv += [f"--{k}", str(p)]
    cli.main(argv)
    return {"paths": paths, "summary": s, "figures": out}


def test_every_figure_is_a_nonempty_png(study):
    for k, p in study["figures"].items():
        assert p.is_file(), f"{k}: {p} not written"
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{k}: {p} is not a PNG"
        assert p.stat().st_size > 10_000, f"{k}: {p} is nearly empty"


def test_d6_pearson_r_is_the_correlation_of_the_standardized_background_scores(study):
    """The r printed in each D6 panel equals numpy's corrcoef of the two methods' ensembled
    (generator 0, first `ensemble` runs), standardized scores on the background events."""
    parts = sorted(p for p in study["paths"]["scores"] if "/nsig0_rep0_nn_part" in p)
    size = h5io.read_attrs(parts[0])["ensemble"]
    assert size == 2 and len(parts) == 4          # the first ensembled score: parts 0 and 1
    raw = {m: [] for m in fakes.METHODS}
    for path in parts[:size]:
        with h5py.File(path, "r") as f:
            for m in fakes.METHODS:
                raw[m].append(f[f"score/{m}"][0, 0].astype(np.float64))
            bkg = ~f["is_signal"][()].astype(bool)
    z = {m: np.mean(s, axis=0) for m, s in raw.items()}
    z = {m: (s - s.mean()) / s.std() for m, s in z.items()}
    scores, is_signal = cli.first_ensembled(parts, list(fakes.METHODS))
    pearson = study["summary"]["per_variant"]["nn"]["pearson"]["background"]["0"]
    fig = figures.score_scatter(scores, is_signal, "background", "D6", 0, pearson)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    plt.close(fig)
    pairs = [(a, b) for i, a in enumerate(fakes.METHODS) for b in fakes.METHODS[i + 1:]]
    assert len(titles) == len(pairs)
    rs = []
    for (a, b), title in zip(pairs, titles):
        r = float(re.match(r"r = (-?[0-9.]+)", title).group(1))
        expected = np.corrcoef(z[a][bkg], z[b][bkg])[0, 1]
        assert r == pytest.approx(expected, abs=6e-4), (a, b, title)
        rs.append(r)
    # the fakes' background scores correlate weakly but not at all: a figure that drew the
    # signal events or unstandardized ranks would print other numbers
    assert 0.02 < np.mean(rs) < 0.5


def test_d3_ratio_applies_salad_weights(study):
    """D3's SALAD ratio panel is the DCTR-weighted normalized histogram over the truth's."""
    rep0 = [p for p in study["paths"]["synthetic"] if "/nsig0_rep0_" in p]
    synthetic = {p.rsplit("_", 1)[1][:-3]: h5io.read_columns(p) for p in rep0}
    truth_file = next(p for p in study["paths"]["scores"] if p.endswith("nsig0_rep0_nn_part0.h5"))
    cols = [*fakes.FEATURES, "mjj"]
    truth = summary.truth_background(truth_file, cols)
    fig = figures.marginals(synthetic, truth, list(fakes.FEATURES), study["summary"]["ks"], 0)
    rax = fig.axes[1]                       # ratio panel of the first feature
    steps = [p for p in rax.patches if hasattr(p, "get_data")]
    salad = steps[1].get_data()             # [0]: the truth's stat. band; then SALAD first
    plt.close(fig)
    bins = salad.edges
    c = fakes.FEATURES[0]
    w = synthetic["salad"]["weight"]
    h = np.histogram(synthetic["salad"][c], bins, weights=w)[0] / w.sum()
    t = np.histogram(truth[c], bins)[0] / len(truth[c])
    ok = t > 0
    assert np.allclose(salad.values[ok], h[ok] / t[ok], rtol=1e-9)
    unweighted = np.histogram(synthetic["salad"][c], bins)[0] / len(w)
    assert not np.allclose(salad.values[ok], unweighted[ok] / t[ok], rtol=1e-3)


def test_d13_draws_each_classifier_and_the_summary_medians(study):
    """D13 has one column per common classifier (nn, hgb) and its max-SIC line of CATHODE is
    the summary's median at every n_sig."""
    tables = study["summary"]["per_variant"]
    fig = figures.metrics_vs_nsig(tables, study["summary"]["reference"])
    axes = [ax for ax in fig.axes if ax.get_ylabel()]
    assert len(axes) == 4
    line = next(ln for ln in axes[0].lines if ln.get_label() == figures.label("cathode"))
    plt.close(fig)
    ns = sorted(int(n) for n in tables["nn"]["n_sig"])
    med = [tables["nn"]["metrics"]["cathode"][str(n)]["max_sic"]["band"]["median"] for n in ns]
    assert list(line.get_xdata()) == ns
    assert np.allclose(line.get_ydata(), med)


def test_figures_show_only_the_methods_that_ran(tmp_path):
    """With two of the four methods (one without its inputs is skipped upstream) the figures
    draw those two and the combinations: one scatter panel, no paper marker of a method that
    did not run."""
    paths = fakes.write(tmp_path, repetitions=2, methods=("cathode", "feta"), variants=("nn",),
                        noise_variants=False)
    s = json.loads(json.dumps(summary.build(paths["scores"], paths["synthetic"],
                                            paths["multiclass"], list(fakes.FEATURES))))
    table = s["per_variant"]["nn"]
    fig = figures.sic_vs_efficiency(table, 1500)
    assert {ln.get_label() for ln in fig.axes[0].lines} == {
        "CATHODE", "FETA", figures.label("truth"), r"random: $\sqrt{\epsilon_S}$"}
    plt.close(fig)
    fig = figures.metrics_vs_nsig(s["per_variant"], s["reference"])
    colours = {ln.get_markeredgecolor() for ln in fig.axes[0].lines
               if ln.get_markerfacecolor() == "none"}                  # the paper's markers
    plt.close(fig)
    assert colours == {figures.STYLE[k][1] for k in ("cathode", "feta", *figures.COMBINATIONS)}
    parts = [p for p in paths["scores"] if "/nsig0_rep0_nn_part" in p]
    scores, is_signal = cli.first_ensembled(parts, ["cathode", "feta"])
    fig = figures.score_scatter(scores, is_signal, "background", "D6", 0)
    assert sum(bool(ax.get_title(loc="left")) for ax in fig.axes) == 1
    plt.close(fig)
