"""CURTAINs (radflow.templates.curtains) on a toy with a known answer: feature means move
linearly with mjj, mjj falls exponentially (like a dijet spectrum). Sideband events mapped
to SR masses drawn from the sideband dijet fit match the SR data, where the unmapped
sideband events do not; the map's inverse pass undoes it."""
import numpy as np
import pytest
from scipy import stats

from radflow.ml import flows
from radflow.templates import Events
from radflow.templates.curtains import CurtainsTemplate

SR, FIT = (3300.0, 3700.0), (2800.0, 4200.0)
N_TRUTH = 2000       # independent SR data events the template is KS-tested against
ALPHA = 0.01         # KS test level


def toy(n, seed):
    """Events x (n, 2) = (1 + 2t, -0.5 + t) + N(0, 1), t = (mjj - 3500 GeV) / TeV, mjj =
    2800 GeV + exponential (scale 600 GeV) below 4200 GeV."""
    rng = np.random.default_rng(seed)
    m = FIT[0] + rng.exponential(600.0, 3 * n)
    m = m[m < FIT[1]][:n]
    t = (m - 3500.0) / 1000.0
    x = np.column_stack([1.0 + 2.0 * t, -0.5 + 1.0 * t]) + rng.standard_normal((n, 2))
    return Events(x, m)


def in_sr(ev):
    return (ev.m >= SR[0]) & (ev.m < SR[1])


@pytest.fixture(scope="module")
def curtains():
    data = toy(20000, 1)
    sb = ~in_sr(data)
    template = CurtainsTemplate(
        flows.FlowSpec(n_blocks=4, hidden=64, epochs=25, batch_size=256, learning_rate=1e-3,
                       keep_best=3),
        flows.FlowSpec(n_blocks=3, hidden=32, epochs=25, batch_size=256, learning_rate=1e-3,
                       keep_best=3), SR, oversampling=1)
    return template.fit(Events(data.x[sb], data.m[sb]), seed=3), Events(data.x[sb], data.m[sb])


def test_sideband_events_mapped_into_the_signal_region_match_its_data(curtains):
    """Per feature, the two-sample KS test of the template (every sideband event mapped once,
    oversampling 1, so its ~15k events are independent) against N_TRUTH independent SR data
    events passes at ALPHA (measured D 0.017, 0.023, p 0.70, 0.32; against 85k SR data
    events the template's own distance is 0.014, 0.009), and the same test rejects the
    unmapped sideband events (D 0.24, 0.13, p < 1e-20). The target masses from the dijet fit
    follow the SR spectrum (their KS test passes too; distance 0.006 from 85k SR masses)."""
    template, sb = curtains
    truth = toy(20000, 5)
    truth = Events(truth.x[in_sr(truth)][:N_TRUTH], truth.m[in_sr(truth)][:N_TRUTH])
    assert len(truth) == N_TRUTH
    out = template.sample(None, None, seed=4)
    assert len(out) == len(sb) and np.all(out.w == 1)
    assert np.all((out.m >= SR[0]) & (out.m <= SR[1]))
    assert stats.ks_2samp(out.m, truth.m).pvalue > ALPHA
    for f in range(2):
        mapped = stats.ks_2samp(out.x[:, f], truth.x[:, f])
        raw = stats.ks_2samp(sb.x[:, f], truth.x[:, f])
        print(f"feature {f}: mapped D {mapped.statistic:.4f} p {mapped.pvalue:.3g}"
              f" | unmapped D {raw.statistic:.4f} p {raw.pvalue:.3g}")
        assert mapped.pvalue > ALPHA, (f, mapped)
        assert raw.pvalue < 1e-6, (f, raw)


def test_mapping_there_and_back_returns_the_input(curtains):
    """m1 -> m2 (generating direction) -> m1 (the inverse pass, same conditions) returns
    every event to 1e-4 (features of width 1; measured max 1e-6), for moves across the SR in
    both directions (mean |move| 1.3)."""
    template, sb = curtains
    rng = np.random.default_rng(6)
    m2 = np.where(sb.m < SR[0], rng.uniform(3700.0, 4200.0, len(sb)),
                  rng.uniform(2800.0, 3300.0, len(sb)))
    there = template.map(sb.x, sb.m, m2, seed=7)
    assert np.abs(there - sb.x).mean() > 0.3
    np.testing.assert_allclose(template.map_back(there, sb.m, m2, seed=7), sb.x, atol=1e-4)
