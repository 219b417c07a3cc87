"""Shared fixtures: every storage and API test runs on SQLite, and on PostgreSQL when
FAIRLABEL_TEST_POSTGRES_URL is set (each run in a database of its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import metadata
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role, User
from fairlabel.services import accounts
from tests.support.clock import FakeClock
from tests.support.databases import (
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
    sqlite_copy,
)

BACKENDS = ["sqlite", "postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") == "true" and not postgres_admin_url():
        raise pytest.UsageError("CI=true but FAIRLABEL_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not postgres_admin_url():
        pytest.skip("PostgreSQL tests need FAIRLABEL_TEST_POSTGRES_URL")
    with fresh_postgres_database() as url:
        yield url


def _truncate_postgres(container: Container) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with container.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, sqlite_template: Path,
                 tmp_path: Path) -> str:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                               consensus_process=False, media_dir=str(tmp_path / "media")),
                      clock=clock)
    if built.engine.dialect.name == "postgresql":
        _truncate_postgres(built)
    yield built
    built.close()


class Accounts:
    """Makes users with tokens: ``accounts.make(Role.WORKER)``."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.count = 0

    def make(self, role: Role, email: str | None = None,
             password: str = "correct horse") -> tuple[User, str]:
        self.count += 1
        email = email or f"{role.value}{self.count}@example.org"
        now = self.container.clock()
        user = accounts.add_user(self.container.db, email=email, password=password, role=role,
                                 now=now)
        token = accounts.create_token(self.container.db, email=email, name="test", now=now)
        return user, token


@pytest.fixture
def people(container: Container) -> Accounts:
    return Accounts(container)
