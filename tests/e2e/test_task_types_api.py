"""Bounding boxes, spans and rankings through the API, on SQLite and PostgreSQL: a project of
each type goes through import, the qualification test (gold graded by IoU, F1 or Kendall's
tau), leases, valid and invalid submissions, the consensus refit and the JSON Lines export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts, _truncate_postgres
from tests.e2e.test_api import bearer, fund_by_token, new_project
from tests.support.clock import FakeClock

HOST = "images.example.org"
TEXT = "Ada Lovelace was born in London."
OTHER = "Grace Hopper worked at Harvard in Cambridge."


@pytest.fixture
def container(database_url: str, clock: FakeClock) -> Iterator[Container]:
    """The shared container, with one allowed image host."""
    built = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                               consensus_process=False, image_hosts=[HOST]), clock=clock)
    if built.engine.dialect.name == "postgresql":
        _truncate_postgres(built)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


def box(label: str, x: float, y: float, width: float, height: float) -> dict[str, Any]:
    return {"label": label, "x": x, "y": y, "width": width, "height": height}


def span(start: int, end: int, label: str) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


@dataclass
class Case:
    """One task type's journey: its schema, tasks, answers and what the refit must find."""

    schema: dict[str, Any]
    work: dict[str, dict[str, Any]]  # key → task data
    gold: dict[str, Any]  # task data of the three gold items (one per worker)
    expected: Any  # their gold answer
    near: Any  # right by the schema's threshold, though not equal
    wrong: Any
    invalid: list[tuple[Any, str]]  # answers refused, with a part of the message
    answers: dict[str, list[Any]]  # key → the three workers' answers
    consensus: dict[str, Any]  # key → the consensus the refit must store
    agreement: dict[str, float]
    methods: tuple[str, ...] = field(default=())


BOXES = Case(
    schema={"type": "bounding_boxes", "labels": ["car", "person"], "gold_iou": 0.6},
    work={"street": {"image": f"https://{HOST}/street.png"},
          "empty": {"image": f"https://{HOST}/sky.png"}},
    gold={"image": f"https://{HOST}/gold.png"},
    expected=[box("car", 0.1, 0.1, 0.4, 0.4)],
    near=[box("car", 0.12, 0.1, 0.4, 0.4)],  # IoU 0.905
    wrong=[box("car", 0.3, 0.1, 0.4, 0.4)],  # IoU 0.333
    invalid=[([box("car", 0.8, 0.1, 0.4, 0.4)], "leaves the image"),
             ([box("bus", 0.1, 0.1, 0.1, 0.1)], "label “bus” is not one of"),
             ({"boxes": []}, "must be a list of boxes")],
    answers={"street": [[box("car", 0.1, 0.1, 0.2, 0.2)],
                        [box("car", 0.12, 0.1, 0.2, 0.2), box("person", 0.7, 0.5, 0.1, 0.3)],
                        [box("car", 0.1, 0.12, 0.2, 0.2)]],
             "empty": [[], [], [box("person", 0.5, 0.5, 0.1, 0.1)]]},
    consensus={"street": [box("car", 0.1, 0.1, 0.2, 0.2)], "empty": []},
    # No box has a majority although one answer drew one: agreement 0 (the contract's rule).
    agreement={"street": (1 + 2 * 0.036 / 0.044) / 3, "empty": 0.0},
    methods=("iou",),
)

SPANS = Case(
    schema={"type": "spans", "labels": ["PER", "LOC", "ORG"]},
    work={"ada": {"text": TEXT}, "grace": {"text": OTHER}},
    gold={"text": OTHER},
    expected=[span(0, 12, "PER"), span(23, 30, "ORG"), span(34, 43, "LOC")],
    near=[span(0, 12, "PER"), span(23, 30, "ORG"), span(34, 43, "LOC"),
          span(13, 19, "ORG")],  # F1 6/7
    wrong=[span(0, 5, "PER"), span(23, 30, "ORG")],  # F1 0.4
    invalid=[([span(0, 12, "PER"), span(6, 20, "LOC")], "spans overlap"),
             ([span(0, 1000, "PER")], "past the end of the text"),
             ([span(0, 3, "DATE")], "label “DATE” is not one of")],
    answers={"ada": [[span(25, 31, "LOC"), span(0, 12, "PER")],
                     [span(0, 12, "PER"), span(25, 31, "LOC")],
                     [span(0, 3, "PER")]],
             "grace": [[span(0, 12, "PER")], [span(0, 12, "PER")], [span(0, 12, "PER")]]},
    consensus={"ada": [span(0, 12, "PER"), span(25, 31, "LOC")],
               "grace": [span(0, 12, "PER")]},
    agreement={"ada": 2 / 3, "grace": 1.0},
    methods=("span", "token"),
)

RANKING = Case(
    schema={"type": "ranking", "gold_tau": 0.5},
    work={"greet": {"prompt": "Greet me", "responses": ["hi", "go away", "hello there"]},
          "thank": {"prompt": "Thank me", "responses": ["thanks", "no", "thank you!"]}},
    gold={"prompt": "Which is kind?", "responses": ["kind", "neutral", "rude", "cruel"]},
    expected={"order": [0, 1, 2, 3]},
    near={"order": [1, 0, 2, 3], "rationale": "close call"},  # tau 2/3
    wrong={"order": [1, 0, 3, 2]},  # tau 1/3
    invalid=[({"order": [0, 1]}, "each of the 3 responses once"),
             ({"order": [0, 1, 1]}, "each of the 3 responses once"),
             ([2, 0, 1], "must be an object")],
    answers={"greet": [{"order": [2, 0, 1]}, {"order": [2, 0, 1], "rationale": "warm"},
                       {"order": [0, 2, 1]}],
             "thank": [{"order": [2, 0, 1]}] * 3},
    consensus={"greet": {"order": [2, 0, 1]}, "thank": {"order": [2, 0, 1]}},
    agreement={"greet": 8 / 9, "thank": 1.0},
    methods=("borda", "pl"),
)

CASES = {"bounding_boxes": BOXES, "spans": SPANS, "ranking": RANKING}


def lease(client: TestClient, pid: int, token: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def submit(client: TestClient, item: dict[str, Any], token: str, answer: Any) -> Any:
    response = client.post(f"/api/v1/assignments/{item['assignment_id']}/submit",
                           json={"answer": answer}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()["answer"]


def key_of(case: Case, data: dict[str, Any]) -> str:
    return next(k for k, v in case.work.items() if v == data)


def launch(client: TestClient, container: Container, token: str, case: Case) -> int:
    project = new_project(client, token, case.schema, quality={
        "qualification": {"size": 1, "pass_mark": 1.0, "retry_after_hours": 24}})
    assert project["quality"]["consensus_method"] == case.methods[0]  # the type's default
    pid: int = project["id"]
    fund_by_token(container, token, pid)
    rows = ([{"data": data} for data in case.work.values()]
            + [{"data": {**case.gold, "n": n}, "gold": case.expected} for n in range(4)])
    imported = client.post(f"/api/v1/projects/{pid}/tasks", json=rows, headers=bearer(token))
    assert imported.status_code == 201, imported.text
    assert client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(token)).status_code == 200
    return pid


@pytest.mark.parametrize("kind", list(CASES))
def test_a_structured_project_from_import_to_export(
        client: TestClient, container: Container, people: Accounts, kind: str) -> None:
    case = CASES[kind]
    requester = people.make(Role.REQUESTER)[1]
    pid = launch(client, container, requester, case)
    team = [people.make(Role.WORKER)[1] for _ in range(4)]

    # Gold: three workers pass the qualification with an answer near enough, one fails.
    for token, answer in zip(team, [case.near] * 3 + [case.wrong], strict=True):
        item = lease(client, pid, token)
        assert item["qualification"] is True
        submit(client, item, token, answer)
    mine = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(team[0])).json()
    assert mine["gold"]["correct"] == 1 and mine["qualification"]["state"] == "passed"
    failed = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(team[3])).json()
    assert failed["gold"]["correct"] == 0 and failed["qualification"]["state"] == "failed"
    assert failed["missed_gold"][0]["expected"] == case.expected

    # Work: bad answers are 422 with the reason and change nothing; good ones are stored.
    for worker, token in enumerate(team[:3]):
        for _ in case.work:
            item = lease(client, pid, token)
            for bad, message in case.invalid:
                refused = client.post(f"/api/v1/assignments/{item['assignment_id']}/submit",
                                      json={"answer": bad}, headers=bearer(token))
                assert refused.status_code == 422, refused.text
                assert refused.json()["error"] == "invalid_answer"
                assert message in refused.json()["message"]
            answer = case.answers[key_of(case, item["task"]["data"])][worker]
            submit(client, item, token, answer)
        assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(token)).status_code == 204

    # The export refits the consensus: the estimator's answer, its agreement as confidence.
    export = client.get(f"/api/v1/projects/{pid}/export", headers=bearer(requester))
    assert export.status_code == 200, export.text
    records = [json.loads(line) for line in export.text.splitlines()]
    work = [r for r in records if r["gold"] is None]
    assert len(work) == len(case.work) and len(records) == len(case.work) + 4
    for record in work:
        key = key_of(case, record["data"])
        assert record["consensus"] == case.consensus[key], key
        assert record["confidence"] == pytest.approx(case.agreement[key], abs=1e-6), key
        assert record["majority"] is None and len(record["answers"]) == 3
    view = client.get(f"/api/v1/projects/{pid}/quality", headers=bearer(requester)).json()
    assert view["consensus"]["with_consensus"] == len(case.work)
    skills = [row["accuracy"] for row in view["workers"] if row["answers"]]
    assert len(skills) == 4 and all(0 < s < 1 for s in skills)


@pytest.mark.parametrize("kind", list(CASES))
def test_structured_projects_take_only_their_own_methods(
        client: TestClient, people: Accounts, kind: str) -> None:
    case = CASES[kind]
    requester = people.make(Role.REQUESTER)[1]
    for method in case.methods:
        made = new_project(client, requester, case.schema,
                           quality={"consensus_method": method})
        assert made["quality"]["consensus_method"] == method
        assert made["schema"]["type"] == kind
    body = {"name": "x", "schema": case.schema,
            "pay_per_task": {"amount_minor": 5, "currency": "USD"}}
    for quality, message in [({"consensus_method": "ds"}, "categorical methods"),
                             ({"confidence_target": 0.9}, "does not apply")]:
        refused = client.post("/api/v1/projects", headers=bearer(requester),
                              json={**body, "quality": quality})
        assert refused.status_code == 422, refused.text
        assert message in refused.json()["message"]
    assert new_project(client, requester, {"type": "single_choice", "choices": ["a", "b"]})[
        "quality"]["consensus_method"] == "ds"


def test_task_data_and_gold_are_checked_at_import(
        client: TestClient, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[1]
    checks: list[tuple[dict[str, Any], list[Any], str]] = [
        (BOXES.schema, [{"data": {"image": "http://images.example.org/a.png"}}], "https"),
        (BOXES.schema, [{"data": {"picture": "a.png"}}], "needs an 'image'"),
        (BOXES.schema, [{"data": {"image": f"https://{HOST}/a.png"},
                         "gold": [box("car", 0.5, 0.5, 0.6, 0.1)]}], "gold answer: box 1"),
        (SPANS.schema, [{"data": {"text": "short"}, "gold": [span(0, 9, "PER")]}],
         "past the end of the text"),
        (RANKING.schema, [{"prompt": "p", "responses": ["only one"]}], "2 to 9"),
        (RANKING.schema, [{"data": RANKING.work["greet"], "gold": {"order": [0, 1]}}],
         "each of the 3 responses"),
    ]
    for schema, rows, message in checks:
        pid = new_project(client, requester, schema)["id"]
        refused = client.post(f"/api/v1/projects/{pid}/tasks", json=[
            {"data": RANKING.work["greet"]} if schema is RANKING.schema else
            {"data": {"text": TEXT}} if schema is SPANS.schema else
            {"data": {"image": f"https://{HOST}/ok.png"}}, *rows], headers=bearer(requester))
        assert refused.status_code == 422, refused.text
        assert "row 2" in refused.json()["message"] and message in refused.json()["message"]
    csv_gold = ('text,_gold\n"Ada Lovelace","[{""start"": 0, ""end"": 3, '
                '""label"": ""PER""}]"\n')
    pid = new_project(client, requester, SPANS.schema)["id"]
    imported = client.post(f"/api/v1/projects/{pid}/tasks", content=csv_gold,
                           headers={**bearer(requester), "Content-Type": "text/csv"})
    assert imported.status_code == 201, imported.text


def test_spans_by_token_read_each_tasks_text(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[1]
    pid = new_project(client, requester, SPANS.schema,
                      quality={"consensus_method": "token"})["id"]
    fund_by_token(container, requester, pid)
    client.post(f"/api/v1/projects/{pid}/tasks", json=[{"text": TEXT}, {"text": OTHER}],
                headers=bearer(requester))
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(requester))
    marks = {TEXT: [span(0, 12, "PER"), span(25, 31, "LOC")], OTHER: [span(34, 43, "LOC")]}
    for _ in range(3):
        token = people.make(Role.WORKER)[1]
        for _ in marks:
            item = lease(client, pid, token)
            submit(client, item, token, marks[item["task"]["data"]["text"]])
    export = client.get(f"/api/v1/projects/{pid}/export", headers=bearer(requester))
    records = [json.loads(line) for line in export.text.splitlines()]
    assert {r["data"]["text"]: r["consensus"] for r in records} == marks
    assert [r["confidence"] for r in records] == [1.0, 1.0]
