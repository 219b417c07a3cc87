"""Charter rule 8: workers rate requesters and testify, and no one is singled out.

A worker rates a project's requester once, after a few answers, on four fixed dimensions.
Aggregates are shown only once several workers rated; a testimony about a project is published
only once several distinct workers have testified about it (and a moderator approved them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.messages import N_, Msg

DIMENSIONS = ("pay", "communication", "fairness", "promptness")
MIN_ANSWERS_TO_RATE = 3  # answers a worker gives a project before rating its requester
MIN_RATERS_SHOWN = 3  # distinct workers before rating aggregates are shown
MIN_TESTIFIERS = 3  # distinct workers with approved testimonies before any is published
MAX_COMMENT = 2000
MAX_TESTIMONY = 5000


class TestimonyStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator
    APPROVED = "approved"  # may be published once enough workers testified
    REJECTED = "rejected"


class NotEnoughWork(Conflict):
    code = "not_enough_work"


class AlreadyRated(Conflict):
    code = "already_rated"


@dataclass(frozen=True, slots=True)
class Scores:
    pay: int
    communication: int
    fairness: int
    promptness: int

    def __post_init__(self) -> None:
        for name in DIMENSIONS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise InvalidInput("{name} is a whole number from 1 to 5", name=name)


def check_can_rate(answers: int, *, already: bool) -> None:
    if already:
        raise AlreadyRated("you already rated this project's requester; one rating per "
                           "project")
    check_worked(answers, N_("rate this project's requester"))


def check_worked(answers: int, action: str) -> None:
    if answers < MIN_ANSWERS_TO_RATE:
        raise NotEnoughWork("answer at least {needed} tasks of the project to {action}; you "
                            "answered {answers}", needed=MIN_ANSWERS_TO_RATE,
                            action=Msg(action), answers=answers)


def check_testimony(text: str) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) < 20:
        raise InvalidInput("a testimony needs at least 20 characters")
    if len(cleaned) > MAX_TESTIMONY:
        raise InvalidInput("a testimony is at most {limit} characters", limit=MAX_TESTIMONY)
    return cleaned


def check_comment(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput("a comment is at most {limit} characters", limit=MAX_COMMENT)
    return cleaned or None


@dataclass(frozen=True, slots=True)
class RatingSummary:
    raters: int
    averages: dict[str, float]  # dimension → mean, two decimals
    comments: list[str]


def summarize(ratings: Sequence[tuple[int, Scores, str | None]]) -> RatingSummary | None:
    """Averages over (worker id, scores, comment), or None below MIN_RATERS_SHOWN workers.

    Comments come in a fixed order that says nothing about who wrote them or when.
    """
    raters = len({worker for worker, _, _ in ratings})
    if raters < MIN_RATERS_SHOWN:
        return None
    averages = {name: round(sum(getattr(s, name) for _, s, _ in ratings) / len(ratings), 2)
                for name in DIMENSIONS}
    comments = sorted((c for _, _, c in ratings if c), key=anonymous_order)
    return RatingSummary(raters, averages, comments)


def publishable(approved_by_worker: dict[int, int]) -> bool:
    """Whether a project's approved testimonies may be shown: ``{worker id: count}``."""
    return len([w for w, n in approved_by_worker.items() if n > 0]) >= MIN_TESTIFIERS


def anonymous_order(text: str) -> str:
    """A stable order unrelated to time or author, for published texts."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
