"""A person's inbox: what the platform tells them (price changes, endings, decisions), newest
first, and how many they have not read yet."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fairlabel.domain.accounts import User
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox, InboxMessage


class ReadInboxTx(HasInbox, Protocol):
    """The transaction of ``messages`` and ``unread_count``."""


class MarkReadTx(HasInbox, Commits, Protocol):
    """The transaction of ``mark_read``."""


def messages(db: Database[ReadInboxTx], user: User, *, limit: int = 100) -> list[InboxMessage]:
    with db.read() as tx:
        return tx.inbox.latest(user.id, limit=limit)


def unread_count(db: Database[ReadInboxTx], user: User) -> int:
    with db.read() as tx:
        return tx.inbox.unread_count(user.id)


def mark_read(db: Database[MarkReadTx], user: User, *, up_to_id: int, now: datetime) -> None:
    """Mark the user's messages up to ``up_to_id`` read (those they have seen on the page)."""
    with db.write() as tx:
        tx.inbox.mark_read(user.id, up_to_id=up_to_id, now=now)
        tx.commit()
