"""Repositories for pay: scheduled price changes, the inbox, payouts, payout details."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from fairlabel.adapters.db.rows import stored_msg
from fairlabel.adapters.db.tables import inbox_messages, payouts, price_changes, users
from fairlabel.domain.messages import Msg
from fairlabel.domain.pay import PriceChangeKind
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.services.ports.money import PayoutDetails, PayoutRecord, ScheduledPrice
from fairlabel.services.ports.voice import InboxMessage


def _price(row: Any) -> ScheduledPrice:
    return ScheduledPrice(id=row.id, project_id=row.project_id, kind=PriceChangeKind(row.kind),
                          old_minor=row.old_minor, new_minor=row.new_minor,
                          currency=row.currency, reason=row.reason,
                          announced_at=row.announced_at, effective_at=row.effective_at,
                          applied_at=row.applied_at)


def _payout(row: Any) -> PayoutRecord:
    return PayoutRecord(id=row.id, worker_id=row.worker_id, amount_minor=row.amount_minor,
                        currency=row.currency, status=PayoutStatus(row.status),
                        created_at=row.created_at,
                        sent_at=row.sent_at)


class PriceChangeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, project_id: int, kind: PriceChangeKind, old_minor: int, new_minor: int,
            currency: str, reason: str, announced_at: datetime, effective_at: datetime,
            applied_at: datetime | None) -> int:
        new_id: int = self._conn.execute(insert(price_changes).values(
            project_id=project_id, kind=kind.value, old_minor=old_minor, new_minor=new_minor,
            currency=currency, reason=reason, announced_at=announced_at,
            effective_at=effective_at, applied_at=applied_at).returning(price_changes.c.id)
        ).scalar_one()
        return new_id

    def due(self, *, now: datetime) -> list[ScheduledPrice]:
        """Announced changes whose notice has run out, locked (SKIP LOCKED)."""
        rows = self._conn.execute(
            select(price_changes).where(price_changes.c.applied_at.is_(None),
                                        price_changes.c.effective_at <= now)
            .order_by(price_changes.c.effective_at, price_changes.c.id)
            .with_for_update(skip_locked=True))
        return [_price(r) for r in rows]

    def pending(self, project_id: int) -> list[ScheduledPrice]:
        rows = self._conn.execute(
            select(price_changes).where(price_changes.c.project_id == project_id,
                                        price_changes.c.applied_at.is_(None))
            .order_by(price_changes.c.effective_at))
        return [_price(r) for r in rows]

    def history(self, project_id: int) -> list[ScheduledPrice]:
        rows = self._conn.execute(select(price_changes)
                                  .where(price_changes.c.project_id == project_id)
                                  .order_by(price_changes.c.id))
        return [_price(r) for r in rows]

    def mark_applied(self, change_id: int, *, now: datetime) -> None:
        self._conn.execute(update(price_changes).where(price_changes.c.id == change_id)
                           .values(applied_at=now))


class InboxRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, user_ids: list[int], project_id: int | None, subject: Msg, body: Msg,
            now: datetime) -> None:
        """One message to each user: the English text (a subject cut to its column's 200
        characters) and the template with its values, said later in each reader's language."""
        english = str(subject)
        kept = {"project_id": project_id, "created_at": now,
                "subject": english if len(english) <= 200 else english[:199] + "…",
                "body": str(body), "subject_msg": subject.to_json(), "body_msg": body.to_json()}
        if user_ids:
            self._conn.execute(insert(inbox_messages), [{"user_id": u, **kept} for u in user_ids])

    def unread_count(self, user_id: int) -> int:
        return int(self._conn.execute(
            select(func.count()).select_from(inbox_messages).where(
                inbox_messages.c.user_id == user_id, inbox_messages.c.read_at.is_(None))
        ).scalar_one())

    def mark_read(self, user_id: int, *, up_to_id: int, now: datetime) -> None:
        self._conn.execute(update(inbox_messages).where(
            inbox_messages.c.user_id == user_id, inbox_messages.c.id <= up_to_id,
            inbox_messages.c.read_at.is_(None)).values(read_at=now))

    def latest(self, user_id: int, *, limit: int = 100) -> list[InboxMessage]:
        rows = self._conn.execute(select(inbox_messages)
                                  .where(inbox_messages.c.user_id == user_id)
                                  .order_by(inbox_messages.c.id.desc()).limit(limit))
        return [InboxMessage(r.id, r.project_id, stored_msg(r.subject_msg, r.subject),
                             stored_msg(r.body_msg, r.body), r.created_at, r.read_at)
                for r in rows]


class PayoutRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, worker_id: int, amount_minor: int, currency: str, now: datetime) -> int:
        new_id: int = self._conn.execute(insert(payouts).values(
            worker_id=worker_id, amount_minor=amount_minor, currency=currency,
            status=PayoutStatus.BATCHED.value, created_at=now).returning(payouts.c.id)).scalar_one()
        return new_id

    def get(self, payout_id: int, *, for_update: bool = False) -> PayoutRecord | None:
        query = select(payouts).where(payouts.c.id == payout_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _payout(row) if row else None

    def find(self, *, status: PayoutStatus | None = None) -> list[PayoutRecord]:
        query = select(payouts).order_by(payouts.c.id)
        if status:
            query = query.where(payouts.c.status == status.value)
        return [_payout(r) for r in self._conn.execute(query)]

    def mark(self, payout_id: int, *, status: PayoutStatus, now: datetime) -> None:
        values: dict[str, Any] = {"status": status.value}
        if status is PayoutStatus.SENT:
            values["sent_at"] = now
        self._conn.execute(update(payouts).where(payouts.c.id == payout_id).values(**values))

    def details(self, worker_ids: list[int]) -> dict[int, PayoutDetails]:
        rows = self._conn.execute(select(users.c.id, users.c.pseudonym, users.c.payout_name,
                                         users.c.iban, users.c.bic, users.c.country)
                                  .where(users.c.id.in_(worker_ids)))
        return {r.id: PayoutDetails(r.pseudonym, r.payout_name, r.iban, r.bic, r.country)
                for r in rows}

    def set_details(self, worker_id: int, details: PayoutDetails) -> None:
        self._conn.execute(update(users).where(users.c.id == worker_id).values(
            payout_name=details.name, iban=details.iban, bic=details.bic,
            country=details.country))
