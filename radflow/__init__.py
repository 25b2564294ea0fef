"""radflow: resonant anomaly detection studies (SALAD, CWoLa, SA-CWoLa, ANODE, ...) on
generated or LHCO events, driven by a Snakemake DAG. Energies and masses are in GeV."""
