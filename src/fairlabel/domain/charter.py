"""The charter's parameters in one place: every rule's settings, with their one default.

``CharterPolicy`` is built once at start-up (``fairlabel.bootstrap.charter_policy``, from the
``FAIRLABEL_*`` settings, whose defaults are the constants below) and handed to the use cases
that apply the rules. docs/charter.md goes from each rule to its parameters here, its domain
function, its use case and its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from fairlabel.domain.errors import InvalidInput

# Rule 1: a project's hourly rate is measured once this many answers are in.
MIN_ANSWERS_FOR_RATE = 20
# Rule 3: a lower price per task takes effect this many days after it is announced.
PRICE_CUT_NOTICE_DAYS = 14.0
# Rule 4: the shortest notice period a project may state, in days.
MIN_NOTICE_DAYS = 7
# Rule 4: workers told of a price change or an ending are those active this many days.
ACTIVE_WINDOW_DAYS = 30
# Rule 6: unreviewed answers are approved (and paid) when this many hours have passed.
REVIEW_WINDOW_HOURS = 72.0
# Rule 6: an appeal no moderator decided within this many days is overturned for the worker.
APPEAL_DEADLINE_DAYS = 7.0
# Rule 7: the smallest available balance paid out, per currency, in minor units.
PAYOUT_THRESHOLDS: Mapping[str, int] = MappingProxyType({"USD": 1000, "EUR": 1000})
# Rule 1: the hourly floor per currency, in minor units per hour.
FLOORS: Mapping[str, int] = MappingProxyType({"USD": 1500, "EUR": 1300})


@dataclass(frozen=True, slots=True)
class FloorTable:
    """Hourly floors in minor units: per currency, optionally per worker country.

    Attributes:
        by_currency: e.g. ``{"USD": 1500, "EUR": 1300}`` (15.00 USD/h, 13.00 EUR/h).
        by_country: e.g. ``{"DE": {"EUR": 1400}}``; a country floor only ever raises the
            currency floor for workers of that country.
    """

    by_currency: Mapping[str, int]
    by_country: Mapping[str, Mapping[str, int]]

    def require(self, currency: str) -> None:
        """Refuse money in a currency without a platform floor: work would run with none."""
        if self.by_currency.get(currency, 0) <= 0:
            raise InvalidInput("no floor is set for {currency}; an operator sets one with "
                               "FAIRLABEL_FLOORS", code="no_floor", currency=currency)

    def hourly(self, currency: str, *, country: str | None = None,
               project_floor: int | None = None) -> int:
        """The floor that applies: the highest of the currency, country and project floors."""
        candidates = [self.by_currency.get(currency, 0), project_floor or 0]
        if country:
            candidates.append(self.by_country.get(country.upper(), {}).get(currency, 0))
        return max(candidates)

    def highest(self, currency: str, *, project_floor: int | None = None) -> int:
        """The highest floor any worker of a project can be owed (what holds are sized by)."""
        return max([self.hourly(currency, project_floor=project_floor),
                    *(floors.get(currency, 0) for floors in self.by_country.values())])


@dataclass(frozen=True, slots=True)
class CharterPolicy:
    """Every charter rule's parameters (an operator may raise them; docs/configuration.md).

    Attributes:
        floors: rule 1, the hourly floors.
        min_answers_for_rate: rule 1, answers before a project's hourly rate is measured.
        price_cut_notice: rule 3, how long a price cut waits after it is announced.
        min_notice_days: rule 4, the shortest notice period a project may state.
        active_window: rule 4, who counts as a project's worker for its messages.
        continuation_threshold: rule 5, the similarity above which a new project continues
            an earlier one (None: the continuation guard's evaluated default).
        review_window: rule 6, when unreviewed answers are approved.
        appeal_deadline: rule 6, when an undecided appeal is overturned for the worker.
        payout_thresholds: rule 7, the smallest balance paid out, per currency.
    """

    floors: FloorTable
    min_answers_for_rate: int = MIN_ANSWERS_FOR_RATE
    price_cut_notice: timedelta = timedelta(days=PRICE_CUT_NOTICE_DAYS)
    min_notice_days: int = MIN_NOTICE_DAYS
    active_window: timedelta = timedelta(days=ACTIVE_WINDOW_DAYS)
    continuation_threshold: float | None = None
    review_window: timedelta = timedelta(hours=REVIEW_WINDOW_HOURS)
    appeal_deadline: timedelta = timedelta(days=APPEAL_DEADLINE_DAYS)
    payout_thresholds: Mapping[str, int] = field(default_factory=lambda: PAYOUT_THRESHOLDS)

    def payout_threshold(self, currency: str) -> int:
        return self.payout_thresholds.get(currency, PAYOUT_THRESHOLDS["USD"])

    def lowest_payout_threshold(self) -> int:
        """The smallest balance paid out in any currency (those set, and the default)."""
        return min([*self.payout_thresholds.values(), PAYOUT_THRESHOLDS["USD"]])
