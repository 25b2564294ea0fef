# Study list, targets and input functions of the cathode rules (rules.smk includes this file).

#: The nominal study (alpha = 0) and the mass-shifted ones, None / [] without them.
CATHODE = ([s for s in kind_studies("cathode") if STUDIES[s]["alpha"] == 0.0] or [None])[0]
CATHODE_SHIFTED = [s for s in kind_studies("cathode") if STUDIES[s]["alpha"] != 0.0]


def cathode_targets():
    return [f"results/{CATHODE}/summary.json", *figs("C1", "C2", "C3", "C4", "C5")] if CATHODE else []


KIND_TARGETS["cathode"] = cathode_targets


def cathode_runs(studies, what):
    """Per-injection outputs of the ``studies``: 'classifiers' metrics or 'flows' records."""
    return [f"results/{study}/{what}/{inj}.json" for study in studies for inj in injections(study)]
