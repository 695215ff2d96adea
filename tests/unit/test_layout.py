"""The package layout's rules: every module imports alone (no cycles) and stays one concern."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crawler", "pipelines")
MAX_LINES = 600


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def test_every_module_imports_on_its_own() -> None:
    """An import cycle shows up as an ImportError for some first module; try each one first."""

    def try_import(name: str) -> tuple[str, str]:
        proc = subprocess.run(
            [sys.executable, "-c", f"import {name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return name, proc.stderr.strip().splitlines()[-1] if proc.returncode else ""

    names = [name for name, _ in _modules()]
    assert len(names) > 20
    with ThreadPoolExecutor(4) as pool:
        failures = {name: err for name, err in pool.map(try_import, names) if err}
    assert not failures


@pytest.mark.parametrize("name,path", _modules(), ids=[n for n, _ in _modules()])
def test_long_modules_say_which_one_concern_they_hold(name: str, path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert docstring, f"{name} has no module docstring"
    if source.count("\n") > MAX_LINES:
        assert "one concern" in docstring.lower(), (
            f"{name} has {source.count(chr(10))} lines: split it, or say in its docstring "
            "which one concern it holds"
        )
