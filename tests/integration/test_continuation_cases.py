"""Charter rule 5 against a hidden relaunch, through the services on the real databases.

A requester ends "Musen" and relaunches the same work cheaper, hidden: reworded
instructions, renamed labels, the tasks shuffled and paraphrased, a pause instead of an end,
a project left open but no longer funded, or a second requester account. Under the same
account the guard links it (and refuses the lower pay); under another account it opens a
case that a moderator confirms (raise, back pay, invitations) or dismisses.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from importlib import resources

import pytest
from sqlalchemy import select
from tools.continuation_eval.variants import paraphrase

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.continuation import CaseStatus, ContinuationPayCut
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import Conflict, PermissionDenied
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import (
    assignment,
    continuation,
    decisions,
    ending,
    funding,
    jobs,
    pay,
    projects,
)
from tests.conftest import Accounts
from tests.integration.test_fair_pay import assert_ledger_sound
from tests.support.clock import FakeClock
from tests.support.funding import fund

MUSEN = (
    "Read each customer message and choose the overall feeling it expresses. Positive means "
    "the writer is pleased, grateful or recommends the product. Negative means the writer is "
    "unhappy, complains or warns others, including sarcasm. Neutral means the message is "
    "factual or so mixed that neither side wins. Take a few seconds per message; there is no "
    "trick, and your first impression is usually right.")
NOVA = (
    "Take a few seconds per note; there is no catch, and your first feeling is usually right. "
    "Go through every client message and pick the general sentiment it shows. Flat means the "
    "note is factual or so balanced that neither side wins. Happy means the writer is "
    "satisfied, thankful or suggests the product. Unhappy means the writer is upset, grumbles "
    "or cautions others, including sarcasm.")
CHOICES = ["positive", "negative", "neutral"]
RENAMED = ["happy", "unhappy", "flat"]
TASKS = 120  # more than the guard once read (50): a shuffled copy shows other tasks first


def texts() -> list[str]:
    raw = resources.files("fairlabel.demo").joinpath("data", "sentiment.jsonl").read_text()
    return [json.loads(line)["text"] for line in raw.splitlines() if line.strip()]


def work(container: Container, clock: FakeClock, worker: User, project_id: int, *,
         seconds: float, answers: int) -> int:
    """``answers`` answers of ``seconds`` each (the first choice of either label set)."""
    done = 0
    for _ in range(answers):
        lease = assignment.request_next(container.db, worker, project_id, now=clock(),
                                        policy=container.charter)
        if lease is None:
            break
        clock.advance(seconds=seconds)
        choices = projects.get_project(container.db, worker, project_id).project.terms
        answer = choices.schema.to_dict()["choices"][0]
        assignment.submit_answer(container.db, worker, lease.assignment_id, answer,
                                 idempotency_key=None, now=clock(), policy=container.charter)
        done += 1
    return done


def disguised(rows: list[dict[str, str]], seed: int) -> list[dict[str, str]]:
    """The same tasks, shuffled, with about a third of their content words swapped."""
    out = paraphrase(rows, random.Random(seed))
    random.Random(seed + 1).shuffle(out)
    return out


@dataclass
class World:
    container: Container
    clock: FakeClock
    people: Accounts
    moderator: User

    def project(self, requester: User, name: str, instructions: str, choices: list[str],
                price: int, rows: list[dict[str, str]], *, funding: int = 100_000,
                launch: bool = True) -> int:
        c, now = self.container, self.clock()
        made = projects.create_project(c.db, requester, ProjectTerms(
            name, instructions, parse_schema({"type": "single_choice", "choices": choices}),
            1, Money(price, "USD"), 600), policy=c.charter, now=now)
        projects.import_tasks(c.db, requester, made.id, rows, max_rows=10_000, now=now)
        if funding:
            fund(c, requester, made.id, funding)
        if launch:
            self.launch(requester, made.id)
        return made.id

    def launch(self, requester: User, project_id: int) -> int | None:
        c = self.container
        projects.launch_project(c.db, requester, project_id, now=self.clock(), policy=c.charter)
        return projects.get_project(c.db, requester, project_id).project.continuation_of

    def musen(self, requester: User, workers: list[User]) -> int:
        """Musen, worked by ``workers`` (one minute per answer) and measured."""
        rows = [{"text": t} for t in texts()[:TASKS]]
        pid = self.project(requester, "Musen", MUSEN, CHOICES, 35, rows)
        for worker in workers:
            work(self.container, self.clock, worker, pid, seconds=60, answers=4)
        jobs.run_due_work(self.container.db, self.container.charter, now=self.clock())
        return pid

    def end(self, requester: User, project_id: int) -> None:
        ending.end_project(self.container.db, requester, project_id,
                           reason="The client changed the scope.", mode=EndMode.IMMEDIATE,
                           policy=self.container.charter, now=self.clock())


@pytest.fixture
def world(container: Container, clock: FakeClock, people: Accounts) -> World:
    return World(container, clock, people, people.make(Role.MODERATOR)[0])


def nova_rows() -> list[dict[str, str]]:
    return disguised([{"text": t} for t in texts()[:TASKS]], seed=11)


def test_a_cheaper_copy_under_a_second_account_opens_a_case_that_a_moderator_confirms(
        world: World) -> None:
    c = world.container
    first, second = world.people.make(Role.REQUESTER)[0], world.people.make(Role.REQUESTER)[0]
    musen_workers = [world.people.make(Role.WORKER)[0] for _ in range(3)]
    musen = world.musen(first, musen_workers)
    world.end(first, musen)
    median = projects.get_project(c.db, first, musen).project.measured_median_ms
    assert median == 60_000

    # The second account launches the disguised copy at 27 cents: not refused, not linked.
    world.clock.advance(hours=2)
    nova = world.project(second, "Nova", NOVA, RENAMED, 27, nova_rows())
    assert projects.get_project(c.db, second, nova).project.continuation_of is None
    [view] = continuation.continuation_cases(c.db, world.moderator, now=world.clock())
    case = view.case
    assert (case.project_id, case.earlier_id, case.status) == (nova, musen, CaseStatus.OPEN)
    assert (view.project.name, view.earlier.name) == ("Nova", "Musen")
    assert view.project.requester == second.pseudonym
    assert view.earlier.requester == first.pseudonym
    assert (case.price, case.earlier_price) == (Money(27, "USD"), Money(35, "USD"))
    assert case.earlier_median_ms == 60_000 and view.earlier.measured_median_ms == 60_000
    assert case.scores.combined >= 0.40 and case.scores.data > 0
    assert case.found_at == world.clock()

    # Before anyone decides, two workers give six answers at the lower price.
    nova_workers = [world.people.make(Role.WORKER)[0] for _ in range(2)]
    for worker in nova_workers:
        assert work(c, world.clock, worker, nova, seconds=60, answers=3) == 3

    done = continuation.confirm_continuation(c.db, world.moderator, case.id, now=world.clock(),
                                             policy=c.charter)
    assert done.raised_from == Money(27, "USD") and done.price == Money(35, "USD")
    assert done.back_paid == Money(6 * 8, "USD") and done.answers_back_paid == 6
    assert done.back_pay_owed == Money(0, "USD") and not done.paused
    assert done.invited == 3 and done.case.status is CaseStatus.CONFIRMED
    nova_now = projects.get_project(c.db, second, nova).project
    assert nova_now.continuation_of == musen
    assert nova_now.terms.pay_per_task == Money(35, "USD")
    assert nova_now.first_access_until is not None
    assert_ledger_sound(c)
    for worker in nova_workers:
        [made] = [v.decision for v in decisions.my_decisions(c.db, worker)
                  if v.decision.kind is DecisionKind.BACK_PAY]
        assert made.inputs["amount_minor"] == 3 * 8 and made.decided_by == world.moderator.id
        assert "35" in str(made.explanation) or "0.35" in str(made.explanation)
        entries = pay.earnings(c.db, worker, c.charter).entries
        back = [e for e in entries if e.memo.get("reason") == "continuation back pay"]
        assert sum(e.amount.amount_minor for e in back) == 3 * 8
    for worker in musen_workers:
        subjects = [str(m.subject) for m in pay.inbox(c.db, worker)]
        assert any("continues Musen" in s for s in subjects)
    told = [str(m.subject) for m in pay.inbox(c.db, second)]
    assert any("Continuation confirmed" in s for s in told)
    assert continuation.continuation_cases(c.db, world.moderator, now=world.clock()) == []
    with pytest.raises(Conflict):
        continuation.confirm_continuation(c.db, world.moderator, case.id, now=world.clock(),
                                          policy=c.charter)


def test_back_pay_the_escrow_cannot_cover_pauses_the_project_until_it_is_funded(
        world: World) -> None:
    c = world.container
    first, second = world.people.make(Role.REQUESTER)[0], world.people.make(Role.REQUESTER)[0]
    musen = world.musen(first, [world.people.make(Role.WORKER)[0] for _ in range(2)])
    world.end(first, musen)
    nova = world.project(second, "Nova", NOVA, RENAMED, 20, nova_rows(), funding=2_000)
    worker = world.people.make(Role.WORKER)[0]
    assert work(c, world.clock, worker, nova, seconds=60, answers=4) == 4
    free = funding.project_funding(c.db, second, nova, policy=c.charter, now=world.clock())
    if free.withdrawable.amount_minor:  # leave only what the notice pay needs
        funding.withdraw(c.db, second, nova, free.withdrawable, policy=c.charter,
                         now=world.clock())
    [view] = continuation.continuation_cases(c.db, world.moderator, now=world.clock())
    done = continuation.confirm_continuation(c.db, world.moderator, view.case.id,
                                             now=world.clock(), policy=c.charter)
    assert done.back_paid.amount_minor + done.back_pay_owed.amount_minor == 4 * 15
    assert done.back_pay_owed.amount_minor > 0 and done.paused
    assert projects.get_project(c.db, second, nova).project.status.value == "paused"
    assert_ledger_sound(c)
    with pytest.raises(Conflict, match="back pay"):  # resuming needs the money first
        world.launch(second, nova)
    fund(c, second, nova, 1_000)
    world.launch(second, nova)
    assert projects.get_project(c.db, second, nova).project.status.value == "open"
    told = [v.decision.inputs["amount_minor"] for v in decisions.my_decisions(c.db, worker)
            if v.decision.kind is DecisionKind.BACK_PAY]
    assert sum(told) == 4 * 15
    paid = sum(e.amount.amount_minor for e in pay.earnings(c.db, worker, c.charter).entries
               if e.memo.get("reason") == "continuation back pay")
    assert paid == 4 * 15
    assert_ledger_sound(c)


def test_a_dismissed_case_is_closed_with_its_reason_and_only_moderators_decide(
        world: World) -> None:
    c = world.container
    first, second = world.people.make(Role.REQUESTER)[0], world.people.make(Role.REQUESTER)[0]
    musen = world.musen(first, [world.people.make(Role.WORKER)[0]])
    world.end(first, musen)
    nova = world.project(second, "Nova", NOVA, RENAMED, 27, nova_rows())
    [view] = continuation.continuation_cases(c.db, world.moderator, now=world.clock())
    for outsider in (second, world.people.make(Role.WORKER)[0]):
        with pytest.raises(PermissionDenied):
            continuation.continuation_cases(c.db, outsider, now=world.clock())
        with pytest.raises(PermissionDenied):
            continuation.confirm_continuation(c.db, outsider, view.case.id, now=world.clock(),
                                              policy=c.charter)
        with pytest.raises(PermissionDenied):
            continuation.dismiss_continuation(c.db, outsider, view.case.id, reason="no",
                                              now=world.clock())
    closed = continuation.dismiss_continuation(
        c.db, world.moderator, view.case.id, reason="Two clients license the same corpus.",
        now=world.clock())
    assert closed.status is CaseStatus.DISMISSED
    assert closed.reason == "Two clients license the same corpus."
    assert closed.decided_by == world.moderator.id
    assert continuation.continuation_cases(c.db, world.moderator, now=world.clock()) == []
    nova_now = projects.get_project(c.db, second, nova).project
    assert nova_now.continuation_of is None and nova_now.terms.pay_per_task == Money(27, "USD")


def test_another_requesters_different_project_opens_no_case(world: World) -> None:
    c = world.container
    first, second = world.people.make(Role.REQUESTER)[0], world.people.make(Role.REQUESTER)[0]
    musen = world.musen(first, [world.people.make(Role.WORKER)[0]])
    world.end(first, musen)
    rows = [{"text": f"def f{i}(x):\n    return x * {i}  # doubles the input"}
            for i in range(40)]
    other = world.project(second, "Code review", "Say whether the function does what its "
                          "comment says. A wrong operator or an off-by-one is a bug.",
                          ["bug", "fine", "unsure"], 10, rows)
    assert projects.get_project(c.db, second, other).project.continuation_of is None
    assert continuation.continuation_cases(c.db, world.moderator, now=world.clock()) == []


@pytest.mark.parametrize("stop", ["ended", "paused", "unfunded"])
def test_each_hiding_variant_under_the_same_account_is_linked(world: World, stop: str) -> None:
    """Reworded instructions, renamed labels, shuffled and paraphrased tasks, and the earlier
    project ended, paused, or left open without funds: cheaper is refused, the same pay is
    linked."""
    c = world.container
    requester = world.people.make(Role.REQUESTER)[0]
    musen = world.musen(requester, [world.people.make(Role.WORKER)[0] for _ in range(2)])
    if stop == "ended":
        world.end(requester, musen)
    elif stop == "paused":
        ending.pause_project(c.db, requester, musen, now=world.clock())
    else:  # open, but its free escrow taken back down to what its notice pay needs
        left = funding.project_funding(c.db, requester, musen, policy=c.charter,
                                       now=world.clock())
        funding.withdraw(c.db, requester, musen, left.withdrawable, policy=c.charter,
                         now=world.clock())
    nova = world.project(requester, "Nova", NOVA, RENAMED, 27, nova_rows(), launch=False)
    with pytest.raises(ContinuationPayCut) as refused:
        world.launch(requester, nova)
    assert refused.value.continuation_of == musen
    pay.change_price(c.db, requester, nova, Money(35, "USD"), reason="", policy=c.charter,
                     now=world.clock())
    assert world.launch(requester, nova) == musen


def test_a_cheaper_copy_of_a_running_project_is_refused_and_the_same_pay_is_a_parallel_batch(
        world: World) -> None:
    c = world.container
    requester = world.people.make(Role.REQUESTER)[0]
    musen = world.musen(requester, [world.people.make(Role.WORKER)[0]])
    nova = world.project(requester, "Nova", NOVA, RENAMED, 27, nova_rows(), launch=False)
    with pytest.raises(ContinuationPayCut) as refused:
        world.launch(requester, nova)
    assert refused.value.continuation_of == musen
    pay.change_price(c.db, requester, nova, Money(35, "USD"), reason="", policy=c.charter,
                     now=world.clock())
    assert world.launch(requester, nova) is None  # Musen still serves: no first access


def test_back_pay_waits_for_an_answer_another_transaction_holds_and_pays_it(
        world: World) -> None:
    """An answer a review or the top-ups hold locked while a case is confirmed is waited for
    and back-paid: skipped, it would have been neither paid nor counted as owed."""
    c = world.container
    if c.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks: one writer at a time")
    first, second = world.people.make(Role.REQUESTER)[0], world.people.make(Role.REQUESTER)[0]
    musen = world.musen(first, [world.people.make(Role.WORKER)[0]])
    world.end(first, musen)
    world.clock.advance(hours=2)
    nova = world.project(second, "Nova", NOVA, RENAMED, 27, nova_rows())
    [view] = continuation.continuation_cases(c.db, world.moderator, now=world.clock())
    assert work(c, world.clock, world.people.make(Role.WORKER)[0], nova, seconds=60,
                answers=3) == 3
    with c.engine.connect() as conn:
        held = conn.execute(select(assignments.c.id).where(assignments.c.project_id == nova)
                            .order_by(assignments.c.id)).scalars().first()
    outcome: list[continuation.ConfirmedContinuation] = []
    with c.engine.connect() as other:
        other.execute(select(assignments.c.id).where(assignments.c.id == held)
                      .with_for_update())
        confirming = threading.Thread(target=lambda: outcome.append(
            continuation.confirm_continuation(c.db, world.moderator, view.case.id,
                                              now=world.clock(), policy=c.charter)))
        confirming.start()
        confirming.join(timeout=1.0)
        assert confirming.is_alive()  # it waits for the answer held elsewhere
        other.rollback()
    confirming.join(timeout=30)
    [done] = outcome
    assert done.answers_back_paid == 3 and done.back_paid == Money(3 * 8, "USD")
    assert done.back_pay_owed == Money(0, "USD")
    assert_ledger_sound(c)
