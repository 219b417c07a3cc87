"""Accounts: roles and the rules for e-mail addresses and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fairlabel.domain.errors import InvalidInput

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

    @property
    def is_worker(self) -> bool:
        return self.role is Role.WORKER

    @property
    def is_requester(self) -> bool:
        return self.role is Role.REQUESTER


def normalize_email(email: str) -> str:
    """Trim and lower-case an address, or raise InvalidInput if it is not one."""
    cleaned = email.strip().lower()
    if len(cleaned) > 320 or not _EMAIL.match(cleaned):
        raise InvalidInput(f"{email!r} is not a valid e-mail address")
    return cleaned


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
