"""Everything the platform holds about the caller (charter rule 9), for download as JSON.

Only the caller's own rows: their account, answers and times, the decisions about them and
their appeals, their ledger entries, the ratings and testimonies they wrote, their inbox and
payout details — and for a requester, their projects and funds. Never another person's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import Assignment
from fairlabel.domain.decisions import Appeal
from fairlabel.domain.ledger import Entry
from fairlabel.domain.projects import Project
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasAppeals, HasDecisions
from fairlabel.services.ports.money import HasLedger, HasPayouts, PayoutDetails
from fairlabel.services.ports.transaction import Database
from fairlabel.services.ports.voice import (
    HasInbox,
    HasVoice,
    InboxMessage,
    RatingRecord,
    TestimonyRecord,
)
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.decisions import DecisionView, views


class MyDataTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasPayouts, HasDecisions,
               HasAppeals, HasInbox, HasVoice, Protocol):
    """The transaction of ``my_data``."""


@dataclass(frozen=True, slots=True)
class MyData:
    user: User
    payout_details: PayoutDetails | None
    answers: list[Assignment]
    decisions: list[DecisionView]
    appeals: list[Appeal]
    entries: list[Entry]
    ratings: list[RatingRecord]
    testimonies: list[TestimonyRecord]
    inbox: list[InboxMessage]
    projects: list[Project]


def my_data(db: Database[MyDataTx], user: User) -> MyData:
    if user.role is Role.REQUESTER:
        accounts = [ledger.requester_funds(user.id)]
    else:
        accounts = [ledger.worker_account(user.id, b) for b in ledger.WORKER_ACCOUNTS]
    with db.read() as tx:
        return MyData(
            user=user,
            payout_details=tx.payouts.details([user.id]).get(user.id),
            answers=tx.assignments.of_worker(user.id),
            decisions=views(tx, tx.decisions.for_worker(user.id)),
            appeals=tx.appeals.for_worker(user.id),
            entries=tx.ledger.entries(accounts),
            ratings=tx.voice.ratings_by(user.id),
            testimonies=tx.voice.testimonies_by(user.id),
            inbox=tx.inbox.latest(user.id, limit=100_000),
            projects=(tx.projects.find(requester_id=user.id)
                      if user.role is not Role.WORKER else []),
        )
