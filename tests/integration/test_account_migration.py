"""0009 (sessions, token lifetimes, e-mail skeletons) on a database with accounts."""

from __future__ import annotations

from sqlalchemy import inspect, text

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts


def test_0009_keeps_tokens_working_and_fills_in_skeletons(
        container: Container, people: Accounts) -> None:
    user, token = people.make(Role.WORKER, email="cop@example.org")
    engine = container.engine
    downgrade(engine, "0008")
    names = inspect(engine).get_table_names()
    assert "sessions" not in names
    assert "revoked_at" not in {c["name"] for c in inspect(engine).get_columns("api_tokens")}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        skeleton = conn.execute(text("SELECT email_skeleton FROM users WHERE id = :id"),
                                {"id": user.id}).scalar_one()
    assert skeleton == "cop@example.org"
    assert accounts.user_for_token(container.db, token) == user
    tokens = accounts.tokens_of(container.db, user.id)
    assert [(t.expires_at, t.revoked_at) for t in tokens] == [(None, None)]
