"""Payouts for tests: a worker answers, the requester approves, the sweep batches a payout."""

from __future__ import annotations

from dataclasses import replace

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, jobs, payouts, projects, review
from tests.support.funding import fund, operator

SEPA_IBAN = "DE44 5001 0517 5407 3249 31"
EUR_150 = Money(150, "EUR")


def batched_payout(container: Container, requester: User, worker: User, *,
                   price: Money = EUR_150, funding: int = 40_00,
                   iban: str | None = SEPA_IBAN, name: str = "Paid project") -> int:
    """One answer of ``worker`` on a new project of ``requester``, approved and batched into
    a payout of ``price`` (the sweep's threshold lowered to one minor unit); its id."""
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        name, "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 1, price,
        600), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id, [{"t": 1}], max_rows=5, now=now)
    fund(container, requester, project.id, funding, price.currency)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    lease = assignment.request_next(container.db, worker, project.id, now=now,
                                    policy=container.charter)
    assert lease is not None
    assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                             idempotency_key=None, now=now, policy=container.charter)
    review.approve_answer(container.db, requester, lease.assignment_id, policy=container.charter,
                          now=now)
    if iban:
        payouts.set_details(container.db, worker, name=f"Holder of {worker.pseudonym}",
                            iban=iban, bic=None, country=iban[:2])
    policy = replace(container.charter, payout_thresholds={price.currency: 1})
    assert jobs.batch_payouts(container.db, policy, now=now) == 1
    return max(line.payout_id for line in payouts.payout_lines(container.db, operator(container))
               if line.worker_pseudonym == worker.pseudonym)
