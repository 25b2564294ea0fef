"""Every rule of a workflow as Snakemake itself loads it, written as JSON (tests/test_envs.py).

    python tests/workflow_rules.py SNAKEFILE CONFIGFILE WORKDIR OUT.json

Loads the Snakefile through Snakemake's Python API (no DAG, nothing runs) and writes, per
rule: whether it runs anything (``norun``: a target rule like ``all``), its conda env file
(absolute, resolved against the rule file's directory), the script it runs, its ``code``
param, its benchmark file pattern and its wildcards. The script of a shell rule is what its
command hands to ``python``: ``{params.NAME}`` (the rules' ``script("name")`` param, a
function of the job) resolved by calling it, or a literal path; of a ``script:`` rule, that
file. Run as its own process so Snakemake's logging and working directory do not leak into
the test session.
"""
import inspect
import json
import re
import sys
from pathlib import Path

PYTHON_ARG = re.compile(r"\bpython3?\s+(\S+)")


def _call(fn):
    """Value of a params function: every argument it names (wildcards, input, ...) is None
    (the rules' script() ignores them)."""
    return fn(*[None] * len(inspect.signature(fn).parameters))


def _shell_script(rule, basedir: Path):
    """(script path, None) of a shell rule, or (None, why not)."""
    args = PYTHON_ARG.findall(rule.shellcmd)
    if len(args) != 1:
        return None, f"shell command runs python {len(args)} times: {rule.shellcmd!r}"
    m = re.fullmatch(r"\{params\.(\w+)\}", args[0])
    if m is None:
        return str((basedir / args[0]).resolve()), None
    if m.group(1) not in rule.params.keys():
        return None, f"shell command names params.{m.group(1)}, which the rule lacks"
    value = getattr(rule.params, m.group(1))
    try:
        return str(Path(_call(value) if callable(value) else value).resolve()), None
    except Exception as e:   # noqa: BLE001 - reported, the test fails on it
        return None, f"params.{m.group(1)} does not resolve: {e!r}"


def describe(workflow) -> dict:
    out = {}
    for rule in workflow.rules:
        basedir = Path(rule.basedir.get_path_or_uri(secret_free=True))
        script, problem = None, None
        if rule.is_shell:
            script, problem = _shell_script(rule, basedir)
        elif rule.is_script:
            script = str((basedir / rule.script).resolve())
        elif not rule.norun:
            problem = "runs neither a shell command nor a script: directive"
        code = rule.params.code if "code" in rule.params.keys() else None
        out[rule.name] = {
            "norun": bool(rule.norun),
            "conda_env": str((basedir / rule.conda_env).resolve()) if rule.conda_env else None,
            "script": script,
            "script_problem": problem,
            "code": code if isinstance(code, str) else None,
            "benchmark": str(rule.benchmark) if rule.benchmark else None,
            "wildcards": sorted(rule.wildcard_names),
        }
    return out


def main(snakefile, configfile, workdir, out):
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    Path(workdir).mkdir(parents=True, exist_ok=True)
    with SnakemakeApi(OutputSettings()) as api:
        wapi = api.workflow(resource_settings=ResourceSettings(),
                            config_settings=ConfigSettings(configfiles=[Path(configfile).resolve()]),
                            snakefile=Path(snakefile).resolve(), workdir=Path(workdir).resolve())
        # The loaded (parsed and checked) workflow without building a DAG: the API's own
        # WorkflowApi._workflow, which list_rules() and list_resources() also use.
        rules = describe(wapi._workflow)
    Path(out).write_text(json.dumps(rules, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
