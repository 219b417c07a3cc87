"""A lease as made before leases held their reservation in escrow (migration 0007)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from fairlabel.adapters.db.ledger_repository import LedgerRepository
from fairlabel.adapters.db.tables import assignments
from fairlabel.bootstrap import Container
from fairlabel.domain import ledger
from fairlabel.domain.money import Money


def make_legacy(container: Container, assignment_id: int, currency: str = "USD") -> None:
    """Turn a held lease into one that moved its price and allowance to the reserved
    account when served, as every lease did before holds existed."""
    with container.engine.begin() as conn:
        row = conn.execute(select(assignments).where(assignments.c.id == assignment_id)).one()
        if not row.escrow_hold:
            return  # already made the old way (a reload returns the lease a worker holds)
        conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                     .values(escrow_hold=False))
        reserved = row.price_minor + row.allowance_minor
        if reserved:
            LedgerRepository(conn).post(
                ledger.reserve(row.project_id, Money(reserved, currency),
                               {"assignment_id": assignment_id}),
                tx_id=uuid.uuid4().hex, now=row.leased_at)
