"""The refit of a categorical project reads its answers, stored consensus and settled tasks as
columns (arrays): it must write exactly what the refit over one object per answer wrote — the
same consensus rows and confidences, skills, settled and reopened tasks — on SQLite and
PostgreSQL, for each task type, method and setting."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, select, update

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, project_holds, tasks
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import GoldScore, QualityTerms, answer_key
from fairlabel.services import projects, quality
from fairlabel.services.ports.quality import AnswerColumns, TaskAnswer, TaskConsensus
from fairlabel.services.ports.work import NewTask, ProjectFacts
from fairlabel.services.steps import fitting
from fairlabel.services.steps.consensus import CONFIDENCE_STEP, coded_answers
from tests.conftest import Accounts

SCHEMAS: dict[str, dict[str, Any]] = {
    "single_choice": {"type": "single_choice", "choices": ["cat", "dog", "owl"]},
    "rating": {"type": "rating", "min": 1, "max": 5},
    "multi_choice": {"type": "multi_choice", "choices": ["x", "y", "z"]},
    "free_text": {"type": "free_text"},
    "pairwise": {"type": "pairwise"},
}


def an_answer(kind: str, rng: random.Random, truth: int) -> Any:
    """An answer of the task type, right (``truth``) more often than not."""
    pick = truth if rng.random() < 0.65 else rng.randrange(3)
    if kind == "single_choice":
        return ["cat", "dog", "owl"][pick]
    if kind == "rating":
        return pick + 2
    if kind == "multi_choice":
        return [["x"], ["x", "y"], ["z"]][pick]
    if kind == "free_text":  # spaces and case differ, the key does not
        return rng.choice(["Paris", " paris ", "PARIS"]) if pick == 0 else ["Lyon", "Nice"][
            pick - 1]
    return {"choice": "ab"[pick % 2], "rationale": f"reason {rng.randrange(1000)}"}


CASES = [  # task type, method, confidence target, redundancy
    ("single_choice", "ds", 0.8, 3),
    ("single_choice", "mv", None, 3),
    ("rating", "ods", 0.7, 4),
    ("multi_choice", "glad", None, 3),
    ("free_text", "wmv", 0.6, 3),
    ("pairwise", "mace", 0.9, 5),
]


def build(container: Container, requester: User, workers: list[User], *, kind: str,
          method: str, target: float | None, redundancy: int, seed: int) -> int:
    """A project of 60 tasks (40 answered, some only once), with a consensus stored on some
    tasks (right, wrong, nearly the same confidence) and some settled tasks; gold and
    unsubmitted answers besides, which a refit leaves out."""
    now = container.clock()
    rng = random.Random(seed)
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Columns", "Label.", parse_schema(SCHEMAS[kind]), redundancy, Money(5, "USD"), 600,
        quality=QualityTerms(consensus_method=method, confidence_target=target)),
        policy=container.charter, now=now)
    with container.db.write() as tx:
        tx.tasks.add_many(project_id=project.id, max_answers=redundancy, now=now,
                          new_tasks=[NewTask({"text": f"t{i}"}) for i in range(60)])
        tx.commit()
    with container.engine.begin() as conn:
        ids = list(conn.execute(select(tasks.c.id).where(tasks.c.project_id == project.id)
                                .order_by(tasks.c.id)).scalars())
        rows: list[dict[str, Any]] = []

        def answer(task_id: int, worker: User, value: Any, *, status: str = "submitted",
                   purpose: str = "work") -> None:
            at = now - timedelta(seconds=len(rows) + 1)
            rows.append({"task_id": task_id, "project_id": project.id, "worker_id": worker.id,
                         "status": status, "purpose": purpose, "leased_at": at,
                         "lease_expires_at": at + timedelta(minutes=10), "submitted_at": at,
                         "answer": value, "price_minor": 5, "worked_ms": 1000})

        for task_id in ids[:40]:
            truth = rng.randrange(3)
            for worker in rng.sample(workers, rng.choice([1, redundancy - 1, redundancy])):
                answer(task_id, worker, an_answer(kind, rng, truth))
        answer(ids[41], workers[1], an_answer(kind, rng, 0), status="leased")
        answer(ids[42], workers[2], an_answer(kind, rng, 0), purpose="gold")
        answer(ids[50], workers[3], an_answer(kind, rng, 0), status="released")
        rows.sort(key=lambda r: rng.random())  # saved in no order of tasks
        conn.execute(insert(assignments), rows)
        # The count the refit sizes its arrays by: right, or short (the arrays grow).
        conn.execute(update(project_holds).where(project_holds.c.project_id == project.id)
                     .values(answers=len(rows) if seed % 2 else 5))
    # A consensus stored as an earlier fit computed it; then some of it changed, some tasks
    # settled (by SQL: the setting up runs none of the code under test).
    with container.db.read() as tx:
        facts = tx.projects.facts(project.id)
        earlier = tx.consensus.project_answers(project.id)
    rows_before, _ = fitting.fit_consensus(facts, earlier, {}, seed)
    with container.engine.begin() as conn:
        for task_id, consensus, confidence in rows_before:
            conn.execute(update(tasks).where(tasks.c.id == task_id)
                         .values(consensus=consensus, confidence=confidence))
        for task_id in rng.sample(ids[:40], 12):
            stored = conn.execute(select(tasks.c.consensus, tasks.c.confidence)
                                  .where(tasks.c.id == task_id)).one()
            change = rng.choice(["other", "nudge", "step", "none"])
            values: dict[str, Any] = {
                "other": {"consensus": an_answer(kind, rng, 2), "confidence": 0.5},
                "nudge": {"confidence": stored.confidence - CONFIDENCE_STEP / 2},
                "step": {"confidence": stored.confidence - CONFIDENCE_STEP * 2},
                "none": {"consensus": None, "confidence": None}}[change]
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(**values))
        for task_id in rng.sample(ids, 15):
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(settled_at=now))
        conn.execute(update(tasks).where(tasks.c.id == ids[45]).values(
            consensus=an_answer(kind, rng, 0), confidence=0.9))  # stored, no answer now
    return project.id


def expected_refit(container: Container, project_id: int, seed: int) -> dict[str, Any]:
    """What the refit over one object per answer (before the columns) computed and wrote."""
    with container.db.read() as tx:
        facts = tx.projects.facts(project_id)
        answers = tx.consensus.project_answers(project_id)
        gold = tx.gold.scores(project_id)
    with container.engine.connect() as conn:
        stored = {r.id: (r.consensus, r.confidence) for r in conn.execute(
            select(tasks.c.id, tasks.c.consensus, tasks.c.confidence)
            .where(tasks.c.project_id == project_id, tasks.c.confidence.is_not(None)))}
        was_settled = set(conn.execute(select(tasks.c.id).where(
            tasks.c.project_id == project_id, tasks.c.settled_at.is_not(None))).scalars())
    rows, skills = fitting.fit_consensus(facts, answers, gold, seed)
    settle: list[int] = []
    unsettle: list[int] = []
    target = facts.quality.confidence_target
    if target is not None:
        counts = Counter(a.task_id for a in answers)
        for task_id, _, confidence in rows:
            n = counts[task_id]
            reached = confidence >= target and n >= facts.quality.min_answers
            if reached and n < facts.redundancy and task_id not in was_settled:
                settle.append(task_id)
            elif not reached and task_id in was_settled:
                unsettle.append(task_id)
    changed = [row for row in rows
               if row.task_id not in stored or stored[row.task_id][0] != row.consensus
               or abs((stored[row.task_id][1] or 0.0) - row.confidence) >= CONFIDENCE_STEP]
    return {"rows": rows, "skills": skills, "settle": settle, "unsettle": unsettle,
            "changed": changed, "stored": stored, "was_settled": was_settled}


@pytest.mark.parametrize(("kind", "method", "target", "redundancy"), CASES)
def test_the_columnar_refit_writes_what_the_refit_over_objects_wrote(
        container: Container, people: Accounts, kind: str, method: str,
        target: float | None, redundancy: int) -> None:
    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(7)]
    seed = CASES.index((kind, method, target, redundancy))
    pid = build(container, requester, workers, kind=kind, method=method, target=target,
                redundancy=redundancy, seed=seed)
    want = expected_refit(container, pid, seed)
    assert want["changed"] and len(want["changed"]) < len(want["rows"])
    if target is not None:
        assert want["settle"] or want["unsettle"]
    now = container.clock() + timedelta(minutes=1)

    [refit] = quality.refresh_consensus(container.db, now=now, project_id=pid, seed=seed)

    assert refit == quality.Refit(pid, len(want["rows"]), len(want["settle"]),
                                  len(want["unsettle"]), len(want["changed"]))
    with container.engine.connect() as conn:
        found = {r.id: r for r in conn.execute(
            select(tasks.c.id, tasks.c.consensus, tasks.c.confidence, tasks.c.settled_at)
            .where(tasks.c.project_id == pid))}
    written = {row.task_id: row for row in want["changed"]}
    for task_id, row in found.items():
        if task_id in written:
            assert (row.consensus, row.confidence) == written[task_id][1:], task_id
        else:
            assert (row.consensus, row.confidence) == want["stored"].get(task_id, (None, None))
        settled = (task_id in want["was_settled"] or task_id in want["settle"]) and (
            task_id not in want["unsettle"])
        assert (row.settled_at is not None) == settled, task_id
    with container.db.read() as tx:
        assert tx.consensus.skills(pid) == want["skills"]
        assert tx.consensus.stale_projects(pid) == []


@pytest.mark.parametrize(("kind", "method"), [(k, m) for k, m, _, _ in CASES])
def test_the_fit_over_columns_computes_what_the_fit_over_objects_does(kind: str,
                                                                      method: str) -> None:
    """The same fit given the answers as objects and as columns (repeated pairs, workers
    and tasks in no order, gold scores of a worker who answered nothing else)."""
    rng = random.Random(7)
    schema = parse_schema(SCHEMAS[kind])
    facts = ProjectFacts(schema, "USD", 3, QualityTerms(consensus_method=method))
    answers = [TaskAnswer(task, worker, an_answer(kind, rng, task % 3))
               for task in rng.sample(range(1000, 1400, 3), 90)
               for worker in rng.sample(range(20, 40), rng.choice([1, 3, 4]))]
    answers += [TaskAnswer(a.task_id, a.worker_id, an_answer(kind, rng, 0))
                for a in answers[::17]]
    gold = {25: GoldScore(3, 4), 99: GoldScore(1, 1)}
    code_of: dict[Any, int] = {}
    codes = [code_of.setdefault(answer_key(schema, a.answer), len(code_of)) for a in answers]
    columns = AnswerColumns(np.array([a.task_id for a in answers], dtype=np.int64),
                            np.array([a.worker_id for a in answers], dtype=np.int32),
                            np.array(codes, dtype=np.int32), list(code_of))

    computed, skills = fitting.fit_consensus(facts, coded_answers(columns, schema), gold, 3)
    rows, want_skills = fitting.fit_consensus(facts, answers, gold, 3)

    assert computed.rows(np.arange(len(computed))) == rows
    assert all(isinstance(r, TaskConsensus) and type(r.confidence) is float for r in rows)
    assert skills == want_skills


def test_a_refit_with_no_answers_keeps_the_gold_scores_alone() -> None:
    schema = parse_schema(SCHEMAS["single_choice"])
    facts = ProjectFacts(schema, "USD", 3, QualityTerms())
    empty = AnswerColumns(np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.int32),
                          [])
    computed, skills = fitting.fit_consensus(facts, coded_answers(empty, schema),
                                             {4: GoldScore(1, 2)}, 0)
    assert len(computed) == 0 and [s.worker_id for s in skills] == [4]
