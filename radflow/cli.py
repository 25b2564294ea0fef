"""The command-line options every script shares.

A script reads its config either from a YAML file (``--config``: an overlay merged over
config/config.yaml as the Snakefile merges a ``--configfile``, validated and completed with
the schema's defaults on load: for running a script by hand) or as JSON on the
command line (``--config-json``: what every Snakemake rule passes, the subset of the merged
config that the rule declares in its params, so that a change of exactly those values
reruns the job).
"""
from __future__ import annotations

import argparse
import json

from radflow import config as cfgmod, studies


def parser(description: str) -> argparse.ArgumentParser:
    """Parser with the config options (one of --config / --config-json is required)."""
    ap = argparse.ArgumentParser(description=description)
    grp = ap.add_mutually_exclusive_group(required=True)
    grp.add_argument("--config", help="config YAML merged over config/config.yaml, "
                     "validated on load")
    grp.add_argument("--config-json", help="the config values this step reads, as JSON "
                     "(passed by the Snakemake rules)")
    return ap


def load_config(args) -> dict:
    """The config dict of parsed ``args`` (see :func:`parser`)."""
    if args.config_json is not None:
        try:
            cfg = json.loads(args.config_json)
        except json.JSONDecodeError as err:
            raise cfgmod.ConfigError(f"--config-json is not valid JSON ({err})") from err
        if not isinstance(cfg, dict):
            raise cfgmod.ConfigError("--config-json must be a JSON object")
        return cfg
    return studies.load_config(args.config)


def study_parser(description: str, samples=()) -> argparse.ArgumentParser:
    """:func:`parser` plus --study and, for each name in ``samples``, an option
    ``--{name} FEATURES_H5 REGIONS_H5`` (a sample's feature file and its study's region file).
    Scripts add their own options to it."""
    ap = parser(description)
    ap.add_argument("--study", required=True, help="a key of 'studies' in the config")
    for name in samples:
        ap.add_argument(f"--{name}", nargs=2, required=True, metavar=("FEATURES_H5", "REGIONS_H5"))
    return ap
