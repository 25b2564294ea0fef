"""The anomaly-detection methods of the papers (CWoLa, SA-CWoLa, DCTR, SALAD), built on
radflow.ml."""
