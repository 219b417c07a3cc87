"""Accounts: roles, the rules for e-mail addresses and passwords, sessions and API tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from confusable_homoglyphs import confusables

from fairlabel.domain.errors import (
    InvalidInput,
    PermissionDenied,
)

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
        raise InvalidInput(f"a token expires after 1 to {MAX_TOKEN_DAYS} days, not {days:g}")
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
        raise InvalidInput(f"the e-mail address holds invisible or control characters "
                           f"({names}): type it again without them")
    cleaned = unicodedata.normalize("NFKC", email).strip().casefold()
    cleaned = unicodedata.normalize("NFKC", cleaned)
    if len(cleaned) > 320 or not _EMAIL.match(cleaned):
        raise InvalidInput(f"{email!r} is not a valid e-mail address")
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
            raise InvalidInput(f"the e-mail address mixes letters of several scripts "
                               f"({', '.join(sorted(s.title() for s in scripts))}) in "
                               f"{part!r}: use one script per part")


def _looks_like(ch: str) -> str:
    """The ASCII letter or digit a character can be mistaken for (Unicode's confusables, TR39,
    through confusable_homoglyphs), or the character itself."""
    if ch.isascii():
        return ch
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
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long")


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"unknown role {value!r}; use one of {', '.join(r.value for r in Role)}"
        ) from None


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        names = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"this needs the {names} role; you are a {user.role.value}")
