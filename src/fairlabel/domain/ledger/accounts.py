"""Ledger accounts: the account grammar, parsing and the name of each account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.messages import shown

Id: TypeAlias = int | str

WORLD = "world"
PLATFORM_FEES = "platform:fees"
WORKER_ACCOUNTS = ("pending", "available", "payout", "paid")

_ID = r"[A-Za-z0-9_.-]{1,64}"
ACCOUNT_PATTERN = re.compile(
    rf"(world)|(platform):(fees)|(requester):({_ID}):(funds)|(project):({_ID}):(escrow|reserved)"
    rf"|(worker):({_ID}):(pending|available|payout|paid)"
)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """A parsed account name, e.g. ``worker:7:paid`` → ``("worker", "7", "paid")``.

    ``owner_id`` is ``""`` for ``world`` and ``platform:fees``; ``bucket`` is ``""`` for world.
    """

    kind: str
    owner_id: str
    bucket: str


def parse_account(account: str) -> AccountRef:
    """Parse an account name; raises InvalidInput if it breaks the account grammar."""
    match = ACCOUNT_PATTERN.fullmatch(account) if isinstance(account, str) else None
    if match is None:
        raise InvalidInput("“{account}” is not a ledger account name", account=shown(account))
    parts = [part for part in match.groups() if part is not None]
    if len(parts) < 3:
        return AccountRef(parts[0], "", parts[-1] if len(parts) == 2 else "")
    return AccountRef(*parts)


def owner_of(account: str) -> tuple[str, str]:
    """Return ``(kind, owner_id)`` of an account, e.g. ``("worker", "7")``."""
    ref = parse_account(account)
    return ref.kind, ref.owner_id


def _name(kind: str, owner_id: Id, bucket: str) -> str:
    if isinstance(owner_id, bool) or not isinstance(owner_id, int | str):
        raise InvalidInput("a {kind} id is a whole number or text, got “{value}”", kind=kind,
                           value=shown(owner_id))
    name = f"{kind}:{owner_id}:{bucket}"
    parse_account(name)
    return name


def requester_funds(requester_id: Id) -> str:
    """Deposited money the requester has not yet given to a project."""
    return _name("requester", requester_id, "funds")


def project_escrow(project_id: Id) -> str:
    """A project's funded money not set aside for work."""
    return _name("project", project_id, "escrow")


def project_reserved(project_id: Id) -> str:
    """A project's money held for the top-ups its submitted answers can still be owed."""
    return _name("project", project_id, "reserved")


def worker_account(worker_id: Id, bucket: str) -> str:
    """A worker's account; ``bucket`` is one of :data:`WORKER_ACCOUNTS`."""
    if bucket not in WORKER_ACCOUNTS:
        raise InvalidInput("“{bucket}” is not a worker account; use one of {buckets}",
                           bucket=shown(bucket), buckets=", ".join(WORKER_ACCOUNTS))
    return _name("worker", worker_id, bucket)


def worker_pending(worker_id: Id) -> str:
    """Earned, awaiting review."""
    return worker_account(worker_id, "pending")


def worker_available(worker_id: Id) -> str:
    """Approved: the worker's to withdraw."""
    return worker_account(worker_id, "available")


def worker_payout(worker_id: Id) -> str:
    """Batched for a payout, not yet sent."""
    return worker_account(worker_id, "payout")


def worker_paid(worker_id: Id) -> str:
    """Sent to the worker's bank: outside the platform."""
    return worker_account(worker_id, "paid")


def is_outside(account: str) -> bool:
    """Whether an account holds money outside the platform (``world`` or a ``paid``)."""
    return parse_account(account).bucket in ("", "paid")
