"""0011 (language, time zone, display name; translatable decisions and inbox messages) on a
database with accounts: nothing is lost either way, and the new choices are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from fairlabel.domain.accounts import Role
from fairlabel.domain.errors import Conflict
from fairlabel.services import accounts, preferences
from tests.conftest import Accounts


def _columns(container: Container, table: str) -> set[str]:
    return {c["name"] for c in inspect(container.engine).get_columns(table)}


def test_0011_adds_the_readers_choices_and_keeps_tokens(
        container: Container, people: Accounts) -> None:
    worker, token = people.make(Role.WORKER, email="reader@example.org")
    requester, _ = people.make(Role.REQUESTER)
    downgrade(container.engine, "0010")
    assert {"language", "time_zone", "display_name"}.isdisjoint(_columns(container, "users"))
    assert "explanation_msg" not in _columns(container, "decisions")
    assert {"subject_msg", "body_msg"}.isdisjoint(_columns(container, "inbox_messages"))
    upgrade(container.engine)
    assert current_revision(container.engine) == head_revision()
    assert accounts.user_for_token(container.db, token) == worker  # tokens survive both ways

    chosen = preferences.set_preferences(container.db, worker, language="fr",
                                         time_zone="Africa/Nairobi", languages=("en", "fr"))
    assert (chosen.language, chosen.time_zone) == ("fr", "Africa/Nairobi")
    assert accounts.user_for_token(container.db, token) == chosen
    preferences.set_display_name(container.db, requester, "  Acme   Labs ")
    found = accounts.find_user(container.db, requester.email)
    assert found is not None and found.public_name == "Acme Labs"


def test_two_requesters_never_share_a_display_name_even_racing(
        container: Container, people: Accounts) -> None:
    """The check before the write can pass for both of two requesters at once: the database's
    unique index refuses the second one as a conflict (409), and nothing else is undone."""
    first, _ = people.make(Role.REQUESTER)
    second, _ = people.make(Role.REQUESTER)
    preferences.set_display_name(container.db, first, "Acme Labs")
    with container.db.write() as tx:  # as if its check had run before the first write
        with pytest.raises(Conflict, match="already called"):
            tx.users.set_display_name(second.id, "Acme Labs")
        tx.users.set_preferences(second.id, language="fr", time_zone=None)
        tx.commit()
    found = accounts.find_user(container.db, second.email)
    assert found is not None and (found.display_name, found.language) == (None, "fr")
