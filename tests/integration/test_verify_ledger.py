"""`services.operator.verify_ledger`: the whole ledger checked, as a simulated year ends."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import InvalidInput, PermissionDenied
from fairlabel.services import operator
from tests.conftest import Accounts
from tests.integration.test_fair_pay import make_project, work
from tests.support.clock import FakeClock


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_a_sound_ledger_verifies_and_a_changed_one_does_not(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    admin = people.make(Role.ADMIN)[0]
    pid = make_project(container, requester, tasks=2, price=20)
    work(container, clock, people.make(Role.WORKER)[0], pid, seconds=5, answers=2)
    found = operator.verify_ledger(container.db, admin)
    assert found.ok and found.checked > 0
    if container.engine.dialect.name == "postgresql":
        return  # entries are append-only there (a trigger): nothing can change them
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET amount_minor = amount_minor + 1 "
                          "WHERE id = (SELECT MAX(id) FROM ledger_entries)"))
    with pytest.raises(InvalidInput, match=r"does not balance|below zero|sum to zero"):
        operator.verify_ledger(container.db, admin)


def test_only_an_admin_verifies_the_whole_ledger(container: Container,
                                                 requester: User) -> None:
    with pytest.raises(PermissionDenied):
        operator.verify_ledger(container.db, requester)
