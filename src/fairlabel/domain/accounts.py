"""Accounts: roles, the rules for e-mail addresses and passwords, sessions and API tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fairlabel.domain.errors import (
    InvalidInput,
    PermissionDenied,
)
from fairlabel.domain.messages import shown

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    WORKER = "worker"
    REQUESTER = "requester"
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    pseudonym: str
    created_at: datetime
    country: str | None = None
    language: str | None = None  # chosen on the account page; None: the browser's
    time_zone: str | None = None  # IANA name (Africa/Nairobi); None: the browser's
    display_name: str | None = None  # a requester's public name; None: their pseudonym

    @property
    def public_name(self) -> str:
        """The name shown to others: the display name a requester chose, else the pseudonym."""
        return self.display_name or self.pseudonym


SESSION_LIFETIME = timedelta(days=14)
# A token's last use is written at most this often (its check is on the labeling hot path).
TOKEN_USE_GRANULARITY = timedelta(minutes=1)
MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What is kept about an API token (its value is not: only its SHA-256)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def needs_touch(self, now: datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= TOKEN_USE_GRANULARITY


def token_expiry(now: datetime, days: float | None) -> datetime | None:
    if days is None:
        return None
    if not 0 < days <= MAX_TOKEN_DAYS:
        raise InvalidInput("a token expires after 1 to {max_days} days, not {days}",
                           max_days=MAX_TOKEN_DAYS, days=days)
    return now + timedelta(days=days)


def legacy_normalize_email(email: str) -> str:
    """How addresses were stored before NFKC and case folding (still found by sign-in)."""
    return email.strip().lower()


def normalize_email(email: str) -> str:
    """NFKC, case-folded and trimmed, or InvalidInput if it is not an address.

    Invisible characters (Unicode category Cf: zero-width spaces and joiners, direction marks,
    soft hyphens) and control characters are refused rather than dropped, so that no two
    spellings that look the same are told apart by something nobody can see.
    """
    hidden = [ch for ch in email if unicodedata.category(ch) in ("Cf", "Cc")]
    if hidden:
        names = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(hidden))
        raise InvalidInput("the e-mail address holds invisible or control characters "
                           "({names}): type it again without them", names=names)
    cleaned = unicodedata.normalize("NFKC", email).strip().casefold()
    cleaned = unicodedata.normalize("NFKC", cleaned)
    if len(cleaned) > 320 or not _EMAIL.match(cleaned):
        raise InvalidInput("“{email}” is not a valid e-mail address", email=shown(email))
    return cleaned


# Scripts that are written together (Japanese) count as one when looking for mixed scripts.
_SCRIPT_FAMILY = {"HIRAGANA": "JAPANESE", "KATAKANA": "JAPANESE", "CJK": "JAPANESE"}


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name (LATIN, CYRILLIC, GREEK, …); None for
    what any script uses (digits, punctuation). An approximation of the Unicode Script
    property, which the standard library does not expose."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    if ch.isascii():
        return "LATIN"
    word = unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_FAMILY.get(word, word)


def check_new_email(email: str) -> None:
    """A new address (already normalised) may not mix scripts within its local part or
    within one label of its domain, e.g. Latin and Cyrillic letters in ``pаypal``."""
    local, _, domain = email.rpartition("@")
    for part in (local, *domain.split(".")):
        scripts = {s for s in map(_script, part) if s is not None}
        if len(scripts) > 1:
            raise InvalidInput("the e-mail address mixes letters of several scripts "
                               "({scripts}) in “{part}”: use one script per part",
                               scripts=", ".join(sorted(s.title() for s in scripts)),
                               part=part)


def _looks_like(ch: str) -> str:
    """The ASCII letter or digit a character can be mistaken for (Unicode's confusables, TR39,
    through confusable_homoglyphs), or the character itself."""
    if ch.isascii():
        return ch
    from confusable_homoglyphs import confusables  # its tables (7 MiB) only when needed

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[]) or []
    for item in found:
        for glyph in item["homoglyphs"]:
            text = str(glyph["c"])
            if len(text) == 1 and text.isascii() and text.isalnum():
                return text.casefold()
    return ch


def email_skeleton(email: str) -> str:
    """What an (already normalised) address looks like: two addresses with the same skeleton
    can be mistaken for each other, and only the first may have an account."""
    return "".join(_looks_like(ch) for ch in email)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("the password must be at least {length} characters long",
                           length=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("the password must be at most {length} characters long",
                           length=MAX_PASSWORD_LENGTH)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("unknown role “{role}”; use one of {roles}", role=shown(value),
                           roles=", ".join(r.value for r in Role)) from None


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise PermissionDenied("this needs the role {roles}; your role is {role}",
                               roles=" / ".join(r.value for r in roles), role=user.role.value)


DISPLAY_NAME_MAX = 60


def check_display_name(name: str) -> str:
    """A requester's public name, trimmed: 2 to 60 printable characters, not an e-mail."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= DISPLAY_NAME_MAX:
        raise InvalidInput("a display name is 2 to {limit} characters long",
                           limit=DISPLAY_NAME_MAX)
    if not name.isprintable() or "@" in name:
        raise InvalidInput("a display name is plain text: no e-mail address, no control "
                           "characters")
    return name
