"""Conda envs: every rule names one, it covers the third-party imports of the script the
rule runs (and of the radflow modules that script reaches), and its pins equal
requirements.txt. Plus `snakemake --lint`."""
from pathlib import Path

import pytest
import yaml

from radflow import provenance
from tests.conftest import REPO, snakemake, workflow_rules

# import name -> pip distribution
DISTRIBUTION = {"yaml": "PyYAML", "sklearn": "scikit-learn"}
# distributions a package needs at run time without importing them by name
RUNTIME_EXTRAS = {"pandas": ["tables"]}


def requirements():
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def rules():
    """{rule: (env file, script path)} of every rule that runs something."""
    return {name: (Path(r["conda_env"]) if r["conda_env"] else None,
                   Path(r["script"]) if r["script"] else None)
            for name, r in workflow_rules().items() if not r["norun"]}


def env_pins(env_file: Path) -> dict:
    env = yaml.safe_load(env_file.read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert any(str(d).startswith("python=") for d in env["dependencies"]), f"{env_file}: no pinned python"
    return {p.split("==")[0].lower(): p.split("==")[1] for p in pip}


def test_every_rule_names_an_existing_env():
    for rule, (env, script) in rules().items():
        assert env is not None, f"rule {rule} has no conda: env"
        assert env.exists(), f"rule {rule}: {env} missing"
        assert script is not None and script.exists(), f"rule {rule}: no script"


@pytest.mark.parametrize("rule", sorted(rules()))
def test_env_covers_script_imports(rule):
    env, script = rules()[rule]
    pins = env_pins(env)
    needed = {DISTRIBUTION.get(n, n).lower() for n in provenance.third_party_modules(script)}
    needed |= {extra for n in needed for extra in RUNTIME_EXTRAS.get(n, [])}
    missing = needed - set(pins)
    assert not missing, f"rule {rule}: {env.name} lacks {sorted(missing)} needed by {script.name}"


def test_env_pins_agree_with_requirements():
    req = requirements()
    for env in sorted((REPO / "envs").glob("*.yaml")):
        for name, version in env_pins(env).items():
            assert req.get(name) == version, f"{env.name}: {name}=={version} vs requirements {req.get(name)}"


def test_snakemake_lint(tmp_path):
    proc = snakemake(tmp_path, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_import_scan_finds_every_form_and_skips_prose(tmp_path):
    """The code hash follows the imports of a file (radflow.provenance): parenthesized over
    lines, with a backslash, inside a function, several names, aliases, a comment holding a
    bracket; a docstring line that starts like an import but is prose (an open bracket over
    the next lines included) adds nothing and hides nothing after it."""
    f = tmp_path / "mod.py"
    f.write_text('"""Module.\n\nfrom the sidebands (the data\nof the SR) we learn.\n"""\n'
                 "import os, radflow.a as a\n"
                 "from radflow.b import (c,\n    d)\n"
                 "from radflow.e import \\\n    f\n"
                 "def g():\n    from radflow.h import i  # inside a function\n"
                 "def n():\n    from radflow.j import k  # a comment (with a bracket\n"
                 "    return k\n"
                 "from radflow.l import m\n"
                 "x = 'import nothing'\n")
    assert sorted(provenance._parsed_imports(f, 0, 0)) == sorted([
        "os", "radflow.a", "radflow.b", "radflow.b.c", "radflow.b.d", "radflow.e",
        "radflow.e.f", "radflow.h", "radflow.h.i", "radflow.j", "radflow.j.k", "radflow.l",
        "radflow.l.m"])
