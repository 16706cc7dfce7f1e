"""The layers point one way: kiosk -> search_index -> directory_data, no Flask below kiosk, and
Whoosh is used only inside search_index/engine."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import whoosh

from conftest import REPO_ROOT

PACKAGES = ("kiosk", "search_index", "directory_data")
ENGINE = REPO_ROOT / "search_index" / "engine"


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a test dependency"
    result = subprocess.run(
        [lint, "--config", str(REPO_ROOT / "setup.cfg")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")  # type: ignore[union-attr]


def _defined_names(files: Iterator[Path]) -> set[str]:
    """Every single-underscore name the files define: functions, classes, parameters, attributes
    and variables assigned."""
    found: set[str] = set()
    for path in files:
        with warnings.catch_warnings():  # Whoosh's sources hold invalid escape sequences
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = node.name
            elif isinstance(node, ast.arg):
                name = node.arg
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                name = node.attr
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            else:
                continue
            if _private(name):
                found.add(name)
    return found


def _project_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((REPO_ROOT / package).rglob("*.py"))]


def _whoosh_private_uses(path: Path, names: set[str]) -> list[str]:
    """Where ``path`` reads a private Whoosh name: ``obj._name``, ``f(_name=...)``, or
    ``from whoosh... import _name``."""
    uses = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.keyword):
            name = node.arg
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            uses.extend(f"{path}:{node.lineno} imports {a.name}" for a in node.names if _private(a.name))
            continue
        else:
            continue
        if name in names:
            uses.append(f"{path}:{getattr(node, 'lineno', '?')} uses {name}")
    return uses


def test_whoosh_private_names_are_used_only_in_the_engine() -> None:
    """Private names Whoosh defines (and this project does not) appear only under search_index/engine."""
    files = _project_files()
    whoosh_names = _defined_names(Path(whoosh.__file__).parent.rglob("*.py"))
    names = whoosh_names - _defined_names(iter(files))
    engine_uses = [use for path in files if ENGINE in path.parents for use in _whoosh_private_uses(path, names)]
    assert any("uses _commit_toc" in use for use in engine_uses), "the check finds the engine's uses"
    outside = [use for path in files if ENGINE not in path.parents for use in _whoosh_private_uses(path, names)]
    assert outside == []
