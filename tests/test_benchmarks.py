"""The benchmark scripts' --quick mode on tiny sizes: the printed JSON has every ratio and
rate, positive (the values themselves depend on the machine and are not checked)."""
import json

from scripts import benchmark_flows, benchmark_training


def printed_json(capsys):
    out = capsys.readouterr().out
    return json.loads(out[out.index("{"):out.rindex("}") + 1])


def test_training_benchmark_quick(capsys, tmp_path):
    benchmark_training.main(["--quick", "--output", str(tmp_path / "r.json")])
    r = printed_json(capsys)
    assert r == json.loads((tmp_path / "r.json").read_text())
    assert (r["hidden"], r["members"], r["batch_size"]) == ([16, 16], 100, 256)
    for key in ("keras_s_all_members", "vectorized_first_s", "vectorized_s",
                "speedup_vs_keras", "gflops_vectorized", "matmul_gflops_batched",
                "matmul_gflops_square", "fraction_of_batched_matmul",
                "fraction_of_square_matmul"):
        assert r[key] > 0, key
    assert r["epoch_traces"] >= 1


def test_flow_benchmark_quick(capsys):
    benchmark_flows.main(["--quick"])
    r = printed_json(capsys)
    assert (r["members"], r["blocks"], r["epochs"]) == (2, 1, 2)
    for key in ("radflow_epoch_s", "tfp_epoch_s", "radflow_gflops", "tfp_gflops",
                "steady_speedup", "total_speedup"):
        assert r[key] > 0, key
