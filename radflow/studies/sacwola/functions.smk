# Study list, targets and input functions of the sacwola rules (rules.smk includes this file).

#: The SA-CWoLa study that draws B1-B7 (the first by name), None without one.
SACWOLA = (kind_studies("sacwola") or [None])[0]


def sacwola_targets():
    return [f"results/{SACWOLA}/fits.json", f"results/{SACWOLA}/summary.json",
            *figs("B1", "B2", "B3", "B4", "B5", "B6", "B7")] if SACWOLA else []


KIND_TARGETS["sacwola"] = sacwola_targets
