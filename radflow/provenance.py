"""What a Snakemake job depends on besides its input files: the code it runs.

:func:`code_files` follows the imports of a script (module level and inside functions)
into the ``radflow`` package and sibling scripts; :func:`code_version` hashes their bytes.
A rule carries the hash as a param, so editing the script or any radflow module it reaches
reruns exactly the jobs that run that code (Snakemake's params rerun trigger), while a
moved checkout, a fresh clone or a touched file with the same content reruns nothing.
"""
from __future__ import annotations

import ast
import hashlib
import re
import sys
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> tuple[str, ...]:
    """The modules the file ``path`` imports; parsed once per file version (the Snakefile
    asks for the files of ~40 scripts, which share most of their modules)."""
    stat = path.stat()
    return _parsed_imports(path, stat.st_mtime_ns, stat.st_size)


#: A line that starts an import statement (at any indentation: imports inside functions
#: count too).
_IMPORT_LINE = re.compile(r"[ \t]*(?:import|from)[ \t]")


def _statements(lines: list[str]):
    """The import statements of a file's ``lines``, each with its continuation lines (open
    brackets, trailing backslash; counted without comments, which an import holds no string
    to hide), the first line dedented. A docstring line that reads like one but does not
    parse is dropped, and the lines after it are searched again."""
    for i, line in enumerate(lines):
        if not _IMPORT_LINE.match(line):
            continue
        stmt, code, j = line.strip(), line.split("#")[0].rstrip(), i
        while (code.count("(") > code.count(")") or code.endswith("\\")) and j + 1 < len(lines):
            j += 1
            stmt += "\n" + lines[j]
            code += "\n" + lines[j].split("#")[0].rstrip()
        try:
            yield ast.parse(stmt).body[0]
        except SyntaxError:
            continue


@lru_cache(maxsize=None)
def _parsed_imports(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The modules of the file's import statements, parsed alone: the whole files of the
    scripts and their modules took 0.47 s to parse in every Snakemake start (the Snakefile
    hashes the code of every script), their import statements 0.02 s."""
    mods = []
    for node in _statements(path.read_text().splitlines()):
        if isinstance(node, ast.Import):
            mods += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return tuple(mods)


@lru_cache(maxsize=None)
def _local_file(mod: str) -> Path | None:
    """The repository file of a radflow module or a sibling script, else None (looked up
    once per module name and process: the ~40 scripts reach the same modules, 9300 lookups
    of two file checks each in every Snakemake start)."""
    parts = mod.split(".")
    if parts[0] == "radflow":
        for cand in (REPO.joinpath(*parts).with_suffix(".py"), REPO.joinpath(*parts, "__init__.py")):
            if cand.is_file():
                return cand
    elif len(parts) == 1 and (REPO / "scripts" / f"{mod}.py").is_file():
        return REPO / "scripts" / f"{mod}.py"
    return None


def code_files(script) -> list[Path]:
    """The script and every repository file it reaches by imports, sorted (package
    ``__init__`` files of the modules it imports included)."""
    todo, seen = [Path(script).resolve()], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for mod in _imported_modules(path):
            parts = mod.split(".")
            for i in range(1, len(parts) + 1):   # radflow, radflow.ml, radflow.ml.ensemble
                f = _local_file(".".join(parts[:i]))
                if f is not None and f not in seen:
                    todo.append(f)
    return sorted(seen)


def third_party_modules(script) -> set[str]:
    """Top-level names of the non-stdlib, non-repository modules the code of ``script``
    imports (what its conda env must provide)."""
    out = set()
    for path in code_files(script):
        for mod in _imported_modules(path):
            top = mod.split(".")[0]
            if top != "radflow" and _local_file(top) is None and top not in sys.stdlib_module_names:
                out.add(top)
    return out


@lru_cache(maxsize=None)
def code_version(script) -> str:
    """SHA-256 (first 16 hex digits) over the relative paths and bytes of
    :func:`code_files` of ``script``."""
    h = hashlib.sha256()
    for f in code_files(script):
        h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]
