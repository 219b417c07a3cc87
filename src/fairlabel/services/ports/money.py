"""The money capability: the ledger, projects' escrow and holds, scheduled price changes,
payouts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from fairlabel.domain.holds import AnswerTotals
from fairlabel.domain.ledger import Entry, LedgerTransaction
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PriceChangeKind
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.domain.projects import Project


@dataclass(frozen=True, slots=True)
class LeaseGate:
    """What serving a worker a lease on a project must know first, read once the lease holds
    its project's lock (``Escrow.lock_and_gate``): every lease committed before is seen."""

    held_id: int | None  # a live lease the worker already holds there (a reload gets it)
    blocking_decision: int | None  # a moderator's decision keeping them from the work
    free_minor: int  # the escrow's balance less what live leases hold
    lowest_paid_minor: int  # the answers' hold's lower bound of pay (domain.holds)
    pivot_ms: int  # and its pivot
    slots: int = 0  # shared: the project's lease slots, one of them held (0: none was free)


@dataclass(frozen=True, slots=True)
class ScheduledPrice:
    id: int
    project_id: int
    kind: PriceChangeKind
    old_minor: int
    new_minor: int
    currency: str
    reason: str
    announced_at: datetime
    effective_at: datetime
    applied_at: datetime | None

    @property
    def old_price(self) -> Money:
        return Money(self.old_minor, self.currency)

    @property
    def new_price(self) -> Money:
        return Money(self.new_minor, self.currency)


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    id: int
    worker_id: int
    amount_minor: int
    currency: str
    status: PayoutStatus
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class PayoutDetails:
    pseudonym: str
    name: str | None
    iban: str | None
    bic: str | None
    country: str | None


class WorkerCurrency(NamedTuple):
    """A worker and a currency in which one of their accounts holds money."""

    worker_id: int
    currency: str


class Ledger(Protocol):
    def post(self, tx: LedgerTransaction, *, tx_id: str, now: datetime) -> list[Entry]: ...
    def lock(self, accounts: Iterable[str], currency: str | None = None) -> None: ...
    def worker_balances(self, bucket: str, *, at_least: int = 1) -> list[WorkerCurrency]: ...
    def balance(self, account: str, currency: str) -> int: ...
    def balances(self, accounts: Iterable[str]) -> dict[str, dict[str, int]]: ...
    def entries(self, accounts: Iterable[str]) -> list[Entry]: ...
    def all_entries(self) -> list[Entry]: ...


class Escrow(Protocol):
    """A project's escrow as leases see it: its ledger balance less what live leases hold."""

    def lock(self, project_id: int) -> None: ...
    def free(self, project_id: int, currency: str) -> int: ...
    def held(self, project_id: int) -> int: ...
    def lock_and_gate(self, project_id: int, *, worker_id: int, now: datetime,
                      shared: bool) -> tuple[Project, LeaseGate] | None:
        """Take the project's escrow lock — ``shared``: the worker's turn, one of the
        project's lease slots if one is free, and its state shared — then read its state and
        what a lease must know first. Where writers go one at a time, no lock: one read."""
    @property
    def serialised(self) -> bool:
        """True when the database runs one writer at a time (SQLite): what a transaction
        read of the escrow stays true until it commits, without a lock."""


class Holds(Protocol):
    """The totals of a project's submitted answers behind the answers' hold
    (``domain.holds``); ``add_answer`` and ``totals(for_update=True)`` lock them."""

    def totals(self, project_id: int, *, for_update: bool = False) -> AnswerTotals: ...
    def add_answer(self, project_id: int, *, worked_ms: int, paid_minor: int, work: bool,
                   then_lock: tuple[Sequence[str], str] | None = None) -> AnswerTotals: ...
    def lowest_paid_so_far(self, project_id: int) -> int | None: ...
    def deficit_at(self, project_id: int, lowest_paid_minor: int) -> int: ...
    def set_lowest_paid(self, project_id: int, lowest_paid_minor: int, *,
                        deficit_minor: int | None = None) -> None: ...
    def set_pivot(self, project_id: int, *, pivot_ms: int, bound_ms: int) -> None: ...
    def live_leases(self, project_id: int) -> int: ...
    def widen_live_leases(self, project_id: int, by_minor: int) -> None: ...
    def unsettled_ended(self) -> list[int]: ...
    def settled_at(self, project_id: int) -> datetime | None: ...
    def mark_settled(self, project_id: int, *, now: datetime) -> None: ...


class PriceChanges(Protocol):
    def add(self, *, project_id: int, kind: PriceChangeKind, old_minor: int, new_minor: int,
            currency: str,
            reason: str, announced_at: datetime, effective_at: datetime,
            applied_at: datetime | None) -> int: ...
    def due(self, *, now: datetime) -> list[ScheduledPrice]: ...
    def pending(self, project_id: int) -> list[ScheduledPrice]: ...
    def history(self, project_id: int) -> list[ScheduledPrice]: ...
    def mark_applied(self, change_id: int, *, now: datetime) -> None: ...


class Payouts(Protocol):
    def add(self, *, worker_id: int, amount_minor: int, currency: str, now: datetime) -> int: ...
    def get(self, payout_id: int, *, for_update: bool = False) -> PayoutRecord | None: ...
    def find(self, *, status: PayoutStatus | None = None) -> list[PayoutRecord]: ...
    def mark(self, payout_id: int, *, status: PayoutStatus, now: datetime) -> None: ...
    def details(self, worker_ids: list[int]) -> dict[int, PayoutDetails]: ...
    def set_details(self, worker_id: int, details: PayoutDetails) -> None: ...


class HasLedger(Protocol):
    """A transaction that reaches ``ledger``."""

    @property
    def ledger(self) -> Ledger: ...


class HasEscrow(Protocol):
    """A transaction that reaches ``escrow``."""

    @property
    def escrow(self) -> Escrow: ...


class HasHolds(Protocol):
    """A transaction that reaches ``holds``."""

    @property
    def holds(self) -> Holds: ...


class HasPrices(Protocol):
    """A transaction that reaches ``prices``."""

    @property
    def prices(self) -> PriceChanges: ...


class HasPayouts(Protocol):
    """A transaction that reaches ``payouts``."""

    @property
    def payouts(self) -> Payouts: ...
