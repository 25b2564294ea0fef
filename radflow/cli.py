"""The command-line options every study script shares."""
from __future__ import annotations

import argparse


def study_parser(description: str, samples=()) -> argparse.ArgumentParser:
    """Parser with --config and --study and, for each name in ``samples``, an option
    ``--{name} FEATURES_H5 REGIONS_H5`` (a sample's feature file and its study's region file).
    Scripts add their own options to it."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--config", required=True, help="config YAML, validated on load")
    ap.add_argument("--study", required=True, help="a key of 'studies' in the config")
    for name in samples:
        ap.add_argument(f"--{name}", nargs=2, required=True, metavar=("FEATURES_H5", "REGIONS_H5"))
    return ap
