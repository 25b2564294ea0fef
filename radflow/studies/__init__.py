"""Study kinds as plugins.

A study kind is a folder holding everything that kind owns: ``kind.yaml`` (its name, the
paper, the sample roles its rules read, the config keys a study of the kind needs, the
schema of its own keys and its figure catalog), ``rules.smk`` (rules generic in the
``{study}`` wildcard, constrained to the studies of that kind, and a ``targets(study)``
function listing what ``rule all`` builds) and, optionally, ``checks.py`` with
``check(prefix, study, config)`` for what a schema cannot express. The kinds of radflow live
in ``radflow/studies/<kind>/``; a config may add folders of its own with ``study_kinds:``
(relative to the working directory), so a new kind is a folder plus a config entry.

A config study names its ``kind:`` and maps the roles of the kind to sample names
(``samples: {data: data, signal: sig_xy}``).
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from radflow.config import ConfigError, _field, fill_defaults_schema, load_yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class StudyKind:
    """One study kind: its folder and the fields of its ``kind.yaml``."""

    name: str
    path: Path
    paper: str
    roles: tuple            #: sample roles the kind's rules read (keys of a study's samples)
    optional_roles: tuple   #: roles used when mapped (e.g. sim for SA-CWoLa in a scan)
    injection: str | None   #: injection style its studies need: 'sb' (S/B grid), 'n_signal'
    keys: tuple             #: config keys a study of this kind must have
    schema: dict            #: JSON schema of the kind's own keys (properties of a study)
    figures: dict = field(repr=False)   #: catalog: figure id -> entry

    @property
    def rules(self) -> Path:
        return self.path / "rules.smk"

    def check(self, prefix: str, study: dict, config: dict) -> None:
        """The kind's semantic checks (``checks.py``), if it has any."""
        path = self.path / "checks.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(f"radflow_kind_{self.name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.check(prefix, study, config)


def load_kind(path) -> StudyKind:
    """The study kind of the folder ``path`` (its ``kind.yaml``)."""
    path = Path(path).resolve()
    spec_file = path / "kind.yaml"
    if not spec_file.is_file():
        raise ConfigError(f"study kind folder {path}: no kind.yaml")
    spec = load_yaml(spec_file)
    missing = [k for k in ("name", "paper", "roles", "figures") if k not in spec]
    if missing:
        raise ConfigError(f"{spec_file}: missing {missing}")
    if not (path / "rules.smk").is_file():
        raise ConfigError(f"study kind folder {path}: no rules.smk")
    return StudyKind(name=spec["name"], path=path, paper=spec["paper"],
                     roles=tuple(spec["roles"]), optional_roles=tuple(spec.get("optional_roles", ())),
                     injection=spec.get("injection"), keys=tuple(spec.get("keys", ())), schema=spec.get("schema", {}),
                     figures=spec["figures"] or {})


def registry(extra=()) -> dict[str, StudyKind]:
    """Kind name -> :class:`StudyKind` for radflow's kinds and the folders in ``extra``. Two
    kinds of one name, or a figure id claimed by two kinds, are an error."""
    folders = sorted(p.parent for p in HERE.glob("*/kind.yaml")) + [Path(p) for p in extra]
    kinds: dict[str, StudyKind] = {}
    owner: dict[str, str] = {}
    for folder in folders:
        kind = load_kind(folder)
        if kind.name in kinds:
            raise ConfigError(f"study kind '{kind.name}' defined twice ({kinds[kind.name].path}, "
                              f"{kind.path})")
        for fid in kind.figures:
            if fid in owner:
                raise ConfigError(f"figure id {fid} claimed by the kinds {owner[fid]} and "
                                  f"{kind.name}")
            owner[fid] = kind.name
        kinds[kind.name] = kind
    return kinds


def kinds_of(config: dict) -> dict[str, StudyKind]:
    """The registry for ``config`` (radflow's kinds plus its ``study_kinds`` folders)."""
    return registry(config.get("study_kinds", ()))


def studies_of_kind(config: dict, kind: str) -> list[str]:
    """Names of the config's studies of ``kind``, sorted."""
    return sorted(n for n, st in config["studies"].items() if st["kind"] == kind)


def sample(config: dict, study: str, role: str) -> str:
    """The sample name a study maps ``role`` to."""
    return config["studies"][study]["samples"][role]


def check_studies(config: dict, kinds: dict[str, StudyKind]) -> None:
    """Per study: a known kind, its roles mapped to defined samples, its keys present, its own
    keys valid against the kind's schema (defaults filled in), no key that neither the common
    study schema nor the kind knows, and the kind's semantic checks. Raises
    :class:`ConfigError` naming the field."""
    import jsonschema     # here, as in radflow.config.validate_schema

    from radflow.config import STUDY_COMMON_KEYS

    for name, st in config["studies"].items():
        pre = f"studies.{name}"
        kind = kinds.get(st["kind"])
        if kind is None:
            raise ConfigError(f"config field '{pre}.kind': unknown study kind '{st['kind']}' "
                              f"(known: {sorted(kinds)})")
        for role in kind.roles:
            if role not in st["samples"]:
                raise ConfigError(f"config field '{pre}.samples': a {kind.name} study maps the "
                                  f"sample roles {list(kind.roles)}; '{role}' is missing")
        for role, s in st["samples"].items():
            if role not in kind.roles + kind.optional_roles:
                raise ConfigError(f"config field '{pre}.samples.{role}': not a role of the "
                                  f"{kind.name} kind ({list(kind.roles + kind.optional_roles)})")
            if s not in config["samples"]:
                raise ConfigError(f"config field '{pre}.samples.{role}': unknown sample '{s}' "
                                  f"(defined: {sorted(config['samples'])})")
        for key in kind.keys:
            if key not in st:
                raise ConfigError(f"config field '{pre}.{key}': required by a {kind.name} study")
        if kind.injection and kind.injection not in st["injection"]:
            raise ConfigError(f"config field '{pre}.injection': a {kind.name} study needs "
                              f"'{kind.injection}'")
        own = kind.schema.get("properties", {})
        unknown = sorted(set(st) - set(STUDY_COMMON_KEYS) - set(own))
        if unknown:
            raise ConfigError(f"config field '{pre}.{unknown[0]}': not a key of a {kind.name} "
                              f"study (its own keys: {sorted(own)})")
        schema = {"type": "object", "properties": own,
                  "definitions": kind.schema.get("definitions", {})}
        fill_defaults_schema(st, schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(st),
                        key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            raise ConfigError("invalid config:\n  " + "\n  ".join(
                f"config field '{pre}.{_field(e.absolute_path)}': {e.message}" for e in errors))
        kind.check(pre, st, config)


def validate(config: dict, base_dir=None) -> dict:
    """The schema's defaults filled in, :func:`radflow.config.validate` (schema, regions,
    shared semantics) and then :func:`check_studies` for the kinds of ``config``; returns
    the config."""
    from radflow import config as cfgmod

    cfgmod.fill_defaults(config)
    cfgmod.validate(config, base_dir)
    check_studies(config, kinds_of(config))
    return config


def load_config(*overlays) -> dict:
    """config/config.yaml with the ``overlays`` (config file paths) merged over it
    (:func:`radflow.config.merged`), filled with the schema's defaults and validated
    (:func:`validate`): the config a script run by hand with ``--config`` sees."""
    from radflow import config as cfgmod

    return validate(cfgmod.merged(overlays))


def catalog(kinds: dict[str, StudyKind]) -> dict:
    """Figure id -> catalog entry (with its ``kind``) over all kinds."""
    return {fid: dict(entry, kind=k.name) for k in kinds.values()
            for fid, entry in k.figures.items()}
