# Study list, targets and input functions of the salad rules (rules.smk includes this file).

#: The SALAD study that draws A1-A9 (the first by name), None without one.
SALAD = (kind_studies("salad") or [None])[0]


def salad_targets():
    return ["results/validation/data_vs_sim.json", f"results/{SALAD}/summary.json",
            *figs("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9")] if SALAD else []


KIND_TARGETS["salad"] = salad_targets
