"""Generate one chunk of a sample: Pythia 8 -> detector stand-in -> anti-kT R=1.0 jets.

Writes results/events/{sample}/chunk{i}.root (see radflow.io) and prints the timing.
"""
import json
import time

import _bootstrap  # sys.path, job header, run()
from radflow import cli, config as cfgmod
from radflow.events import generate, io
from radflow.seeds import derive_seed


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--chunk", type=int, required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)

    cfg = cli.load_config(args)
    if args.sample not in cfg["samples"]:
        raise SystemExit(f"unknown sample '{args.sample}' (config 'samples': {sorted(cfg['samples'])})")
    sample = cfg["samples"][args.sample]
    seed = derive_seed(cfg["seed"], "generate", args.sample, args.chunk)
    n = cfgmod.chunk_size(cfg, args.sample, args.chunk)
    t0 = time.perf_counter()
    res = generate.generate_chunk(sample, n, seed, cfg["detector"], cfg["jets"])
    wall = time.perf_counter() - t0
    io.write_events(args.output, res.jets, label=generate.PROCESS_LABEL[sample["process"]],
                    sample_id=derive_seed(0, "sample_id", args.sample, modulus=2**15 - 1),
                    weight_pb=res.event_weight_pb,
                    run_info={"seed": seed, "n_tried": res.n_tried, "n_passed": res.n_passed,
                              "sigma_pb": res.sigma_pb, "wall_s": wall, **{
                                  f"t_{k}_s": v for k, v in res.timing.items()}})
    print(json.dumps({"sample": args.sample, "chunk": args.chunk, "seed": seed, "n_selected": n,
                      "n_generated": res.n_tried, "wall_s": round(wall, 2),
                      "ms_per_generated_event_with_init": round(1e3 * wall / res.n_tried, 3),
                      "ms_per_generated_event_chain": round(
                          1e3 * sum(res.timing.values()) / res.n_tried, 3),
                      "ms_per_generated_event_next_only": round(
                          1e3 * res.timing["next"] / res.n_tried, 3)}))


if __name__ == "__main__":
    _bootstrap.run(main)
