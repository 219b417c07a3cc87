"""The code stays clean: ruff finds nothing, mypy --strict finds nothing, imports point
inward (the import contracts hold), and no module grows past 400 lines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "fairlabel"
MAX_MODULE_LINES = 400


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_every_import_points_inward() -> None:
    """The contracts in pyproject.toml ([tool.importlinter]): composition root > adapters >
    use cases > rules; use cases independent of each other; no framework in the rules or
    the use cases; the web adapter never imports the database adapter."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_import_contracts_catch_an_import_that_runs_back_up(tmp_path: Path) -> None:
    """The same contracts on a copy of the package in which one rule imports a use case."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "fairlabel",
                    ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    rule = copy / "fairlabel" / "domain" / "money.py"
    rule.write_text(rule.read_text() + "\nfrom fairlabel.services import pay  # noqa\n")
    env_path = f"{copy}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")),
                             "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                            check=False, env={**os.environ, "PYTHONPATH": env_path})
    assert result.returncode != 0
    assert "fairlabel.domain.money -> fairlabel.services.pay" in result.stdout


def test_no_module_is_over_400_lines() -> None:
    """Outside the migrations, which are a record, not code to change."""
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if "migrations" not in path.parts
            and (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_ruff_finds_nothing() -> None:
    subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks",
                    "tools", "docs"], cwd=ROOT, check=True)


def test_mypy_strict_finds_nothing() -> None:
    subprocess.run([sys.executable, "-m", "mypy", "src/fairlabel"], cwd=ROOT, check=True)
