"""Build results/features/{sample}.h5 from a sample's source (generated chunks, an LHCO
R&D HDF5 file or a flat ROOT ntuple)."""

import numpy as np

import _bootstrap  # sys.path, job header, run()
from radflow import h5io
from radflow import cli
from radflow.events import features, io


def read_dijets(sample_cfg: dict, inputs: list) -> dict:
    source = sample_cfg["source"]
    if source == "generate":
        tables = [io.read_event_chunk_dijets(p) for p in inputs]
        return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}
    if source == "lhco_h5":
        table = io.read_lhco_dijets(inputs[0], sample_cfg.get("key", "df"))
    else:
        table = io.read_flat_root_dijets(inputs[0], sample_cfg["tree"], sample_cfg["branches"])
    if "label" in sample_cfg:
        table["label"] = np.full(len(table["m_a"]), sample_cfg["label"], np.int8)
    if "select_label" in sample_cfg:
        if "label" not in table:
            raise h5io.InputError(f"{inputs[0]}: 'select_label' is set but the file has no label")
        keep = table["label"] == sample_cfg["select_label"]
        table = {k: v[keep] for k, v in table.items()}
    return table


def main(argv=None):
    ap = cli.parser(__doc__)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--inputs", nargs="+", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args(argv)
    cfg = cli.load_config(args)
    sample_cfg = cfg["samples"][args.sample]
    cols = features.from_dijets(read_dijets(sample_cfg, args.inputs))
    h5io.write_columns(args.output, cols, attrs={"sample": args.sample,
                                               "source": sample_cfg["source"]})
    print(f"{args.sample}: {len(cols['mjj'])} events, columns {sorted(cols)}")


if __name__ == "__main__":
    _bootstrap.run(main)
