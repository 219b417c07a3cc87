"""Use cases for accounts: users, passwords, sessions, API tokens, the session-signing secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fairlabel.domain.accounts import (
    SESSION_LIFETIME,
    ApiToken,
    Role,
    User,
    check_new_email,
    check_password,
    email_skeleton,
    legacy_normalize_email,
    normalize_email,
    token_expiry,
)
from fairlabel.domain.errors import Conflict, InvalidInput, NotFound
from fairlabel.domain.messages import N_
from fairlabel.services.clock import utc_now
from fairlabel.services.ports.accounts import HasSettings, HasUsers, UserPassword, UserToken
from fairlabel.services.ports.transaction import Commits, Database


class AddUserTx(HasUsers, Commits, Protocol):
    """The transaction of ``add_user``, ``sign_up_worker``, ``authenticate``, ``start_session``,
    ``end_session``, ``create_token``, ``checked_token``, ``user_for_token``, ``revoke_token``,
    ``revoke_all_tokens``."""


class SessionSecretTx(HasSettings, Commits, Protocol):
    """The transaction of ``session_secret``."""


class UserForSessionTx(HasUsers, Protocol):
    """The transaction of ``user_for_session``, ``tokens_of``, ``find_user``,
    ``_find_by_input``."""


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


# One answer whether the address has an account or only looks like one that has: sign-up
# does not tell strangers who has an account (docs/security.md).
EMAIL_UNAVAILABLE = N_("this e-mail address cannot be used for a new account: if it is yours, "
                       "sign in; otherwise use another address")


class EmailUnavailable(Conflict):
    code = "email_unavailable"

    def __init__(self) -> None:
        super().__init__(EMAIL_UNAVAILABLE, code=self.code)


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


# A pseudonym says the role and nothing else: w_ workers, r_ requesters, m_ moderators.
PSEUDONYM_PREFIX = {Role.WORKER: "w_", Role.REQUESTER: "r_", Role.MODERATOR: "m_",
                    Role.ADMIN: "a_"}


def add_user(db: Database[AddUserTx], *, email: str, password: str, role: Role,
             now: datetime) -> User:
    """A new account. Its address is normalised (NFKC, case folded); one that mixes scripts,
    or that looks like an existing account's (same skeleton), is refused with the same answer
    as one that has an account."""
    email = normalize_email(email)
    check_new_email(email)
    check_password(password)
    skeleton = email_skeleton(email)
    password_hash = _hasher.hash(password)
    with db.write() as tx:
        if tx.users.skeleton_taken(skeleton) or tx.users.with_password_hash(email):
            raise EmailUnavailable()
        try:
            user = tx.users.add(email=email, password_hash=password_hash, role=role,
                                pseudonym=PSEUDONYM_PREFIX[role] + secrets.token_hex(6),
                                now=now, skeleton=skeleton)
        except Conflict:
            raise EmailUnavailable() from None
        tx.commit()
    return user


def _find_by_input(tx: UserForSessionTx, raw: str) -> UserPassword | None:
    """An account by its normalised address, or by the address as stored before NFKC and
    case folding (``legacy_normalize_email``), so that existing accounts keep working."""
    email = normalize_email(raw)
    found = tx.users.with_password_hash(email)
    if found is None:
        legacy = legacy_normalize_email(raw)
        if legacy != email:
            found = tx.users.with_password_hash(legacy)
    return found


def sign_up_worker(db: Database[AddUserTx], *, email: str, password: str, now: datetime) -> User:
    """Self-service sign-up is for workers; other roles are granted by an operator."""
    return add_user(db, email=email, password=password, role=Role.WORKER, now=now)


def authenticate(db: Database[AddUserTx], *, email: str, password: str) -> User:
    try:
        normalize_email(email)
    except InvalidInput:
        raise InvalidCredentials("unknown e-mail or wrong password") from None
    with db.read() as tx:
        found = _find_by_input(tx, email)
    stored = found.password_hash if found else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials("unknown e-mail or wrong password") from None
    if found is None:
        raise InvalidCredentials("unknown e-mail or wrong password")
    user = found.user
    if _hasher.check_needs_rehash(stored):
        with db.write() as tx:
            tx.users.set_password_hash(user.id, _hasher.hash(password))
            tx.commit()
    return user


def start_session(db: Database[AddUserTx], user: User, *, now: datetime) -> str:
    """A new browser session; the value goes in the signed cookie, its hash in the table."""
    value = secrets.token_urlsafe(32)
    with db.write() as tx:
        tx.users.add_session(token_hash=token_hash(value), user_id=user.id, now=now,
                             expires_at=now + SESSION_LIFETIME)
        tx.commit()
    return value


def user_for_session(db: Database[UserForSessionTx], value: str, *, now: datetime) -> User | None:
    with db.read() as tx:
        return tx.users.by_session_hash(token_hash(value), now)


def end_session(db: Database[AddUserTx], value: str, *, now: datetime) -> None:
    with db.write() as tx:
        tx.users.revoke_session(token_hash(value), now)
        tx.commit()


def create_token(db: Database[AddUserTx], *, email: str, name: str, now: datetime,
                 expires_days: float | None = None) -> str:
    """Issue an API token for a user; only its hash is stored, so show it once."""
    expires_at = token_expiry(now, expires_days)
    name = name.strip()
    if not 0 < len(name) <= 100:
        raise InvalidInput("a token's name is 1 to 100 characters long")
    token = secrets.token_urlsafe(32)
    with db.write() as tx:
        found = _find_by_input(tx, email)
        if found is None:
            raise NotFound("no user with the e-mail {email}; add one with `fairlabel user add`",
                           email=email)
        tx.users.add_token(user_id=found.user.id, token_hash=token_hash(token), name=name,
                           now=now, expires_at=expires_at)
        tx.commit()
    return token


def checked_token(db: Database[AddUserTx], token: str, *, now: datetime) -> UserToken | None:
    """The token's user and the token, if it is neither revoked nor expired. Its last use is
    written at most once a minute (``TOKEN_USE_GRANULARITY``)."""
    with db.read() as tx:
        found = tx.users.by_token_hash(token_hash(token))
    if found is None or not found.token.usable(now):
        return None
    if found.token.needs_touch(now):
        with db.write() as tx:
            tx.users.touch_token(found.token.id, now)
            tx.commit()
    return found


def user_for_token(db: Database[AddUserTx], token: str, *,
                   now: datetime | None = None) -> User | None:
    found = checked_token(db, token, now=now or utc_now())
    return found.user if found else None


def tokens_of(db: Database[UserForSessionTx], user_id: int) -> list[ApiToken]:
    with db.read() as tx:
        return tx.users.tokens(user_id)


def revoke_token(db: Database[AddUserTx], token_id: int, *, now: datetime,
                 user_id: int | None = None) -> list[str]:
    """Revoke one token (only the user's own, if ``user_id`` is given); return the hashes
    revoked (for the caller's token cache). Revoking a revoked token changes nothing."""
    with db.write() as tx:
        known = tx.users.tokens(user_id) if user_id is not None else None
        if known is not None and all(t.id != token_id for t in known):
            raise NotFound("no token {token_id} on this account", token_id=str(token_id))
        revoked = tx.users.revoke_tokens(now=now, token_id=token_id, user_id=user_id)
        if known is None and not revoked:
            raise NotFound("no live token with the id {token_id}", token_id=str(token_id))
        tx.commit()
    return revoked


def revoke_all_tokens(db: Database[AddUserTx], *, email: str, now: datetime) -> list[str]:
    with db.write() as tx:
        found = _find_by_input(tx, email)
        if found is None:
            raise NotFound("no user with the e-mail {email}", email=email)
        revoked = tx.users.revoke_tokens(now=now, user_id=found.user.id)
        tx.commit()
    return revoked


def find_user(db: Database[UserForSessionTx], email: str) -> User | None:
    with db.read() as tx:
        found = _find_by_input(tx, email)
    return found.user if found else None


def session_secret(db: Database[SessionSecretTx]) -> str:
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
