"""`fairlabel simulate` from the command line, and the same seed giving the same run."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fairlabel.adapters.cli import main
from fairlabel.adapters.cli.context import Wiring
from fairlabel.adapters.container import Container
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.simulate import RunLog, simulate
from fairlabel.simulate.spec import parse
from tests.support.databases import fresh_postgres_database, postgres_admin_url, sqlite_copy

DOCS = Path(__file__).parents[2] / "docs" / "simulate.md"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["simulate", *args], obj=Wiring(bootstrap))


def _run(template: Path, directory: Path) -> RunLog:
    directory.mkdir()
    container = bootstrap(Settings(database_url=sqlite_copy(template, directory),
                                   sweep_seconds=0, consensus_process=False,
                                   media_dir=str(directory / "media")))
    try:
        return simulate(container.db, container.charter, days=12, workers=15,
                        requesters=parse("honest=1,relauncher=1,rejecter=1"), seed=11,
                        refit=container.consensus_refit)
    finally:
        container.close()


def _comparable(log: RunLog) -> dict[str, Any]:
    """The log without what differs by design: the wall time, and the ledger's random
    transaction ids and the hashes that cover them."""
    found = dataclasses.asdict(log)
    found.pop("wall_seconds")
    found["statements"] = {
        worker: [(e.account, e.seq, e.kind, e.amount_minor, e.created_at, e.memo)
                 for e in entries] for worker, entries in log.statements.items()}
    return found


@pytest.mark.slow
def test_the_same_seed_gives_the_same_run(sqlite_template: Path, tmp_path: Path) -> None:
    first = _run(sqlite_template, tmp_path / "first")
    second = _run(sqlite_template, tmp_path / "second")
    assert first.answers and first.projects and first.reviews  # a run with something in it
    assert _comparable(first) == _comparable(second)


def _documented_strategy() -> str:
    """The complete strategy of docs/simulate.md, "Writing a strategy"."""
    section = DOCS.read_text("utf-8").split("## Writing a strategy")[1].split("\n## ")[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    return str(blocks[0])


@pytest.mark.slow
def test_a_strategy_written_from_the_docs_runs_from_its_own_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "code" / "mine"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "steady.py").write_text(_documented_strategy())
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    out = tmp_path / "out"
    result = _invoke("--days", "8", "--workers", "12", "--requesters", "mine.steady:Steady=2",
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "report:" in result.output
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["requesters"] == 2
    assert report["by_strategy"]["steady"]["answers"] > 0
    said = (out / "report.md").read_text("utf-8")
    assert ("- command: `fairlabel simulate --days 8 --workers 12 "
            "--requesters mine.steady:Steady=2 --seed 1`") in said


@pytest.mark.parametrize(("spec", "said"), [
    ("nonsense=2", "unknown strategy “nonsense”"),
    ("honest=two", "the count must be a whole number"),
    ("honest", "is not NAME=COUNT"),
    ("honest=0", "at least 1"),
    ("no_such_module_here:Thing=1", "cannot import no_such_module_here"),
    ("fairlabel.simulate.spec:parse=1", "has no class parse"),
    ("fairlabel.simulate.spec:SpecError=1", "is not a strategy"),
])
def test_a_bad_requesters_spec_is_refused_plainly(tmp_path: Path, spec: str,
                                                   said: str) -> None:
    result = _invoke("--requesters", spec, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert said in result.output
    assert not (tmp_path / "simulation.db").exists()


def test_an_existing_database_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / "simulation.db").write_text("earlier run")
    result = _invoke("--days", "1", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "already exists" in result.output and "Choose another --out" in result.output


@pytest.mark.slow
def test_a_short_run_on_each_database(container: Container) -> None:
    log = simulate(container.db, container.charter, days=6, workers=10,
                   requesters=parse("honest=1,abrupt_ender=1"), seed=3)
    assert log.answers and log.ledger_verified
    assert len(log.escrow) == 6 * 2  # a sample a day of each requester


def test_a_database_url_that_holds_tables_is_not_used(sqlite_template: Path,
                                                     tmp_path: Path) -> None:
    result = _invoke("--days", "1", "--out", str(tmp_path / "out"),
                     "--database-url", sqlite_copy(sqlite_template, tmp_path))
    assert result.exit_code == 1
    assert "already holds tables" in result.output


@pytest.mark.slow
def test_a_run_on_an_empty_postgresql_database(tmp_path: Path) -> None:
    if not postgres_admin_url():
        pytest.skip("PostgreSQL tests need FAIRLABEL_TEST_POSTGRES_URL")
    with fresh_postgres_database(migrate=False) as url:
        result = _invoke("--days", "3", "--workers", "8", "--requesters", "honest=1",
                         "--out", str(tmp_path), "--database-url", url)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.json").exists()
    assert not (tmp_path / "simulation.db").exists()
