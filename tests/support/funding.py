"""Money for tests: an operator records a deposit, the requester funds the project."""

from __future__ import annotations

from fairlabel.bootstrap import Container
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.money import Money
from fairlabel.services import accounts, pay

OPERATOR = "operator@example.org"


def operator(container: Container) -> User:
    found = accounts.find_user(container.db, OPERATOR)
    if found is not None:
        return found
    return accounts.add_user(container.db, email=OPERATOR, password="operator-password",
                             role=Role.ADMIN, now=container.clock())


def fund(container: Container, requester: User, project_id: int, amount_minor: int,
         currency: str = "USD") -> Money:
    amount = Money(amount_minor, currency)
    pay.deposit(container.db, operator(container), requester_email=requester.email,
                amount=amount, floors=container.pay.floors, now=container.clock())
    return pay.fund_project(container.db, requester, project_id, amount, now=container.clock())
