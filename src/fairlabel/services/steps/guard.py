"""The continuation guard at launch (charter rule 5): find the project this one continues,
hold it to the earlier pay, give the earlier workers first access, and record the link."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fairlabel.domain.continuation import FIRST_ACCESS, GUARD_WINDOW, check_continuation_pay
from fairlabel.domain.messages import Msg
from fairlabel.domain.projects import Project
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks


class GuardLaunchTx(HasProjects, HasTasks, HasAssignments, HasInbox, Protocol):
    """The transaction of ``guard_launch``."""


SAMPLE_TASKS = 50
EXACT_UP_TO = 500  # below this many earlier projects, compare exactly: no index to build


def guard_launch(tx: GuardLaunchTx, project: Project, *, threshold: float | None,
                 now: datetime) -> int | None:
    """Fingerprint the project; if it continues an earlier one, apply rule 5.

    Returns the id of the project it continues, or None. Raises ContinuationPayCut (409)
    when it would pay less per hour than the earlier project.
    """
    # Imported here: numpy and datasketch load only when a project is launched.
    from fairlabel.continuation import (
        DEFAULT_THRESHOLD,
        ContinuationIndex,
        Fingerprint,
        Match,
        ProjectText,
        fingerprint,
        similarity,
    )

    terms = project.terms
    mine = fingerprint(ProjectText(terms.instructions, terms.schema.to_dict(),
                                   tx.tasks.sample_data(project.id, SAMPLE_TASKS)))
    tx.projects.save_fingerprint(project.id, mine.to_bytes(), now=now)
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    earlier = tx.projects.guard_candidates(requester_id=project.requester_id,
                                           since=now - GUARD_WINDOW, exclude=project.id)
    match: Match | None = None
    if len(earlier) > EXACT_UP_TO:  # many: MinHash LSH finds the candidates, exact confirms
        index = ContinuationIndex(threshold=limit)
        for project_id, stored in earlier:
            index.add(project_id, Fingerprint.from_bytes(stored))
        match = index.best_match(mine)
    else:
        scored = [Match(project_id, parts.combined, parts)
                  for project_id, stored in earlier
                  for parts in [similarity(mine, Fingerprint.from_bytes(stored))]]
        above = [m for m in scored if m.score >= limit]
        match = max(above, key=lambda m: m.score) if above else None
    if match is None:
        return None
    old = tx.projects.get(match.key)
    assert old is not None
    check_continuation_pay(old_id=old.id, old_name=old.terms.name,
                           old_price=old.terms.pay_per_task,
                           old_median_ms=old.measured_median_ms,
                           new_price=terms.pay_per_task)
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
    return old.id
