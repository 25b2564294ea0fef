"""CI-sized end-to-end SALAD study: A4-A9 and a summary with finite numbers."""
import json

import numpy as np


def test_salad_study_produces_figures_and_finite_summary(ci_run):
    for fid, name in (("A4", "dctr_output_sb"), ("A5", "features_sb_dctr"),
                      ("A6", "sr_classifier_dctr"), ("A7", "features_sr_dctr"),
                      ("A8", "salad_sensitivity_vs_sb"), ("A9", "salad_background_estimate")):
        for ext in ("pdf", "png"):
            assert (ci_run / "figures" / f"{fid}_{name}.{ext}").stat().st_size > 1000
    s = json.loads((ci_run / "salad" / "summary.json").read_text())
    values = [s["closure"]["auc_sim_vs_data_sr"], s["closure"]["auc_sim_dctr_vs_data_sr"]]
    values += [v for d in s["a9_ratio"].values() for pair in d.values() for v in pair]
    values += [v for d in s["max_sic"].values() for pair in d.values() for v in pair]
    assert np.all(np.isfinite(values))
    assert set(s["max_sic"]) == {"0", "0.05", "0.25"}
    # With S/B = 25% the ideal line finds the signal even at CI statistics.
    assert s["auc"]["0.25"]["ideal"][0] > 0.7


def test_dctr_closes_on_held_out_generated_sidebands(ci_run):
    """The DCTR classifier, applied to the held-out (test-half) sideband events of the
    generated samples: data vs sim separate, data vs DCTR-weighted sim do not (AUC within
    0.02 of 0.5)."""
    from radflow import h5io
    from radflow.ml import metrics

    dc = h5io.read_columns(ci_run / "salad" / "dctr" / "sb0_rep0.h5")
    rd = h5io.read_columns(ci_run / "salad" / "regions" / "data.h5", ["sb", "test"])
    rs = h5io.read_columns(ci_run / "salad" / "regions" / "sim.h5", ["sb", "test"])
    sd, ss = rd["sb"] & rd["test"], rs["sb"] & rs["test"]
    assert min(sd.sum(), ss.sum()) > 2000
    f = np.r_[dc["f_data"][sd], dc["f_sim"][ss]]
    y = np.r_[np.ones(sd.sum()), np.zeros(ss.sum())]
    w = np.r_[np.ones(sd.sum()), dc["w_sim"][ss]]
    assert metrics.roc_auc(y, f) > 0.57
    assert abs(metrics.roc_auc(y, f, w) - 0.5) < 0.02
