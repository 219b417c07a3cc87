"""Each command, through click's runner, against a real database file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.migrate import current_revision, head_revision
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.services import accounts
from tests.support.cli import run_cli


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", database_url)
    return database_url


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = run_cli(list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_on_an_empty_sqlite_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", url)
    code, out, _ = run("db", "upgrade")
    assert code == 0 and head_revision() in out
    assert current_revision(make_engine(url)) == head_revision()


def test_user_add_and_token_create_print_only_the_token(cli_env: str) -> None:
    code, out, err = run("user", "add", "Ann@Example.org", "--role", "requester",
                         "--password-stdin", stdin="s3cret-pass\n")
    assert code == 0 and out == "" and "requester ann@example.org" in err
    code, out, _ = run("token", "create", "ann@example.org")
    token = out.strip()
    assert code == 0 and len(out.splitlines()) == 1 and len(token) >= 40
    container = bootstrap(Settings(database_url=cli_env))
    user = accounts.user_for_token(container.db, token)
    container.close()
    assert user is not None and user.email == "ann@example.org"


def test_cli_errors_are_clear(cli_env: str) -> None:
    code, _, err = run("user", "add", "x@example.org", "--role", "worker", "--password-stdin",
                       stdin="short\n")
    assert code == 1 and "at least 8 characters" in err
    code, _, err = run("token", "create", "ghost@example.org")
    assert code == 1 and "no user" in err


def test_import_then_export(cli_env: str, tmp_path: Path) -> None:
    run("user", "add", "r@example.org", "--role", "requester", "--password-stdin",
        stdin="password-1\n")
    container = bootstrap(Settings(database_url=cli_env))
    from fairlabel.domain.label_schema import parse_schema
    from fairlabel.domain.money import Money
    from fairlabel.domain.projects import ProjectTerms
    from fairlabel.services import projects

    requester = accounts.find_user(container.db, "r@example.org")
    assert requester is not None
    project = projects.create_project(container.db, requester, ProjectTerms(
        "p", "", parse_schema({"type": "rating", "min": 1, "max": 3}), 2, Money(5, "USD"), 60),
        policy=container.charter, now=container.clock())
    container.close()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n[1]\n')
    code, _, err = run("tasks", "import", str(project.id), str(bad), "--as", "r@example.org")
    assert code == 1 and "row 2" in err
    good = tmp_path / "good.csv"
    good.write_text("text\n=cmd|' /C calc'!A0\nplain\n")
    code, _, err = run("tasks", "import", str(project.id), str(good), "--as", "r@example.org")
    assert code == 0 and "imported 2" in err
    code, out, _ = run("export", str(project.id), "--as", "r@example.org")
    assert code == 0 and [json.loads(line)["answers"] for line in out.splitlines()] == [[], []]
    target = tmp_path / "out.csv"
    code, _, _ = run("export", str(project.id), "--as", "r@example.org", "--format", "csv",
                     "--out", str(target))
    rows = list(csv.DictReader(target.open(newline="")))
    assert code == 0 and json.loads(rows[0]["data"]) == {"text": "=cmd|' /C calc'!A0"}


def test_demo_seeds_once_and_prints_the_logins(cli_env: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRLABEL_MEDIA_DIR", str(tmp_path / "media"))
    code, out, _ = run("demo", "--no-serve")
    assert code == 0 and "requester@demo.fairlabel.org" in out and "fairlabel-demo" in out
    assert "Nova at 0.27 USD per task was refused" in out and "21.00 USD per hour" in out
    assert "marked as Musen's continuation" in out
    code, out, _ = run("demo", "--no-serve")
    assert code == 0 and "already present" in out
    container = bootstrap(Settings(database_url=cli_env, media_dir=str(tmp_path / "media")))
    from fairlabel.services import media, projects

    requester = accounts.find_user(container.db, "requester@demo.fairlabel.org")
    assert requester is not None
    views = projects.list_projects(container.db, requester)
    status = {v.project.terms.name: v.project.status.value for v in views}
    assert status == {"Customer review sentiment": "open",
                      "Which assistant answer is better?": "open",
                      "Names and places in news sentences": "open",
                      "Cars, people and traffic lights in street scenes": "open",
                      "Musen": "ended", "Nova": "open"}
    boxes = next(v for v in views if v.project.terms.schema.type == "bounding_boxes")
    pictures = media.list_media(container.db, requester, boxes.project.id)
    container.close()
    assert pictures.total == 24 and boxes.counts.tasks == 24 - 4  # 4 gold tasks apart
    assert {(p.width, p.height) for p in pictures.items} == {(960, 600)}
    nova = next(v.project for v in views if v.project.terms.name == "Nova")
    musen = next(v.project for v in views if v.project.terms.name == "Musen")
    assert nova.continuation_of == musen.id
