"""The code stays clean: ruff finds nothing, mypy --strict finds nothing, and the domain and
the aggregation library import no framework (dependencies point inward)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "fairlabel"
FRAMEWORKS = {"sqlalchemy", "fastapi", "starlette", "click", "jinja2", "httpx", "uvicorn",
              "alembic", "psycopg", "pydantic", "pydantic_settings"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", ["domain", "aggregation"])
def test_the_inner_layers_import_no_framework(layer: str) -> None:
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        assert not (_imports(path) & FRAMEWORKS), f"{path.name} imports a framework"


def test_the_services_import_no_web_or_database_library() -> None:
    for path in sorted((PACKAGE / "services").rglob("*.py")):
        found = _imports(path) & (FRAMEWORKS - {"pydantic"})
        assert not found, f"{path.name} imports {found}"


def test_ruff_finds_nothing() -> None:
    subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks",
                    "docs"], cwd=ROOT, check=True)


def test_mypy_strict_finds_nothing() -> None:
    subprocess.run([sys.executable, "-m", "mypy", "src/fairlabel"], cwd=ROOT, check=True)
