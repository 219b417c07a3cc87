"""What each simulated answer was paid, with the charter and without it.

Pure functions over a :class:`~fairlabel.simulate.log.RunLog`: an answer's pay is read from
its worker's ledger statement (the entries whose memo names its ``assignment_id``), and set
beside the fair pay at its project's median measured time and beside what a platform without
the charter would have paid (the price at lease, nothing for a rejected answer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fairlabel.domain.assignment import worked_ms_between
from fairlabel.domain.ledger import Entry, parse_account
from fairlabel.domain.pay import fair_price, measured_median
from fairlabel.simulate.log import AnswerEvent, RunLog

PAY_KINDS = frozenset(("earn", "topup", "withhold", "appeal_pay"))
"""The movements that change what an answer has received. ``approve`` only moves it from
pending to available (both are the worker's), so it is left out rather than counted twice."""

AVAILABLE_KINDS = frozenset(("approve", "topup", "appeal_pay"))
"""The movements that can make an answer's pay available to its worker."""

TOLERANCE_MINOR = 1
"""An answer short of the fair pay by at most this much is not counted below the floor: the
platform rounds the median and the fair price to whole units, a minor unit per answer."""

UNKNOWN_STRATEGY = "unknown"


@dataclass(frozen=True, slots=True)
class AnswerPay:
    """One answer's pay: ``received_minor`` by the end of the run (the ledger, net of a
    withholding), ``nominal_minor`` without the charter (its price at lease, 0 if a rejection
    was attempted), ``fair_minor`` the floor's pay at its project's median measured time."""

    answer: AnswerEvent
    strategy: str
    received_minor: int
    nominal_minor: int
    fair_minor: int
    below_floor: bool
    below_floor_nominal: bool
    available_at: datetime | None

    @property
    def hours(self) -> float:
        return self.answer.measured_seconds / 3600


def _memo_id(entry: Entry, key: str) -> int | None:
    value = entry.memo.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _assignment_id(entry: Entry) -> int | None:
    return _memo_id(entry, "assignment_id")


def project_id_of(entry: Entry) -> int | None:
    """The project an entry's memo names, if any."""
    return _memo_id(entry, "project_id")


def all_entries(log: RunLog) -> Iterable[Entry]:
    """Every worker's statement entries, in worker id order then statement order."""
    for worker_id in sorted(log.statements):
        yield from log.statements[worker_id]


def received_by_answer(log: RunLog) -> dict[int, int]:
    """Per assignment id, the net pay its worker received (price, top-ups, appeal pay, less a
    withholding) on their accounts."""
    received: dict[int, int] = defaultdict(int)
    for entry in all_entries(log):
        assignment_id = _assignment_id(entry)
        if assignment_id is not None and entry.kind in PAY_KINDS:
            received[assignment_id] += entry.amount_minor
    return dict(received)


def available_at_by_answer(log: RunLog) -> dict[int, datetime]:
    """Per assignment id, when its pay first reached the worker's available balance."""
    found: dict[int, datetime] = {}
    for entry in all_entries(log):
        assignment_id = _assignment_id(entry)
        if (assignment_id is None or entry.kind not in AVAILABLE_KINDS
                or entry.amount_minor <= 0 or parse_account(entry.account).bucket != "available"):
            continue
        if assignment_id not in found or entry.created_at < found[assignment_id]:
            found[assignment_id] = entry.created_at
    return found


def fair_by_project(log: RunLog) -> dict[int, int]:
    """Per project, the fair pay of one answer: the floor at the median measured time of all
    its answers in the log (in whole milliseconds, rounded up as the platform does)."""
    times: dict[int, list[int]] = defaultdict(list)
    for answer in log.answers:
        times[answer.project_id].append(worked_ms_between(answer.leased_at, answer.submitted_at))
    return {project_id: fair_price(log.floor_hourly_minor, measured_median(durations))
            for project_id, durations in times.items()}


def strategy_of_requester(log: RunLog) -> dict[int, str]:
    return {info.user_id: info.strategy for info in log.requesters}


def requester_of_project(log: RunLog) -> dict[int, int]:
    """Per project id, its requester, from every event of the log that names both."""
    owner: dict[int, int] = {}
    for event in log.projects:
        owner.setdefault(event.project_id, event.requester_id)
    for answer in log.answers:
        owner.setdefault(answer.project_id, answer.requester_id)
    for relaunch in log.relaunches:
        owner.setdefault(relaunch.old_project_id, relaunch.requester_id)
        if relaunch.new_project_id is not None:
            owner.setdefault(relaunch.new_project_id, relaunch.requester_id)
    return owner


def strategy_of_project(log: RunLog) -> dict[int, str]:
    strategies = strategy_of_requester(log)
    return {project_id: strategies.get(requester_id, UNKNOWN_STRATEGY)
            for project_id, requester_id in requester_of_project(log).items()}


def answer_pay(log: RunLog) -> list[AnswerPay]:
    """Every answer's pay, in the log's order.

    Below the floor (with the charter): received less than the fair pay by more than
    :data:`TOLERANCE_MINOR`, unless a rejection withheld its pay with cause: the answer was
    wrong, or its worker is a spammer (a right label by chance, in bad faith). Without the
    charter: the same test on the nominal pay, every attempted rejection withholding (a
    rejection with cause is again not counted).
    """
    received = received_by_answer(log)
    available = available_at_by_answer(log)
    fair = fair_by_project(log)
    strategies = strategy_of_requester(log)
    spammers = {w.user_id for w in log.workers if w.kind == "spammer"}
    attempted: set[int] = set()
    withheld: set[int] = set()
    for review in log.reviews:
        if review.outcome == "rejected":
            attempted.add(review.assignment_id)
            if review.withheld and not review.refused:
                withheld.add(review.assignment_id)
    pays = []
    for answer in log.answers:
        aid = answer.assignment_id
        got = received.get(aid, 0)
        nominal = 0 if aid in attempted else answer.nominal_minor
        owed = fair[answer.project_id]
        cause = not answer.correct or answer.worker_id in spammers
        pays.append(AnswerPay(
            answer=answer, strategy=strategies.get(answer.requester_id, UNKNOWN_STRATEGY),
            received_minor=got, nominal_minor=nominal, fair_minor=owed,
            below_floor=(got + TOLERANCE_MINOR < owed
                         and not (aid in withheld and cause)),
            below_floor_nominal=(nominal + TOLERANCE_MINOR < owed
                                 and not (aid in attempted and cause)),
            available_at=available.get(aid)))
    return pays
