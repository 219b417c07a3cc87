"""Use cases for accounts: users, passwords, API tokens, the session-signing secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fairlabel.domain.accounts import Role, User, check_password, normalize_email
from fairlabel.domain.errors import InvalidInput, NotFound
from fairlabel.services.ports import Database

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): strong, and light
# enough that a burst of sign-ins does not multiply 64 MiB per request on a small server.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps unknown e-mails as slow as wrong passwords."""
    return _hasher.hash("not-a-real-password")

SESSION_SECRET_KEY = "session_secret"


class InvalidCredentials(InvalidInput):
    code = "invalid_credentials"


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


# A pseudonym says the role and nothing else: w_ workers, r_ requesters, m_ moderators.
PSEUDONYM_PREFIX = {Role.WORKER: "w_", Role.REQUESTER: "r_", Role.MODERATOR: "m_",
                    Role.ADMIN: "a_"}


def add_user(db: Database, *, email: str, password: str, role: Role, now: datetime) -> User:
    email = normalize_email(email)
    check_password(password)
    password_hash = _hasher.hash(password)
    with db.write() as tx:
        user = tx.users.add(email=email, password_hash=password_hash, role=role,
                            pseudonym=PSEUDONYM_PREFIX[role] + secrets.token_hex(6), now=now)
        tx.commit()
    return user


def sign_up_worker(db: Database, *, email: str, password: str, now: datetime) -> User:
    """Self-service sign-up is for workers; other roles are granted by an operator."""
    return add_user(db, email=email, password=password, role=Role.WORKER, now=now)


def authenticate(db: Database, *, email: str, password: str) -> User:
    try:
        email = normalize_email(email)
    except InvalidInput:
        raise InvalidCredentials("unknown e-mail or wrong password") from None
    with db.read() as tx:
        found = tx.users.with_password_hash(email)
    stored = found[1] if found else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials("unknown e-mail or wrong password") from None
    if found is None:
        raise InvalidCredentials("unknown e-mail or wrong password")
    user = found[0]
    if _hasher.check_needs_rehash(stored):
        with db.write() as tx:
            tx.users.set_password_hash(user.id, _hasher.hash(password))
            tx.commit()
    return user


def create_token(db: Database, *, email: str, name: str, now: datetime) -> str:
    """Issue an API token for a user; only its hash is stored, so show it once."""
    email = normalize_email(email)
    token = secrets.token_urlsafe(32)
    with db.write() as tx:
        found = tx.users.with_password_hash(email)
        if found is None:
            raise NotFound(f"no user with the e-mail {email}; add one with `fairlabel user add`")
        tx.users.add_token(user_id=found[0].id, token_hash=token_hash(token), name=name, now=now)
        tx.commit()
    return token


def user_for_token(db: Database, token: str) -> User | None:
    with db.read() as tx:
        return tx.users.by_token_hash(token_hash(token))


def find_user(db: Database, email: str) -> User | None:
    with db.read() as tx:
        found = tx.users.with_password_hash(normalize_email(email))
    return found[0] if found else None


def get_user(db: Database, user_id: int) -> User | None:
    with db.read() as tx:
        return tx.users.get(user_id)


def session_secret(db: Database) -> str:
    """The instance's cookie-signing key, created once and shared by every app server."""
    with db.read() as tx:
        existing = tx.settings.get(SESSION_SECRET_KEY)
    if existing:
        return existing
    with db.write() as tx:
        existing = tx.settings.get(SESSION_SECRET_KEY)
        if existing:
            return existing
        value = secrets.token_urlsafe(48)
        tx.settings.add(SESSION_SECRET_KEY, value)
        tx.commit()
    return value
