"""Ids in paths: out of range (0, negative, past 2^63 − 1) is 422 with the API's error shape
on every route; the largest id a row can have is an ordinary miss, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.web.paths import MAX_BIG_ID, MAX_ID
from tests.e2e.conftest import bearer
from tests.e2e.test_pages import sign_in
from tests.support.funding import OPERATOR

OUT_OF_RANGE = [10**30, 2**63, 0, -1]
PARAM = re.compile(r"\{(\w+)\}")


def _with_id(path: str, value: int) -> str:
    return PARAM.sub(str(value), path)


def _page_routes(client: TestClient) -> list[tuple[str, set[str]]]:
    """The pages' paths and methods (FastAPI keeps included routers as they are, so walk
    their effective routes)."""
    found: list[tuple[str, set[str]]] = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        contexts = getattr(route, "effective_route_contexts", None)
        candidates = list(contexts()) if contexts is not None else [route]
        for each in candidates:
            path, methods = getattr(each, "path", ""), getattr(each, "methods", None)
            if methods and not path.startswith(("/api/", "/openapi", "/static")):
                found.append((path, set(methods)))
    return found


def _api_routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, item in spec["paths"].items() if "{" in path
            for method in item]


def test_every_api_route_refuses_an_id_out_of_range(client: TestClient,
                                                    world: dict[str, Any]) -> None:
    routes = _api_routes(client)
    assert len(routes) > 20
    for token in (world["admin"], world["rtoken"], world["worker"]):
        for method, path in routes:
            for value in OUT_OF_RANGE:
                answer = client.request(method, _with_id(path, value), headers=bearer(token),
                                        json={})
                assert answer.status_code == 422, (method, path, value, answer.text)
                assert answer.json()["error"] == "invalid"


def test_the_largest_id_is_an_ordinary_answer(client: TestClient,
                                              world: dict[str, Any]) -> None:
    """The bound each path parameter documents is what its table's id column holds."""
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            ids = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            if not ids:
                continue
            largest = {p["name"]: p["schema"]["maximum"] for p in ids}
            assert set(largest.values()) <= {MAX_ID, MAX_BIG_ID}, (path, largest)
            address = path.format(**largest)
            for value in (0, MAX_BIG_ID + 1):
                wrong = path.format(**dict.fromkeys(largest, value))
                assert client.request(method, wrong, headers=bearer(world["admin"]),
                                      json={}).status_code == 422, (method, wrong)
            answer = client.request(method.upper(), address, headers=bearer(world["admin"]),
                                    json={})
            assert answer.status_code < 500, (method, address, answer.text)


@pytest.mark.parametrize("value", [*OUT_OF_RANGE, MAX_ID])
def test_pages_with_an_id_out_of_range_are_not_a_server_error(
        client: TestClient, world: dict[str, Any], value: int) -> None:
    sign_in(client, OPERATOR, "operator-password")
    pages = [(method, path) for path, methods in _page_routes(client) if "{" in path
             for method in methods]
    assert len(pages) > 10
    for method, path in pages:
        answer = client.request(method, _with_id(path, value))
        assert answer.status_code < 500, (method, path, answer.status_code)
        if value != MAX_ID:
            assert answer.status_code == 422, (method, path, answer.status_code)
