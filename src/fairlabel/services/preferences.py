"""What a person chooses about how the platform speaks to them and shows them: their language
and time zone; a requester's public display name (which moderators may reset)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fairlabel.domain.accounts import Role, User, check_display_name, require_role
from fairlabel.domain.errors import Conflict, InvalidInput, NotFound
from fairlabel.domain.messages import Msg
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox


class PreferencesTx(HasUsers, Commits, Protocol):
    """The transaction of ``set_preferences`` and ``set_display_name``."""


class ResetNameTx(HasUsers, HasInbox, Commits, Protocol):
    """The transaction of ``reset_display_name``."""


def check_time_zone(name: str) -> str:
    """An IANA time zone name (``Africa/Nairobi``), or InvalidInput."""
    name = (name or "").strip()
    try:
        if not name or len(name) > 64 or "\x00" in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("{zone} is not a time zone; choose one such as Africa/Nairobi or "
                           "Europe/Paris", zone=name[:64] or "(empty)") from None
    return name


def set_preferences(db: Database[PreferencesTx], user: User, *, language: str | None,
                    time_zone: str | None, languages: Collection[str]) -> User:
    """Keep the account's language (one of ``languages``) and time zone; None or empty means
    "follow my browser"."""
    language = (language or "").strip() or None
    if language is not None and language not in languages:
        raise InvalidInput("{language} is not a language the pages speak; choose one of "
                           "{choices}", language=language[:16], choices=", ".join(languages))
    zone = check_time_zone(time_zone) if time_zone and time_zone.strip() else None
    with db.write() as tx:
        tx.users.set_preferences(user.id, language=language, time_zone=zone)
        tx.commit()
    return replace(user, language=language, time_zone=zone)


def set_display_name(db: Database[PreferencesTx], user: User, name: str) -> str | None:
    """A requester's public name (empty: show the pseudonym again). Two requesters never
    share a name, whatever its case."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    chosen = check_display_name(name) if (name or "").strip() else None
    with db.write() as tx:
        if chosen is not None and tx.users.display_name_taken(chosen, other_than=user.id):
            raise Conflict("another requester is already called {name}; choose another name",
                           code="display_name_taken", name=chosen)
        tx.users.set_display_name(user.id, chosen)
        tx.commit()
    return chosen


class DisplayNamesTx(HasUsers, Protocol):
    """The transaction of ``display_names``."""


def display_names(db: Database[DisplayNamesTx], moderator: User) -> list[User]:
    """Requesters who chose a display name, by name: what moderators keep an eye on."""
    require_role(moderator, Role.MODERATOR, Role.ADMIN)
    with db.read() as tx:
        named = [u for u in tx.users.with_role(Role.REQUESTER) if u.display_name]
    return sorted(named, key=lambda u: (u.display_name or "").casefold())


def reset_display_name(db: Database[ResetNameTx], moderator: User, requester_id: int, *,
                       reason: str, now: datetime) -> None:
    """A moderator takes back a requester's display name (misleading, impersonating…); the
    requester is told why and may choose another."""
    require_role(moderator, Role.MODERATOR, Role.ADMIN)
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 1000:
        raise InvalidInput("say why in 3 to 1000 characters")
    with db.write() as tx:
        requester = tx.users.get(requester_id)
        if requester is None or requester.role is not Role.REQUESTER:
            raise NotFound("no requester {requester_id}", requester_id=str(requester_id))
        old = requester.display_name
        if old is None:
            raise Conflict("this requester has no display name to reset",
                           code="no_display_name")
        tx.users.set_display_name(requester.id, None)
        subject = Msg("Your display name was reset")
        body = Msg("A moderator reset your display name “{name}”: {reason}. Your pseudonym is "
                   "shown until you choose another name.", {"name": old, "reason": reason})
        tx.inbox.add(user_ids=[requester.id], project_id=None, subject=subject, body=body,
                     now=now)
        tx.commit()
