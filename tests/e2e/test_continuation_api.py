"""Musen → Nova through the REST API (charter rules 4 and 5), on SQLite and PostgreSQL.

A requester ends "Musen" early with notice pay, then launches "Nova" — the same work under a
new name, reworded, with renamed choices, resampled data and another redundancy — at a lower
hourly rate: refused, with the explanation. At the same rate it is accepted, recorded as
Musen's continuation, and Musen's workers are invited and served first.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts, jobs
from fairlabel.services.steps import guard
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import OPERATOR, operator

MUSEN_INSTRUCTIONS = (
    "Read each customer message and choose the overall feeling it expresses. Positive means "
    "the writer is pleased, grateful or recommends the product. Negative means the writer is "
    "unhappy, complains or warns others, including sarcasm. Neutral means the message is "
    "factual or so mixed that neither side wins. Take a few seconds per message; there is no "
    "trick, and your first impression is usually right.")
NOVA_INSTRUCTIONS = (
    "Take a few seconds per message; there is no trick, and your first impression is usually "
    "right. Read every customer message and pick the overall sentiment it expresses. Neutral "
    "means the message is factual or so mixed that neither side wins. Good means the writer "
    "is pleased, grateful or recommends the product. Bad means the writer is unhappy, "
    "complains or warns others, including sarcasm.")


def texts() -> list[str]:
    raw = resources.files("fairlabel.demo").joinpath("data", "sentiment.jsonl").read_text()
    return [json.loads(line)["text"] for line in raw.splitlines() if line.strip()]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


@pytest.mark.parametrize("search", ["exact", "lsh-index"])
def test_musen_then_nova(client: TestClient, container: Container, people: Accounts,
                         clock: FakeClock, search: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if search == "lsh-index":  # as with many earlier projects: MinHash LSH, then exact
        monkeypatch.setattr(guard, "EXACT_UP_TO", 0)
    requester, rtoken = people.make(Role.REQUESTER)
    workers = [people.make(Role.WORKER)[1] for _ in range(3)]
    operator(container)
    admin = accounts.create_token(container.db, email=OPERATOR, name="t", now=clock())
    client.post("/api/v1/admin/deposits", headers=bearer(admin),
                json={"requester": requester.email, "amount": usd(1_000_000)})
    pool = texts()
    random.Random(7).shuffle(pool)

    def create(name: str, instructions: str, choices: list[str], redundancy: int, price: int,
               sample: list[str]) -> int:
        project = client.post("/api/v1/projects", headers=bearer(rtoken), json={
            "name": name, "instructions": instructions, "redundancy": redundancy,
            "schema": {"type": "single_choice", "choices": choices},
            "pay_per_task": usd(price), "lease_seconds": 600,
            "commitment": {"ends_on": "2026-12-31", "notice_days": 7}}).json()
        client.post(f"/api/v1/projects/{project['id']}/tasks", headers=bearer(rtoken),
                    json=[{"data": {"text": t}} for t in sample])
        client.post(f"/api/v1/projects/{project['id']}/fund", headers=bearer(rtoken),
                    json={"amount": usd(200_000)})
        return int(project["id"])

    musen = create("Musen", MUSEN_INSTRUCTIONS, ["positive", "negative", "neutral"], 3, 35,
                   pool[:60])
    assert client.post(f"/api/v1/projects/{musen}/launch", headers=bearer(rtoken)).json()[
        "continuation_of"] is None
    for _ in range(8):  # 24 answers of one minute each: the project is measured
        for token in workers:
            lease = client.get(f"/api/v1/projects/{musen}/next", headers=bearer(token)).json()
            clock.advance(seconds=60)
            client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                        json={"answer": "positive"}, headers=bearer(token))
    jobs.run_due_work(container.db, container.charter, now=clock())
    measured = client.get(f"/api/v1/projects/{musen}", headers=bearer(rtoken)).json()["pay"]
    assert measured["effective_hourly"] == usd(2100)  # 0.35 per minute: 21.00 USD/h

    # Musen is ended early: a reason, and notice pay at once.
    ended = client.post(f"/api/v1/projects/{musen}/end", headers=bearer(rtoken), json={
        "reason": "Project scope changes at the client.", "mode": "immediate"}).json()
    assert len(ended["notice_pay"]) == 3
    earnings = client.get("/api/v1/me/earnings", headers=bearer(workers[0])).json()
    assert any(e["kind"] == "notice_pay" for e in earnings["entries"])

    # Nova: the same work, disguised — new name, reworded and reordered instructions, renamed
    # choices, another redundancy, the tasks reshuffled and a third of them swapped for
    # others from the same source — at 16.20 USD/h: refused with the explanation.
    resampled = pool[20:80]
    random.Random(8).shuffle(resampled)
    nova = create("Nova", NOVA_INSTRUCTIONS, ["good", "bad", "neutral"], 2, 27, resampled)
    refused = client.post(f"/api/v1/projects/{nova}/launch", headers=bearer(rtoken))
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "continuation_pay_cut" and body["continuation_of"] == musen
    assert "21.00 USD per hour" in body["message"] and "16.20 USD" in body["message"]
    assert client.get(f"/api/v1/projects/{nova}", headers=bearer(rtoken)).json()[
        "status"] == "draft"

    # At the same rate it is accepted and linked; Musen's workers are invited and go first.
    client.post(f"/api/v1/projects/{nova}/price", headers=bearer(rtoken),
                json={"pay_per_task": usd(35)})
    launched = client.post(f"/api/v1/projects/{nova}/launch", headers=bearer(rtoken))
    assert launched.status_code == 200 and launched.json()["continuation_of"] == musen
    inbox = client.get("/api/v1/me/inbox", headers=bearer(workers[1])).json()
    assert any("continues Musen" in m["subject"] for m in inbox)
    newcomer = people.make(Role.WORKER)[1]
    waiting = client.get(f"/api/v1/projects/{nova}/next", headers=bearer(newcomer))
    assert waiting.status_code == 409 and waiting.json()["error"] == "first_access"
    assert client.get(f"/api/v1/projects/{nova}/next",
                      headers=bearer(workers[2])).status_code == 200
    clock.advance(hours=73)
    assert client.get(f"/api/v1/projects/{nova}/next",
                      headers=bearer(newcomer)).status_code == 200


def test_a_different_project_of_the_same_requester_is_not_a_continuation(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    operator(container)
    admin = accounts.create_token(container.db, email=OPERATOR, name="t", now=container.clock())
    client.post("/api/v1/admin/deposits", headers=bearer(admin),
                json={"requester": requester.email, "amount": usd(100_000)})
    ids = []
    for name, instructions, schema, data in [
        ("Reviews", MUSEN_INSTRUCTIONS, {"type": "single_choice",
                                         "choices": ["positive", "negative", "neutral"]},
         [{"text": t} for t in texts()[:40]]),
        ("Assistant answers", "Compare two answers of an AI assistant to the same prompt and "
         "choose the one that is more correct, complete and honest. Length is not quality.",
         {"type": "pairwise"},
         [{"prompt": f"How do I convert {i} miles to kilometres?",
           "response_a": f"Multiply {i} by 1.609.", "response_b": "Ask someone else."}
          for i in range(40)]),
    ]:
        project = client.post("/api/v1/projects", headers=bearer(rtoken), json={
            "name": name, "instructions": instructions, "schema": schema,
            "pay_per_task": usd(5)}).json()
        client.post(f"/api/v1/projects/{project['id']}/tasks", headers=bearer(rtoken),
                    json=[{"data": d} for d in data])
        client.post(f"/api/v1/projects/{project['id']}/fund", headers=bearer(rtoken),
                    json={"amount": usd(10_000)})
        ids.append(project["id"])
    client.post(f"/api/v1/projects/{ids[0]}/launch", headers=bearer(rtoken))
    client.post(f"/api/v1/projects/{ids[0]}/end", headers=bearer(rtoken),
                json={"reason": "The study is complete now.", "mode": "immediate"})
    launched = client.post(f"/api/v1/projects/{ids[1]}/launch", headers=bearer(rtoken))
    assert launched.status_code == 200 and launched.json()["continuation_of"] is None
