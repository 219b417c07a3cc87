"""Charter rule 5, the continuation guard: a relaunch may not pay less per measured hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from fairlabel.domain.errors import Conflict
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.pay import effective_hourly

GUARD_WINDOW = timedelta(days=90)  # how far back ended, paused or cut projects are compared
FIRST_ACCESS = timedelta(hours=72)  # the earlier project's workers are served first


class ContinuationPayCut(Conflict):
    """A continuation that would pay less per hour than the project it continues."""

    code = "continuation_pay_cut"

    def __init__(self, message: Msg, *, continuation_of: int) -> None:
        super().__init__(message)
        self.continuation_of = continuation_of

    @property
    def details(self) -> dict[str, object]:
        return {"continuation_of": self.continuation_of}


def pays_less(*, old_price: Money, new_price: Money) -> bool:
    """Whether a continuation pays less per measured hour than the project it continues.

    Until the new project has its own measurement it is priced with the earlier project's
    median time (the same work), so this compares the prices per task. Prices in different
    currencies are not compared.
    """
    return (new_price.currency == old_price.currency
            and new_price.amount_minor < old_price.amount_minor)


def back_pay_due(*, paid_minor: int, earlier_price_minor: int) -> int:
    """What one answer given at a continuation's lower price is owed once the link is
    confirmed: the difference to the earlier price per task (what it was paid so far counts,
    top-ups included), never negative."""
    return max(0, earlier_price_minor - paid_minor)


class CaseStatus(StrEnum):
    """Where a continuation case stands: open (a moderator's to decide), confirmed, dismissed."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class CaseScores:
    """How alike the two projects are: exact Jaccard per part and the combined score."""

    instructions: float
    schema: float
    data: float
    combined: float


@dataclass(frozen=True, slots=True)
class ContinuationCase:
    """A project under one requester account that looks like an earlier project of another
    (charter rule 5): the guard found it at launch; a moderator confirms or dismisses it.

    Prices are as found; ``earlier_median_ms`` is the earlier project's measured median then.
    """

    id: int
    project_id: int
    earlier_id: int
    requester_id: int
    earlier_requester_id: int
    price: Money
    earlier_price: Money
    earlier_median_ms: int | None
    scores: CaseScores
    found_at: datetime
    status: CaseStatus
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    back_paid_minor: int = 0
    back_pay_owed_minor: int = 0


def check_case_open(case: ContinuationCase) -> None:
    """A case is decided once."""
    if case.status is not CaseStatus.OPEN:
        raise Conflict("continuation case {case_id} was already decided on {decided_at}; "
                       "reload the list of open cases",
                       code="case_closed", case_id=str(case.id),
                       decided_at=case.decided_at or case.found_at)


def check_continuation_pay(*, old_id: int, old_name: str, old_price: Money,
                           old_median_ms: int | None, new_price: Money) -> None:
    """Refuse a continuation priced below the earlier project per measured hour.

    Until the new project has its own measurement it is priced with the earlier project's
    median time, so the comparison is of prices per task at that median. The earlier
    project's price is its last one: a cut announced on it counts once its notice has run out
    (and not before).
    """
    if not pays_less(old_price=old_price, new_price=new_price):
        return
    if old_median_ms:
        median = Fraction(old_median_ms)
        old_rate = Money(effective_hourly(old_price.amount_minor, median), old_price.currency)
        new_rate = Money(effective_hourly(new_price.amount_minor, median), new_price.currency)
        figures = Msg("at its measured median of {median} s per task, {name} paid {old_rate} "
                      "per hour and this project would pay {new_rate}",
                      {"median": round(old_median_ms / 1000, 1), "name": old_name,
                       "old_rate": old_rate, "new_rate": new_rate})
    else:
        figures = Msg("{name} paid {old_price} per task and this project would pay {new_price}",
                      {"name": old_name, "old_price": old_price, "new_price": new_price})
    raise ContinuationPayCut(Msg(
        "this project continues project {old_id} (“{name}”): same instructions, schema and "
        "data. A continuation may not pay less per hour: {figures}. Two ways forward: price it "
        "at {old_price} per task or more, or announce a price cut on project {old_id} and "
        "launch after its notice period has run out.",
        {"old_id": str(old_id), "name": old_name, "figures": figures, "old_price": old_price}),
        continuation_of=old_id)
