"""What a project pays, as measured: shown to workers up front and to its requester."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.money import Money
from fairlabel.domain.pay import effective_hourly, lease_reserve, rate_median
from fairlabel.domain.projects import Project
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPrices, ScheduledPrice


class ProjectPayTx(HasLedger, HasEscrow, HasHolds, HasPrices, Protocol):
    """The transaction of ``project_pay``."""


@dataclass(frozen=True, slots=True)
class ProjectPay:
    per_task: Money
    median_seconds: float | None
    measured_answers: int
    effective_hourly: Money | None  # None until ``answers_for_rate`` answers are measured
    answers_for_rate: int
    floor_hourly: Money
    escrow: Money
    reserved: Money
    pending_changes: list[ScheduledPrice]
    # free escrow one more lease needs: its price and allowance, and the notice pay kept
    next_lease_needs: Money

    @property
    def serving(self) -> bool:
        return self.escrow.amount_minor >= self.next_lease_needs.amount_minor


def project_pay(tx: ProjectPayTx, project: Project, policy: CharterPolicy) -> ProjectPay:
    price = project.terms.pay_per_task
    currency = price.currency
    measured = project.measured_median_ms is not None
    rate_ms = rate_median(project.measured_median_ms, project.measured_answers,
                          policy.min_answers_for_rate)
    floor = policy.floors.hourly(currency, project_floor=project.terms.own_floor_hourly)
    # Live leases hold their price and allowance in the escrow's ledger balance; shown here
    # as reserved beside the answers' hold, so that "escrow" is what is free for more work.
    held = tx.escrow.held(project.id)
    totals = tx.holds.totals(project.id)
    return ProjectPay(
        per_task=price,
        median_seconds=(project.measured_median_ms or 0) / 1000 if measured else None,
        measured_answers=project.measured_answers,
        effective_hourly=(Money(effective_hourly(price.amount_minor, Fraction(rate_ms)),
                                currency) if rate_ms else None),
        answers_for_rate=policy.min_answers_for_rate,
        floor_hourly=Money(floor, currency),
        escrow=Money(tx.ledger.balance(ledger.project_escrow(project.id), currency) - held,
                     currency),
        reserved=Money(tx.ledger.balance(ledger.project_reserved(project.id), currency) + held,
                       currency),
        pending_changes=tx.prices.pending(project.id),
        next_lease_needs=Money(sum(lease_reserve(
            project, policy, lowest_paid_minor=totals.lowest_paid_minor,
            pivot_ms=totals.pivot_ms)) + project.notice_liability_minor, currency),
    )


