"""Money for tests: an operator records a deposit, the requester funds the project."""

from __future__ import annotations

from fairlabel.adapters.container import Container
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
                amount=amount, policy=container.charter, now=container.clock())
    return pay.fund_project(container.db, requester, project_id, amount, now=container.clock())


def tokens(database_url: str, workers: int) -> tuple[str, list[str], str]:
    """API tokens of one requester, ``workers`` workers and the operator, made on a database
    that a server will then serve: (requester, workers, operator)."""
    from fairlabel.bootstrap import bootstrap
    from fairlabel.config import Settings

    container = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                                   consensus_process=False))
    try:
        now = container.clock()
        made = []
        for i in range(workers + 1):
            role = Role.REQUESTER if i == 0 else Role.WORKER
            email = f"{role.value}{i}@example.org"
            accounts.add_user(container.db, email=email, password="password-1", role=role,
                              now=now)
            made.append(accounts.create_token(container.db, email=email, name="t", now=now))
        operator(container)
        admin = accounts.create_token(container.db, email=OPERATOR, name="t", now=now)
        return made[0], made[1:], admin
    finally:
        container.close()
