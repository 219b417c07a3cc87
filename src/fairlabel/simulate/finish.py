"""The end of a run: what the platform recorded, read back into the log."""

from __future__ import annotations

from dataclasses import replace

from fairlabel.domain.decisions import AppealStatus
from fairlabel.domain.errors import DomainError
from fairlabel.services import decisions, operator, pay, projects
from fairlabel.simulate.log import DecisionRecord
from fairlabel.simulate.world import World


def read_back(world: World, workers: list[int]) -> None:
    """Fill the log's statements, decisions, relaunch links and ledger check."""
    log, db = world.log, world.db
    for worker_id in workers:
        user = world.users[worker_id]
        log.statements[worker_id] = pay.statement(db, user)
        for view in decisions.my_decisions(db, user):
            d, a = view.decision, view.appeal
            decided = a is not None and a.status is not AppealStatus.OPEN
            log.decisions.append(DecisionRecord(
                d.id, d.worker_id, d.project_id, d.kind.value, d.created_at,
                explained=bool(str(d.explanation).strip()),
                appealed_at=a.created_at if a else None,
                appeal_deadline=a.deadline_at if a else None,
                appeal_decided_at=a.resolved_at if decided and a else None,
                appeal_outcome=a.status.value if decided and a else None))
    log.decisions.sort(key=lambda r: r.decision_id)
    for number, relaunch in enumerate(log.relaunches):
        if relaunch.new_project_id is None:
            continue
        owner = world.users[relaunch.requester_id]
        found = projects.get_project(db, owner, relaunch.new_project_id)
        linked = found.project.continuation_of is not None
        log.relaunches[number] = replace(relaunch, linked=linked)
    try:
        log.ledger_verified = operator.verify_ledger(db, world.operator).ok
    except DomainError:
        log.ledger_verified = False
