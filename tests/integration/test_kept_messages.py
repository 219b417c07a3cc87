"""Decisions and inbox messages are kept as templates with their values, on SQLite and
PostgreSQL: read back, they are said in the reader's language, with money and dates written
for them; rows kept before templates existed read as their English text."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from sqlalchemy import insert, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import decisions as decision_rows
from fairlabel.adapters.db.tables import inbox_messages
from fairlabel.adapters.i18n.context import Reader, reader_for, reading_as
from fairlabel.adapters.i18n.formats import say
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, decisions, ending, inbox, pay, projects, review
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund


def french_in_nairobi() -> Reader:
    return reader_for(account_language="fr", account_time_zone="Africa/Nairobi",
                      chosen_language=None, browser_time_zone=None, accept_language=None)


def answered(container: Container, clock: FakeClock, people: Accounts
             ) -> tuple[User, User, int, int]:
    """A requester's project at 1.25 USD a task, and one answer of a worker's."""
    requester, worker = people.make(Role.REQUESTER)[0], people.make(Role.WORKER)[0]
    now = clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Oiseaux", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 1,
        Money(125, "USD"), 600), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"text": str(i)} for i in range(5)], max_rows=100, now=now)
    fund(container, requester, project.id, 100_000)
    projects.launch_project(container.db, requester, project.id, now=now,
                            policy=container.charter)
    lease = assignment.request_next(container.db, worker, project.id, now=clock(),
                                    policy=container.charter)
    assert lease is not None
    clock.advance(seconds=40)
    assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    return requester, worker, project.id, lease.assignment_id


def test_a_decisions_explanation_is_kept_and_said_in_french(
        container: Container, clock: FakeClock, people: Accounts) -> None:
    requester, worker, _, answer_id = answered(container, clock, people)
    made = review.review_answer(container.db, requester, answer_id, approve=False,
                                reason="the bird is a plane", withhold_pay=False,
                                policy=container.charter, now=clock())
    with container.engine.connect() as conn:
        row = conn.execute(select(decision_rows).where(decision_rows.c.id == made.id)).one()
    assert row.explanation.startswith("The requester rejected your answer on 2026-11-02 09:00 UTC")
    assert "(1.25 USD, now available to you)" in row.explanation  # the English stays kept
    assert row.explanation_msg["p"]["pay"] == {"money": 125, "currency": "USD"}

    [view] = decisions.my_decisions(container.db, worker)
    kept = view.decision.explanation
    assert kept == made.explanation and str(kept) == row.explanation
    with reading_as(french_in_nairobi()):
        said = say(kept)
    assert said.startswith("Le demandeur a rejeté votre réponse le 2 nov. 2026")
    assert "12:00 EAT" in said  # 09:00 UTC, in Nairobi's time
    assert "“the bird is a plane”" in said  # what the requester typed, as typed
    assert "(1,25\u00a0$US, maintenant disponible pour vous)" in said


def test_a_price_cut_tells_the_amounts_and_the_date_in_french(
        container: Container, clock: FakeClock, people: Accounts) -> None:
    requester, worker, project_id, _ = answered(container, clock, people)
    policy: CharterPolicy = container.charter
    pay.change_price(container.db, requester, project_id, Money(100, "USD"), reason="budget",
                     policy=policy, now=clock())
    [message] = inbox.messages(container.db, worker)
    effective = clock() + policy.price_cut_notice
    assert str(message.subject) == "Pay cut on " + effective.strftime("%Y-%m-%d %H:%M UTC") \
        + ": Oiseaux"
    assert "falls from 1.25 USD to 1.00 USD on" in str(message.body)
    with container.engine.connect() as conn:
        row = conn.execute(select(inbox_messages)).one()
    assert row.body == str(message.body) and row.body_msg["p"]["reason"] == "budget"
    with reading_as(french_in_nairobi()):
        body, subject = say(message.body), say(message.subject)
    day = f"{effective.day} nov. 2026"
    assert subject == f"Baisse de la rémunération le {day}, 12:00 EAT : Oiseaux"
    assert f"passe de 1,25\u00a0$US à 1,00\u00a0$US le {day}" in body
    assert body.endswith("Motif : budget")
    assert effective - clock() == timedelta(days=policy.price_cut_notice.days)


def test_a_raise_says_it_applies_now_to_every_task_taken(
        container: Container, clock: FakeClock, people: Accounts) -> None:
    requester, worker, project_id, _ = answered(container, clock, people)
    pay.change_price(container.db, requester, project_id, Money(150, "USD"), reason="",
                     policy=container.charter, now=clock())
    [message] = inbox.messages(container.db, worker)
    assert str(message.body).startswith(
        "The price per task of “Oiseaux” rose from 1.25 USD to 1.50 USD on "
        "2026-11-02 09:00 UTC: every task you take from then on is paid 1.50 USD.")
    assert "keep the price" not in str(message.body)


def test_rows_kept_before_templates_read_as_their_english(
        container: Container, clock: FakeClock, people: Accounts) -> None:
    worker = people.make(Role.WORKER)[0]
    with container.engine.begin() as conn:
        conn.execute(insert(decision_rows).values(
            worker_id=worker.id, kind=DecisionKind.TOPUP.value, rule="pay_floor@1",
            inputs={}, outcome="topped up 0.10 USD", explanation="An old {explanation}.",
            status="final", created_at=clock()))
        conn.execute(insert(inbox_messages).values(
            user_id=worker.id, subject="Old", body="An old message.", created_at=clock()))
    [view] = decisions.my_decisions(container.db, worker)
    assert view.decision.explanation == Msg.text("An old {explanation}.")
    [message] = inbox.messages(container.db, worker)
    assert (message.subject, message.body) == (Msg.text("Old"), Msg.text("An old message."))
    with reading_as(french_in_nairobi()):
        assert say(view.decision.explanation) == "An old {explanation}."


def test_an_ending_at_once_tells_each_worker_their_notice_pay_and_how_it_is_counted(
        container: Container, clock: FakeClock, people: Accounts) -> None:
    requester, worker, project_id, _ = answered(container, clock, people)
    notice_days = projects.get_project(container.db, requester, project_id
                                       ).project.terms.commitment.notice_days
    done = ending.end_project(container.db, requester, project_id,
                              reason="The client's study ended.", mode=EndMode.IMMEDIATE,
                              policy=container.charter, now=clock())
    owed = done.notice_pay[worker.id]
    assert owed == Money(ceil(125 * notice_days / 14), "USD")
    [message] = inbox.messages(container.db, worker)
    body = str(message.body)
    assert f"Reason: The client's study ended. You are paid {owed} of notice pay" in body
    assert "you earned 1.25 USD on this project in the last 14 days" in body
    assert f"times its {notice_days} days of notice" in body
    [view] = decisions.my_decisions(container.db, worker)
    assert view.decision.explanation == message.body
    with reading_as(french_in_nairobi()):
        said = say(message.body)
    assert "Vous recevez 0,63\u00a0$US d’indemnité de préavis" in said
