"""The API contract: the OpenAPI document lists every error status with the error shape and
the export's media types; OPTIONS and 405 name every method of the address."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

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
