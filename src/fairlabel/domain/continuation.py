"""Charter rule 5, the continuation guard: a relaunch may not pay less per measured hour."""

from __future__ import annotations

from datetime import timedelta
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


def check_continuation_pay(*, old_id: int, old_name: str, old_price: Money,
                           old_median_ms: int | None, new_price: Money) -> None:
    """Refuse a continuation priced below the earlier project per measured hour.

    Until the new project has its own measurement it is priced with the earlier project's
    median time, so the comparison is of prices per task at that median. The earlier
    project's price is its last one: a cut announced on it counts once its notice has run out
    (and not before).
    """
    if new_price.currency != old_price.currency or new_price.amount_minor >= old_price.amount_minor:
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
