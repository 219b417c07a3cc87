"""The API contract: the OpenAPI document lists every error status with the error shape and
the export's media types; OPTIONS and 405 name every method of the address."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from fairlabel.adapters.web import api, pages
from fairlabel.adapters.web.methods import AllowedMethods, folder, route_table
from tests.e2e.conftest import bearer

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def test_every_operation_documents_its_errors_with_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["components"]["schemas"]["ErrorBody"]["required"]) == {"error", "message"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = {int(code) for code in responses if int(code) >= 400}
            assert {400}.issubset(errors), (method, path)
            if not path.startswith(("/api/v1/public", "/api/v1/health")):
                assert {401, 403, 503} <= errors, (method, path)
            if "{" in path:
                assert {404, 422} <= errors, (method, path)
            if method == "post":
                assert {409, 413, 422} <= errors, (method, path)
            for code in errors:
                schema = responses[str(code)]["content"]["application/json"]["schema"]
                assert schema == ERROR_REF, (method, path, code)


def test_the_export_documents_its_media_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/api/v1/projects/{project_id}/export"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"application/x-ndjson", "text/csv", "application/json",
                                  "application/xml", "text/plain; charset=utf-8",
                                  "application/vnd.apache.parquet"}
    body = spec["paths"]["/api/v1/projects/{project_id}/tasks"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "application/x-ndjson", "text/csv"}


def test_options_lists_every_method_of_the_address(client: TestClient,
                                                   world: dict[str, Any]) -> None:
    answer = client.options("/api/v1/projects")
    assert answer.status_code == 204
    assert answer.headers["allow"] == "GET, OPTIONS, POST"
    assert client.options(f"/api/v1/projects/{world['pid']}").headers["allow"] == "GET, OPTIONS"
    assert client.options("/login").headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/api/v1/nowhere").status_code == 404


def test_a_method_not_allowed_is_405_with_every_allowed_method(
        client: TestClient, world: dict[str, Any]) -> None:
    answer = client.delete("/api/v1/projects", headers=bearer(world["rtoken"]))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, OPTIONS, POST"
    assert answer.json()["error"] == "method_not_allowed"
    assert client.put("/login").headers["allow"] == "GET, OPTIONS, POST"


def _sample_paths(path_format: str) -> list[str]:
    """Paths a route of ``path_format`` matches or nearly matches: each parameter as a number
    and as a word, and the path with a segment more or a slash at its end."""
    paths = [re.sub(r"\{[^}]*\}", value, path_format) for value in ("7", "ab-c", "x.json")]
    return paths + [p + suffix for p in paths for suffix in ("/", "/extra")]


def test_the_allowed_methods_of_an_address_are_those_of_every_route_that_matches(
        client: TestClient) -> None:
    # The middleware looks a path up among the routes of the folders it lies in: on every
    # address the app serves, and next to each, it answers what a look through every route
    # of the app answers.
    routes = list(client.app.routes)  # type: ignore[attr-defined]
    table = route_table(routes)
    allowed = AllowedMethods(client.app, routes=lambda: routes).allowed  # type: ignore[arg-type]
    paths = {path for each, _, _ in table for path in _sample_paths(each)}
    paths |= {"/", "/api", "/api/v1", "/api/v1/", "/nowhere", "/api/v1/nowhere/7", "*", ""}
    assert len(table) > 50 and len(paths) > 300
    for path in sorted(paths):
        found = frozenset(m for _, pattern, methods in table if pattern.match(path)
                          for m in methods)
        assert allowed(path) == (found | {"OPTIONS"} if found else frozenset()), path
    assert folder("/api/v1/projects/{project_id}/next") == "/api/v1/projects/"
    assert folder("/api/v1/projects") == "/api/v1/"
    assert folder("/login") == "/"


def test_the_app_includes_its_routers_one_level_deep(client: TestClient) -> None:
    # FastAPI walks the tree of included routers for every request, twice; a router of
    # routers (as /api/v1 once was) cost each API request 20-30 us more (web/api/__init__.py).
    included = [route for route in client.app.routes  # type: ignore[attr-defined]
                if hasattr(route, "original_router")]
    assert len(included) == len(api.ROUTERS) + len(pages.ROUTERS)
    for route in included:
        assert not any(hasattr(each, "original_router") for each in route.original_router.routes)
