"""`fairlabel tasks import --format label-studio` and `fairlabel export --format …`."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, projects
from tests.support.cli import run_cli

REQUESTER = "r@example.org"


@pytest.fixture
def span_project(container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> int:
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", database_url)
    monkeypatch.setenv("FAIRLABEL_MEDIA_DIR", str(tmp_path / "media"))
    requester = accounts.add_user(container.db, email=REQUESTER, password="password-1",
                                  role=Role.REQUESTER, now=container.clock())
    return projects.create_project(container.db, requester, ProjectTerms(
        "Names", "Mark them.", parse_schema({"type": "spans", "labels": ["PER"]}), 2,
        Money(5, "USD"), 600, quality=QualityTerms(consensus_method="span")),
        policy=container.charter, now=container.clock()).id


def test_label_studio_tasks_import_with_gold_and_every_spans_format_exports(
        span_project: int, tmp_path: Path) -> None:
    tasks = tmp_path / "from-label-studio.json"
    tasks.write_text(json.dumps([
        {"data": {"text": "Ada 🙂 Bob"}, "annotations": [{"result": [{"type": "labels", "value": {
            "start": 7, "end": 10, "text": "Bob", "labels": ["PER"]}}]}]},  # UTF-16
        {"data": {"text": "nobody"}}]), encoding="utf-8")
    done = run_cli(["tasks", "import", str(span_project), str(tasks), "--format",
                    "label-studio", "--gold", "--as", REQUESTER])
    assert done.exit_code == 0 and "imported 2" in done.stderr
    lines = run_cli(["export", str(span_project), "--format", "spans-jsonl", "--as", REQUESTER])
    first = json.loads(lines.stdout.splitlines()[0])
    assert first["spans"] == [{"start": 6, "end": 9, "label": "PER"}]  # code points here
    assert first["text"][6:9] == "Bob" and first["meta"]["source"] == "gold"
    out = tmp_path / "export.parquet"
    written = run_cli(["export", str(span_project), "--format", "parquet", "--out", str(out),
                       "--as", REQUESTER])
    assert written.exit_code == 0 and pq.read_table(out).num_rows == 2
    conll = run_cli(["export", str(span_project), "--format", "conll", "--as", REQUESTER])
    assert conll.stdout == "Ada O\n🙂 O\nBob B-PER\n\nnobody O\n\n"
    refused = run_cli(["export", str(span_project), "--format", "coco", "--as", REQUESTER])
    assert refused.exit_code == 1 and "bounding_boxes" in refused.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('[{"data": {"text": "a"}}, {"data": 3}]')
    rejected = run_cli(["tasks", "import", str(span_project), str(bad), "--format",
                        "label-studio", "--as", REQUESTER])
    assert rejected.exit_code == 1 and "row 2" in rejected.stderr
