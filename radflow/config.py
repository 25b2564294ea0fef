"""Loading and validating the radflow config before any job runs.

A config is ``config/config.yaml`` with overlays merged over it (:func:`merged`): each
``--configfile`` (config/ci.yaml, config/paper.yaml) holds only what it changes, and a
``null`` value removes a key. Validation has two layers: the JSON schema
``config/schema.yaml`` (types, ranges, required keys per source) and
:func:`check_semantics` (windows that overlap, studies naming unknown samples, input paths
that do not exist). Every message names the offending field.
"""
from __future__ import annotations

import copy

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "config" / "schema.yaml"
#: The config every other config file is merged over.
DEFAULT = REPO / "config" / "config.yaml"


#: libyaml's safe loader where PyYAML was built with it: the same objects as PyYAML's
#: pure-Python SafeLoader (tests/test_config.py, every YAML file of the repository) in a
#: ninth of the time. Every Snakemake start reads the config files, the schema, the cost
#: coefficients and the study kinds.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path):
    """The YAML file ``path`` parsed by the safe loader (plain data only, no tags)."""
    return yaml.load(Path(path).read_text(), Loader=_SAFE_LOADER)


class ConfigError(ValueError):
    """Invalid configuration; the message names the field."""


def _field(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<top level>"


def validate_schema(config: dict, schema_path=SCHEMA) -> None:
    """Raise :class:`ConfigError` with the field path of the first schema violation."""
    import jsonschema     # here: the jobs read their config as JSON and validate nothing

    schema = load_yaml(schema_path)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config),
                    key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"config field '{_field(e.absolute_path)}': {e.message}" for e in errors]
        raise ConfigError("invalid config:\n  " + "\n  ".join(lines))


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _check_window(name: str, w) -> None:
    if not w[0] < w[1]:
        raise ConfigError(f"config field '{name}': lower edge {w[0]} is not below upper edge {w[1]}")


#: Keys every study kind shares (config/schema.yaml); a kind's own keys are in its kind.yaml.
STUDY_COMMON_KEYS = ("kind", "samples", "fit_range", "signal_region", "sidebands", "long_sidebands",
                     "binning", "features", "injection", "alpha", "test_fraction")


def check_semantics(config: dict, base_dir=None) -> None:
    """Checks the schema cannot express; raise :class:`ConfigError` naming the field.

    Relative input paths are resolved against ``base_dir`` (default: the working
    directory, where Snakemake runs every job).
    """
    base_dir = Path.cwd() if base_dir is None else Path(base_dir)
    samples = config["samples"]
    for name, s in samples.items():
        if s["source"] != "generate":
            path = Path(s["path"])
            path = path if path.is_absolute() else base_dir / path
            if not path.is_file():
                raise ConfigError(f"config field 'samples.{name}.path': file {s['path']} not found")
        elif s["n_chunks"] > s["n_events"]:
            raise ConfigError(f"config field 'samples.{name}.n_chunks': {s['n_chunks']} chunks "
                              f"for {s['n_events']} events leaves empty chunks")
    for study, st in config["studies"].items():
        pre = f"studies.{study}"
        for role, s in st["samples"].items():
            if s not in samples:
                raise ConfigError(f"config field '{pre}.samples.{role}': unknown sample '{s}' "
                                  f"(defined: {sorted(samples)})")
        inj = st.get("injection")
        if inj and inj["repetitions"] > 1 and inj["background_fraction"] >= 1:
            raise ConfigError(f"config field '{pre}.injection.background_fraction': "
                              f"{inj['background_fraction']} with {inj['repetitions']} repetitions "
                              "gives every repetition the same background events; use a "
                              "fraction below 1 (docs/samples.md, 'Repetitions')")
        fit, sr = st["fit_range"], st["signal_region"]
        _check_window(f"{pre}.fit_range", fit)
        _check_window(f"{pre}.signal_region", sr)
        if not (fit[0] <= sr[0] and sr[1] <= fit[1]):
            raise ConfigError(f"config field '{pre}.signal_region': {sr} is not inside "
                              f"{pre}.fit_range {fit}")
        for key in ("sidebands", "long_sidebands"):
            for i, sb in enumerate(st.get(key, [])):
                _check_window(f"{pre}.{key}[{i}]", sb)
                if _overlap(sb, sr):
                    raise ConfigError(f"config field '{pre}.{key}[{i}]': {sb} overlaps "
                                      f"{pre}.signal_region {sr}")
                if not (fit[0] <= sb[0] and sb[1] <= fit[1]):
                    raise ConfigError(f"config field '{pre}.{key}[{i}]': {sb} is not inside "
                                      f"{pre}.fit_range {fit}")


def derive_regions(config: dict) -> dict:
    """Fill ``signal_region`` and ``sidebands`` of every study that declares a ``binning``
    (radflow.regions.binned_regions), in place. A binning whose windows leave the fit range,
    or explicit windows that differ from the derived ones by more than 0.5 GeV, is a
    :class:`ConfigError` naming the field. Runs after the schema, before the semantic
    checks, so rules read the derived windows like explicit ones."""
    from radflow.regions import binned_regions

    for study, st in config["studies"].items():
        if "binning" not in st:
            continue
        b = st["binning"]
        try:
            r = binned_regions(st["fit_range"], b["n_bins"], b["sr_bins"], b["sb_bins"],
                               b["mass_hypothesis"])
        except ValueError as err:
            raise ConfigError(f"config field 'studies.{study}.binning': {err}") from None
        for key in ("signal_region", "sidebands"):
            if key in st and (np.shape(st[key]) != np.shape(r[key])
                              or not np.allclose(st[key], r[key], rtol=0.0, atol=0.5)):
                raise ConfigError(f"config field 'studies.{study}.{key}': {st[key]} differs from "
                                  f"{np.round(r[key], 1).tolist()} derived from "
                                  f"studies.{study}.binning (give one of the two)")
            st[key] = r[key]
    return config


def validate(config: dict, base_dir=None) -> dict:
    """Schema validation, region derivation (:func:`derive_regions`) and semantic checks;
    returns the config with the derived windows filled in."""
    validate_schema(config)
    derive_regions(config)
    check_semantics(config, base_dir)
    return config


def _fresh(value):
    """``value`` with every mapping and list copied: objects that YAML anchors share in a
    file are not shared in a merged config (editing one study never edits another)."""
    if isinstance(value, Mapping):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def merge(base: Mapping, overlay: Mapping) -> dict:
    """A new dict: ``overlay`` merged over ``base`` as Snakemake merges config files
    (snakemake.utils.update_config): mappings key by key, recursively; any other value,
    lists included, replaces the base's. Keys of ``base`` keep their order, new keys follow."""
    out = _fresh(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = _fresh(value)
    return out


def drop_nulls(config: dict) -> dict:
    """Remove every key whose value is ``null`` (None), at any depth, in place: how an
    overlay removes a key of the config below it (no config field takes null)."""
    for key in [k for k, v in config.items() if v is None]:
        del config[key]
    for value in config.values():
        if isinstance(value, dict):
            drop_nulls(value)
    return config


def read(path) -> dict:
    """One YAML (or JSON) config file as a dict; :class:`ConfigError` if absent or not a
    mapping."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found")
    config = load_yaml(path)
    if not isinstance(config, dict):
        raise ConfigError(f"config file {path}: not a mapping of config fields")
    return config


def merged(overlays=(), overrides=None, default=DEFAULT) -> dict:
    """The config the workflow runs with, before the schema's defaults: ``default``
    (config/config.yaml), each file of ``overlays`` merged over it in order (:func:`merge`),
    then ``overrides`` (Snakemake's ``--config key=value``), and finally the keys whose
    value is null removed (:func:`drop_nulls`). The Snakefile builds its config with this."""
    config = read(default)
    for path in overlays:
        config = merge(config, read(path))
    if overrides:
        config = merge(config, overrides)
    return drop_nulls(config)


def overlay(base: Mapping, config: Mapping) -> dict:
    """The smallest overlay that :func:`merged` turns ``base`` into ``config``: the values
    that differ (a mapping recursively, anything else whole) and null for each key of
    ``base`` that ``config`` lacks."""
    out = {}
    for key, value in config.items():
        if key not in base:
            out[key] = _fresh(value)
        elif isinstance(value, Mapping) and isinstance(base[key], Mapping):
            sub = overlay(base[key], value)
            if sub:
                out[key] = sub
        elif value != base[key] or type(value) is not type(base[key]):
            out[key] = _fresh(value)
    out.update({key: None for key in base if key not in config})
    return out


def fill_defaults(config: dict, schema_path=SCHEMA) -> dict:
    """Insert the schema's ``default`` values for absent keys, in place, as Snakemake's
    ``validate(..., set_default=True)`` does; code never repeats a default."""
    return fill_defaults_schema(config, load_yaml(schema_path))


def fill_defaults_schema(config: dict, schema: dict) -> dict:
    """:func:`fill_defaults` with the schema given as a dict (a study kind's own keys)."""

    def walk(node, sch):
        if not isinstance(node, dict) or not isinstance(sch, dict):
            return
        props = sch.get("properties", {})
        for key, sub in props.items():
            if key not in node and "default" in sub:
                node[key] = copy.deepcopy(sub["default"])
            if key in node:
                walk(node[key], sub)
        extra = sch.get("additionalProperties")
        if isinstance(extra, dict):
            for key, value in node.items():
                if key not in props:
                    walk(value, extra)

    walk(config, schema)
    return config


def subset(config: dict, keys) -> dict:
    """The part of ``config`` under the dotted ``keys`` (e.g. ``"seed"``,
    ``"studies.salad.features"``), nested as in the config; absent optional keys are left
    out. A job that is given only this subset can read nothing else, so the subset is
    exactly what must trigger its rerun."""
    out: dict = {}
    for key in keys:
        parts = key.split(".")
        node = config
        for p in parts:
            if not isinstance(node, dict) or p not in node:
                break
            node = node[p]
        else:
            target = out
            for p in parts[:-1]:
                target = target.setdefault(p, {})
            target[parts[-1]] = node
    return out


def generated_chunks(config: dict, sample: str) -> list[int]:
    """Chunk indices of a generated sample."""
    return list(range(config["samples"][sample]["n_chunks"]))


def chunk_size(config: dict, sample: str, chunk: int) -> int:
    """Events in one chunk: n_events split as evenly as possible over n_chunks."""
    s = config["samples"][sample]
    base, extra = divmod(s["n_events"], s["n_chunks"])
    return base + (1 if chunk < extra else 0)
