"""Charter rule 4: commitments, notice, and what ending a project owes its workers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from math import ceil

from fairlabel.domain.errors import Conflict, InvalidInput

NOTICE_PAY_WINDOW = timedelta(days=14)
MIN_REASON_LENGTH = 10


class EndMode(StrEnum):
    NOTICE = "notice"  # work stays available on the same terms until the notice ends
    IMMEDIATE = "immediate"  # ends now; active workers are paid the notice period


@dataclass(frozen=True, slots=True)
class Commitment:
    """What a project promises before anyone starts: an expected end and a notice period."""

    notice_days: int
    ends_on: date | None = None

    def check(self, *, min_notice_days: int, today: date) -> None:
        if self.notice_days < min_notice_days:
            raise InvalidInput("the notice period must be at least {min_days} days on this "
                               "platform, got {days}", min_days=min_notice_days,
                               days=self.notice_days)
        if self.notice_days > 365:
            raise InvalidInput("a notice period longer than a year is not supported")
        if self.ends_on is not None and self.ends_on < today:
            raise InvalidInput("the expected end date {ends_on} is already past",
                               ends_on=self.ends_on.isoformat())


def check_reason(reason: str) -> str:
    """Ending needs a written reason that workers will read."""
    cleaned = reason.strip()
    if len(cleaned) < MIN_REASON_LENGTH:
        raise InvalidInput("write the reason for ending the project (at least {length} "
                           "characters): the workers will read it", length=MIN_REASON_LENGTH)
    return cleaned


def check_can_end(*, ended: bool, ending_at: datetime | None) -> None:
    if ended:
        raise Conflict("the project has already ended", code="project_ended")
    if ending_at is not None:
        raise Conflict("the project already ends at {ending_at}", code="already_ending",
                       ending_at=ending_at)


def notice_end(now: datetime, notice_days: int) -> datetime:
    return now + timedelta(days=notice_days)


def notice_pay(earned_last_14_days: Mapping[int, int], notice_days: int) -> dict[int, int]:
    """Each active worker's notice pay: average daily earnings over 14 days × notice days.

    Amounts are minor units, rounded up in the worker's favour; workers who earned nothing in
    the window are owed nothing.
    """
    window = NOTICE_PAY_WINDOW.days
    return {worker: ceil(earned * notice_days / window)
            for worker, earned in sorted(earned_last_14_days.items()) if earned > 0}


def pause_counts_as_ending(paused_at: datetime, notice_days: int, now: datetime) -> bool:
    """A pause longer than the notice period is an ending without notice."""
    return now - paused_at > timedelta(days=notice_days)
