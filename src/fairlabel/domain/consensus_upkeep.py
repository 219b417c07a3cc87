"""When a project's consensus is refit whole, and when only the tasks that changed are updated.

A refit fits the project's consensus method over every answer (Dawid–Skene and the other EM
methods estimate each worker from all their answers); its cost grows with the project, about
13 s of CPU for a million tasks with three answers each. Between refits, an *update* takes the
workers' accuracies of the last refit as they are and recomputes only the tasks that received
an answer since the last refit or update — the same one-coin posterior (a vote share under
majority vote) that a project with a confidence target computes after each answer — so its
cost is that of the answers that came, not of those that exist.

The rules (``plan``):

- a project that was never refit, a structured one (boxes, spans, rankings: no per-task
  update), one with fewer than ``Upkeep.update_from`` answers (a refit costs milliseconds
  there), or one whose answers have grown by ``Upkeep.refit_growth`` or more since its last
  refit, is refit whole: the workers' estimates never lag more than that share of the answers;
- so is a project where an answer turned up that the last refit or update could not have seen
  (see below);
- otherwise the project is updated.

What an update reads is found by submission time: the tasks with an answer submitted after the
*watermark* of the last refit or update. An answer is stamped when its request starts and
becomes visible when its transaction commits, a few milliseconds later; so the watermark trails
the newest answer seen by ``UPDATE_LAG`` (``watermark``): answers of the last ``UPDATE_LAG``
are read again next time. Each refit or update also records how many answers it covered (those
stamped at or before its watermark); if, next time, more answers than that are stamped at or
before it — a transaction took longer than ``UPDATE_LAG`` to commit — the project is refit
whole (``Marks.late``), so no answer is ever left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

UPDATE_LAG = timedelta(seconds=30)
"""How far the watermark of a project that may be updated trails its newest answer: answers
stamped within it are read again by the next update."""


class Upkeep(StrEnum):
    REFIT = "refit"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class UpkeepPolicy:
    """When a refit is done rather than an update."""

    update_from: int = 50_000
    """A project with fewer submitted answers is always refit (a refit costs milliseconds)."""
    refit_growth: float = 0.10
    """A project whose answers have grown by this share since its last refit is refit."""

    def __post_init__(self) -> None:
        if self.update_from < 1 or not 0 < self.refit_growth <= 1:
            raise ValueError("update_from must be at least 1 and refit_growth in (0, 1]")


@dataclass(frozen=True, slots=True)
class Covered:
    """What the last refit or update of a project took in: every answer stamped at or before
    ``until``, ``answers`` of them; ``fitted``: the project's answers at its last refit."""

    until: datetime | None
    answers: int | None
    fitted: int | None


@dataclass(frozen=True, slots=True)
class Marks:
    """A project's submitted answers, counted in one snapshot: all of them, the newest one's
    stamp, and how many are stamped after the cutoff (now − ``UPDATE_LAG``) and after the
    last watermark (0 when there is none)."""

    total: int
    latest: datetime | None
    after_cutoff: int
    after_covered: int

    def late(self, covered: Covered) -> int:
        """Answers stamped at or before the last watermark that it did not count."""
        if covered.answers is None:
            return 0
        return self.total - self.after_covered - covered.answers


def plan(covered: Covered, marks: Marks, *, structured: bool,
         policy: UpkeepPolicy) -> Upkeep:
    """Whether the project's consensus is refit whole or updated (see the module's rules)."""
    if (structured or covered.fitted is None or covered.until is None
            or covered.answers is None or marks.total < policy.update_from
            or marks.late(covered) != 0):
        return Upkeep.REFIT
    if marks.total - covered.fitted >= policy.refit_growth * covered.fitted:
        return Upkeep.REFIT
    return Upkeep.UPDATE


def watermark(marks: Marks, cutoff: datetime, *, structured: bool,
              policy: UpkeepPolicy) -> tuple[datetime | None, int]:
    """The watermark to record after a refit or update, and the answers it covers.

    A project that may be updated next time (categorical, at least ``update_from`` answers)
    gets the newest stamp or the cutoff, whichever is older, and the answers stamped up to
    it; any other project, the newest stamp and all its answers (it is refit whole anyway)."""
    if structured or marks.total < policy.update_from or marks.latest is None:
        return marks.latest, marks.total
    if marks.latest <= cutoff:
        return marks.latest, marks.total
    return cutoff, marks.total - marks.after_cutoff
