"""The continuation guard at launch (charter rule 5): find the project this one continues,
hold it to the earlier pay, give the earlier workers first access, and record the link.

The requester's own projects are compared first, serving ones too: a cheaper copy of a
running project is a pay cut without notice, and is refused like a cheaper continuation; a
copy at the same pay of a project that still serves (open and funded) is a parallel batch,
not linked; one left open but no longer funded has stopped, and its copy is linked.

When none matches, other requesters' projects in the window that share an LSH band key with
it are compared; a match there does not refuse the launch (it may be another organisation)
but opens a continuation case for moderators (only against a project that has stopped
serving: a copy of a running one is competition, not a relaunch)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from fairlabel.domain.continuation import (
    FIRST_ACCESS,
    GUARD_WINDOW,
    CaseScores,
    check_continuation_pay,
)
from fairlabel.domain.messages import Msg
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.services.ports.decisions import HasContinuationCases
from fairlabel.services.ports.money import HasEscrow
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import GuardCandidate, HasAssignments, HasProjects, HasTasks

if TYPE_CHECKING:
    from fairlabel.continuation import Fingerprint, Match


class GuardLaunchTx(HasProjects, HasTasks, HasAssignments, HasInbox, HasEscrow,
                    HasContinuationCases, Protocol):
    """The transaction of ``guard_launch``."""


class LinkTx(HasProjects, HasAssignments, HasInbox, Protocol):
    """The transaction of ``link_continuation``."""


SAMPLE_TASKS = 5000
"""Tasks read to fingerprint a project's data: all of them up to this cap, so that shuffling
the tasks changes nothing (the data part keeps a bounded sketch of their shingles)."""
EXACT_UP_TO = 500  # below this many earlier projects, compare exactly: no index to build


def guard_launch(tx: GuardLaunchTx, project: Project, *, threshold: float | None,
                 now: datetime) -> int | None:
    """Fingerprint the project; if it continues an earlier one, apply rule 5.

    Returns the id of the project it continues, or None. Raises ContinuationPayCut (409)
    when it would pay less per hour than the earlier project.
    """
    # Imported here: numpy and datasketch load only when a project is launched.
    from fairlabel.continuation import DEFAULT_THRESHOLD, ProjectText, band_keys, fingerprint

    terms = project.terms
    mine = fingerprint(ProjectText(terms.instructions, terms.schema.to_dict(),
                                   tx.tasks.sample_data(project.id, SAMPLE_TASKS)))
    bands = band_keys(mine)
    tx.projects.save_fingerprint(project.id, mine.to_bytes(), now=now, bands=bands)
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    since = now - GUARD_WINDOW
    match = best_match(mine, tx.projects.guard_candidates(
        requester_id=project.requester_id, since=since, exclude=project.id), limit)
    if match is None:
        others = tx.projects.other_candidates(requester_id=project.requester_id, since=since,
                                              exclude=project.id, bands=bands)
        other = best_match(mine, [c for c in others if not _running(tx, c.project_id)], limit)
        if other is not None:
            _open_case(tx, project, other, now=now)
        return None
    old = tx.projects.get(match.key)
    assert old is not None
    check_continuation_pay(old_id=old.id, old_name=old.terms.name,
                           old_price=old.terms.pay_per_task,
                           old_median_ms=old.measured_median_ms,
                           new_price=terms.pay_per_task)
    if _running(tx, old.id):  # a parallel batch of work that goes on: no pay cut, no link
        return None
    link_continuation(tx, project, old, now=now)
    return old.id


def _running(tx: GuardLaunchTx, project_id: int) -> bool:
    """Whether the earlier project still serves its work: open, not ending, and funded for
    at least one more task beside the notice pay its escrow keeps first (``request_next``).
    One left open but no longer funded has stopped as surely as a paused one, and a copy of
    it is its continuation."""
    old = tx.projects.get(project_id)
    assert old is not None
    price = old.terms.pay_per_task
    needed = price.amount_minor + old.notice_liability_minor  # as a lease needs, at least
    return (old.status is ProjectStatus.OPEN and old.ending_at is None
            and tx.escrow.free(old.id, price.currency) >= needed)


def best_match(mine: Fingerprint, earlier: list[GuardCandidate], limit: float) -> Match | None:
    """The earlier project ``mine`` is most alike, if its combined score reaches ``limit``:
    exact comparison with each, or, past ``EXACT_UP_TO`` of them, MinHash LSH candidates
    confirmed exactly."""
    from fairlabel.continuation import ContinuationIndex, Fingerprint, Match, similarity

    if len(earlier) > EXACT_UP_TO:
        index = ContinuationIndex(threshold=limit)
        for project_id, stored in earlier:
            index.add(project_id, Fingerprint.from_bytes(stored))
        found: Match | None = index.best_match(mine)
        return found
    scored = [Match(project_id, parts.combined, parts)
              for project_id, stored in earlier
              for parts in [similarity(mine, Fingerprint.from_bytes(stored))]]
    above = [m for m in scored if m.score >= limit]
    return max(above, key=lambda m: (m.score, -m.key)) if above else None


def _open_case(tx: GuardLaunchTx, project: Project, match: Match, *, now: datetime) -> None:
    """Another requester's earlier project looks like this one: a case for moderators, with
    the evidence as it stands now."""
    old = tx.projects.get(match.key)
    assert old is not None
    parts = match.parts
    tx.continuation_cases.add(
        project_id=project.id, earlier_id=old.id, requester_id=project.requester_id,
        earlier_requester_id=old.requester_id,
        price_minor=project.terms.pay_per_task.amount_minor,
        earlier_price_minor=old.terms.pay_per_task.amount_minor,
        currency=project.terms.pay_per_task.currency, earlier_median_ms=old.measured_median_ms,
        scores=CaseScores(parts.instructions, parts.schema, parts.data, parts.combined), now=now)


def link_continuation(tx: LinkTx, project: Project, old: Project, *,
                      now: datetime) -> list[int]:
    """Record that ``project`` continues ``old`` (the link the record publishes), give the
    earlier workers first access for ``FIRST_ACCESS`` and invite them; returns who was
    invited."""
    terms = project.terms
    tx.projects.set_continuation(project.id, continuation_of=old.id,
                                 first_access_until=now + FIRST_ACCESS)
    workers = tx.assignments.active_workers(old.id, since=now - GUARD_WINDOW)
    tx.inbox.add(user_ids=workers, project_id=project.id,
                 subject=Msg("Invitation: {project} continues {earlier}",
                             {"project": terms.name, "earlier": old.terms.name}),
                 body=Msg("“{project}” continues “{earlier}”, at {price} per task (“{earlier}” "
                          "paid {earlier_price}). As one of its workers you are served first "
                          "until {first_until}; then it opens to everyone.",
                          {"project": terms.name, "earlier": old.terms.name,
                           "price": terms.pay_per_task, "earlier_price": old.terms.pay_per_task,
                           "first_until": now + FIRST_ACCESS}),
                 now=now)
    return workers
