"""`fairlabel media add` through click's runner, against a real database and store."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import media, projects
from tests.conftest import Accounts
from tests.support.cli import run_cli
from tests.support.images import HTML_AS_PNG, image_bytes, png, zip_of


def test_media_add_prints_each_reference_and_refuses_all_for_one_bad_file(
        container: Container, people: Accounts, database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = container.media_store
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", database_url)
    monkeypatch.setenv("FAIRLABEL_MEDIA_DIR", str(tmp_path / "media"))
    requester = people.make(Role.REQUESTER)[0]
    pid = projects.create_project(container.db, requester, ProjectTerms(
        "Pets", "", parse_schema({"type": "single_choice", "choices": ["cat", "dog"]}), 1,
        Money(5, "USD"), 600), policy=container.charter, now=container.clock()).id
    (tmp_path / "a.png").write_bytes(png())
    (tmp_path / "set.zip").write_bytes(zip_of({"train/b.jpg": image_bytes("JPEG"),
                                               "train/c.webp": image_bytes("WEBP")}))
    (tmp_path / "fake.png").write_bytes(HTML_AS_PNG)
    refused = run_cli(["media", "add", str(pid), str(tmp_path / "a.png"),
                       str(tmp_path / "fake.png"), "--as", requester.email])
    assert refused.exit_code == 1 and "fake.png: the file is not a PNG" in refused.stderr
    assert media.list_media(container.db, requester, pid).total == 0
    added = run_cli(["media", "add", str(pid), str(tmp_path / "a.png"), str(tmp_path / "set.zip"),
                     "--as", requester.email])
    assert added.exit_code == 0, added.output
    items = media.list_media(container.db, requester, pid).items[::-1]
    assert added.stdout.splitlines() == [
        f"{m.ref}\t{m.name}\t{m.width}x{m.height}" for m in items]
    assert [m.name for m in items] == ["a.png", "train/b.jpg", "train/c.webp"]
    assert store.open(items[0].sha256) is not None  # the same directory as the server's
    unknown = run_cli(["media", "add", str(pid), str(tmp_path / "a.png"), "--as", "no@x.org"])
    assert unknown.exit_code == 1 and "no user with the e-mail" in unknown.stderr
