"""The Musen → Nova story, told by the demo through the same use cases as everyone else.

"Musen" runs for a while, is ended early with notice pay; "Nova", the same work under a new
name at a lower hourly rate, is refused with the explanation; at the same rate it is accepted,
linked to Musen, and Musen's workers are invited first.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from fairlabel.domain.accounts import User
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import Commitment, EndMode
from fairlabel.domain.continuation import ContinuationPayCut
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, ending, jobs, pay, projects
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import (
    HasAppeals,
    HasBlocks,
    HasContinuationCases,
    HasDecisions,
)
from fairlabel.services.ports.media import HasMedia
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPayouts, HasPrices
from fairlabel.services.ports.quality import HasConsensus, HasConsensusUpkeep, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks


class TellTx(HasUsers, HasProjects, HasTasks, HasAssignments, HasLedger, HasEscrow, HasHolds,
             HasPrices, HasPayouts, HasGold, HasConsensus, HasConsensusUpkeep, HasDecisions,
             HasAppeals, HasBlocks, HasInbox, HasMedia, HasContinuationCases, Commits, Protocol):
    """The transaction of ``tell``."""


MUSEN = ("Read each customer message and choose the overall feeling it expresses. **Positive**: "
         "pleased, grateful or recommends it. **Negative**: unhappy, complains or warns others, "
         "including sarcasm. **Neutral**: factual, or so mixed that neither side wins.")
NOVA = ("Choose the overall sentiment each customer message expresses. **Neutral**: factual, "
        "or so mixed that neither side wins. **Good**: pleased, grateful or recommends it. "
        "**Bad**: unhappy, complains or warns others, including sarcasm.")


def _terms(name: str, instructions: str, choices: list[str], price: int) -> ProjectTerms:
    return ProjectTerms(name, instructions,
                        parse_schema({"type": "single_choice", "choices": choices}), 2,
                        Money(price, "USD"), 600, commitment=Commitment(notice_days=7))


def tell(db: Database[TellTx], policy: CharterPolicy, requester: User, workers: list[User],
         rows: list[dict[str, Any]], *, now: datetime) -> list[str]:
    """Play the story three days into the past up to ``now``; return what happened."""
    story: list[str] = []
    clock = now - timedelta(days=3)
    pool = [dict(r) for r in rows]
    random.Random(5).shuffle(pool)
    musen = projects.create_project(db, requester, _terms(
        "Musen", MUSEN, ["positive", "negative", "neutral"], 35), policy=policy,
        now=clock)
    projects.import_tasks(db, requester, musen.id, pool[:60], max_rows=60, now=clock)
    pay.fund_project(db, requester, musen.id, Money(100_00, "USD"), now=clock)
    projects.launch_project(db, requester, musen.id, now=clock, policy=policy)
    for _ in range(8):
        for worker in workers:
            lease = assignment.request_next(db, worker, musen.id, now=clock, policy=policy)
            if lease is None:
                continue
            clock += timedelta(seconds=60)
            assignment.submit_answer(db, worker, lease.assignment_id, "positive",
                                     idempotency_key=None, now=clock, policy=policy)
    jobs.run_due_work(db, policy, now=clock)
    story.append("Musen: 0.35 USD per task, a measured minute per task: 21.00 USD per hour.")
    clock += timedelta(hours=1)
    ended = ending.end_project(db, requester, musen.id, mode=EndMode.IMMEDIATE, now=clock,
                               policy=policy,
                               reason="Project scope changes at the client.")
    paid = sum(m.amount_minor for m in ended.notice_pay.values())
    story.append(f"Musen ended early, at once: {len(ended.notice_pay)} workers were paid "
                 f"{Money(paid, 'USD')} of notice pay, with the reason.")
    clock += timedelta(days=1)
    resampled = pool[20:80]
    random.Random(6).shuffle(resampled)
    nova = projects.create_project(db, requester, _terms(
        "Nova", NOVA, ["good", "bad", "neutral"], 27), policy=policy, now=clock)
    projects.import_tasks(db, requester, nova.id, resampled, max_rows=60, now=clock)
    pay.fund_project(db, requester, nova.id, Money(100_00, "USD"), now=clock)
    try:
        projects.launch_project(db, requester, nova.id, now=clock, policy=policy)
    except ContinuationPayCut as refused:
        story.append(f"Nova at 0.27 USD per task was refused: {refused.message}")
    pay.change_price(db, requester, nova.id, Money(35, "USD"), reason="Same pay as Musen.",
                     policy=policy, now=clock)
    projects.launch_project(db, requester, nova.id, now=clock, policy=policy)
    story.append("Nova at 0.35 USD per task was accepted, marked as Musen's continuation; "
                 "Musen's workers were invited and are served first for 72 hours.")
    return story
