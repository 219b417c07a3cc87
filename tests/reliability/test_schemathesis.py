"""Property-based tests of the API against its own OpenAPI document (schemathesis), in
process on a fresh SQLite database, as each role: no server error, every status documented,
every response in its documented shape and media type.

Bounded for CI (a few examples per operation, derandomized): `pytest -m reliability`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.support.clock import FakeClock
from tests.support.databases import sqlite_copy

pytestmark = pytest.mark.reliability

ROLES = (Role.WORKER, Role.REQUESTER, Role.ADMIN, Role.MODERATOR)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def app_container(sqlite_template: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    url = sqlite_copy(sqlite_template, tmp_path_factory.mktemp("schemathesis"))
    built = bootstrap(Settings(database_url=url, sweep_seconds=0, consensus_process=False),
                      clock=FakeClock())
    yield built
    built.close()


@pytest.fixture(scope="module")
def tokens(app_container: Container) -> dict[Role, str]:
    now = app_container.clock()
    found = {}
    for role in ROLES:
        email = f"{role.value}@example.org"
        accounts.add_user(app_container.db, email=email, password="correct horse", role=role,
                          now=now)
        found[role] = accounts.create_token(app_container.db, email=email, name="st", now=now)
    return found


@pytest.fixture(scope="module")
def app(app_container: Container) -> FastAPI:
    return create_app(app_container)


def test_the_api_keeps_its_contract(app: FastAPI, tokens: dict[Role, str]) -> None:
    """Each operation in turn, as each role (a few examples each: a bounded run)."""
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def keeps_its_contract(case: Any) -> None:
            for role in ROLES:
                case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"},
                                       checks=CHECKS)

        keeps_its_contract()
