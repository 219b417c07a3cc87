"""Repositories of people and the instance: users, tokens, sessions, settings. Like every
repository they work over one open transaction and never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.rows import to_user
from fairlabel.adapters.db.tables import api_tokens, instance_settings, sessions, users
from fairlabel.domain.accounts import ApiToken, Role, User
from fairlabel.domain.errors import Conflict
from fairlabel.services.ports.accounts import UserPassword, UserToken


class UserRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, email: str, password_hash: str, role: Role, pseudonym: str,
            now: datetime, skeleton: str | None = None) -> User:
        try:
            new_id = self._conn.execute(
                insert(users).values(email=email, password_hash=password_hash, role=role.value,
                                     pseudonym=pseudonym, created_at=now,
                                     email_skeleton=skeleton).returning(users.c.id)
            ).scalar_one()
        except IntegrityError:
            raise Conflict("a user with the e-mail {email} already exists",
                           code="email_taken", email=email) from None
        return User(new_id, email, role, pseudonym, now)

    def get(self, user_id: int) -> User | None:
        row = self._conn.execute(select(users).where(users.c.id == user_id)).first()
        return to_user(row) if row else None

    def with_password_hash(self, email: str) -> UserPassword | None:
        row = self._conn.execute(select(users).where(users.c.email == email)).first()
        return UserPassword(to_user(row), row.password_hash) if row else None

    def set_preferences(self, user_id: int, *, language: str | None,
                        time_zone: str | None) -> None:
        self._conn.execute(update(users).where(users.c.id == user_id)
                           .values(language=language, time_zone=time_zone))

    def set_display_name(self, user_id: int, display_name: str | None) -> None:
        try:  # a savepoint: two requesters taking one name at once get a 409, not a 500
            with self._conn.begin_nested():
                self._conn.execute(update(users).where(users.c.id == user_id)
                                   .values(display_name=display_name))
        except IntegrityError:
            raise Conflict("another requester is already called {name}; choose another name",
                           code="display_name_taken", name=display_name) from None

    def display_name_taken(self, display_name: str, *, other_than: int) -> bool:
        return self._conn.execute(select(users.c.id).where(
            func.lower(users.c.display_name) == display_name.lower(),
            users.c.id != other_than).limit(1)).first() is not None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._conn.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def by_token_hash(self, token_hash: str) -> UserToken | None:
        row = self._conn.execute(sql.user_by_token, {"token_hash": token_hash}).first()
        if row is None:
            return None
        return UserToken(to_user(row), ApiToken(row.token_id, row.id, row.token_name,
                                      row.token_created_at, row.token_expires_at,
                                      row.token_last_used_at, row.token_revoked_at))

    def touch_token(self, token_id: int, now: datetime) -> None:
        self._conn.execute(sql.touch_token, {"token_id": token_id, "last_used_at": now})

    def add_token(self, *, user_id: int, token_hash: str, name: str, now: datetime,
                  expires_at: datetime | None = None) -> int:
        return int(self._conn.execute(insert(api_tokens).values(
            user_id=user_id, token_hash=token_hash, name=name, created_at=now,
            expires_at=expires_at).returning(api_tokens.c.id)).scalar_one())

    def tokens(self, user_id: int) -> list[ApiToken]:
        rows = self._conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id)
                                  .order_by(api_tokens.c.id))
        return [ApiToken(r.id, r.user_id, r.name, r.created_at, r.expires_at, r.last_used_at,
                         r.revoked_at) for r in rows]

    def revoke_tokens(self, *, now: datetime, token_id: int | None = None,
                      user_id: int | None = None) -> list[str]:
        """Revoke one token (by id, of that user if given) or all of a user's; return the
        hashes of those revoked now."""
        where: list[ColumnElement[bool]] = [api_tokens.c.revoked_at.is_(None)]
        if token_id is not None:
            where.append(api_tokens.c.id == token_id)
        if user_id is not None:
            where.append(api_tokens.c.user_id == user_id)
        if token_id is None and user_id is None:
            raise ValueError("revoke a token by id, or a user's tokens")
        return list(self._conn.execute(update(api_tokens).where(*where)
                                       .values(revoked_at=now)
                                       .returning(api_tokens.c.token_hash)).scalars())

    def add_session(self, *, token_hash: str, user_id: int, now: datetime,
                    expires_at: datetime) -> None:
        self._conn.execute(insert(sessions).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at))

    def by_session_hash(self, token_hash: str, now: datetime) -> User | None:
        row = self._conn.execute(sql.user_by_session,
                                 {"token_hash": token_hash, "now": now}).first()
        return to_user(row) if row else None

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        self._conn.execute(update(sessions).where(sessions.c.token_hash == token_hash,
                                                  sessions.c.revoked_at.is_(None))
                           .values(revoked_at=now))

    def skeleton_taken(self, skeleton: str) -> bool:
        return self._conn.execute(select(users.c.id).where(users.c.email_skeleton == skeleton)
                                  .limit(1)).first() is not None

    def pseudonyms(self, user_ids: Iterable[int]) -> dict[int, str]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self._conn.execute(select(users.c.id, users.c.pseudonym)
                                  .where(users.c.id.in_(ids)))
        return {r.id: r.pseudonym for r in rows}


    def by_pseudonym(self, pseudonym: str) -> User | None:
        row = self._conn.execute(select(users).where(users.c.pseudonym == pseudonym)).first()
        return to_user(row) if row else None

    def countries(self, user_ids: Iterable[int]) -> dict[int, str | None]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self._conn.execute(select(users.c.id, users.c.country)
                                  .where(users.c.id.in_(ids)))
        return {r.id: r.country for r in rows}

    def with_role(self, role: Role) -> list[User]:
        """Every user of one role, by e-mail address."""
        rows = self._conn.execute(select(users).where(users.c.role == role.value)
                                  .order_by(users.c.email))
        return [to_user(r) for r in rows]


class SettingsRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, key: str) -> str | None:
        return self._conn.execute(
            select(instance_settings.c.value).where(instance_settings.c.key == key)
        ).scalar_one_or_none()

    def add(self, key: str, value: str) -> None:
        self._conn.execute(insert(instance_settings).values(key=key, value=value))
