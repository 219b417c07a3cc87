"""The API's contract, as the OpenAPI document states it: every error status a route can
answer, with the error shape, next to the statuses the routes declare themselves.

The statuses follow from what a route is, the same way the request gate and the error
handlers decide them (``web/limits.py``, ``web/errors.py``, ``web/retries.py``), so that a new
route is documented by being written:

==========  ===============================================================================
400         every route: an address holding NUL (``%00``)
401, 403    every route that needs a caller (not ``/health``, not ``/public/…``): no or a bad
            token; the wrong role, or a session's write without its CSRF token
404         a route with an id in its path, or with a body naming other records
409         every write: the state does not allow it (a project not open, a lease expired…)
413         every write: a body over ``FAIRLABEL_BODY_MAX_BYTES`` (imports: their own limit)
422         a route with parameters or a body: out of range, malformed, or refused
503         every route that reads the database: it was unreachable twice in a row
==========  ===============================================================================
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fairlabel.adapters.web.limits import PUBLIC_API


class ErrorBody(BaseModel):
    """Every error of the API: a stable code and a message for people. Some errors add
    details (e.g. ``retry_at``)."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="A stable code, e.g. `not_found`, `lease_expired`.")
    message: str = Field(description="What went wrong and what to do, for people.")


REF = "#/components/schemas/ErrorBody"

DESCRIPTIONS = {
    400: "The address is malformed (it holds NUL).",
    401: "No token, or one that is not valid.",
    403: "The caller's role may not do this (or a session's write lacks its CSRF token).",
    404: "Not found (also: not visible to the caller).",
    409: "The state does not allow it now.",
    413: "The body is over the size limit.",
    422: "A parameter or the body is out of range, malformed, or refused.",
    503: "The database is unavailable; try again after Retry-After seconds.",
}

WRITES = frozenset({"post", "put", "patch", "delete"})


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses the route can answer, by what it is."""
    has_body = "requestBody" in operation
    has_params = bool(operation.get("parameters")) or has_body
    has_id = "{" in path
    found = [400]
    if path.startswith("/api/") and PUBLIC_API.fullmatch(path) is None:
        found += [401, 403]
    if has_id or has_body:
        found.append(404)
    if method in WRITES:
        found += [409, 413]
    if has_params or method in WRITES:
        found.append(422)
    if not path.endswith("/health"):
        found.append(503)
    return found


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add every route's error statuses, with the error shape, to an OpenAPI document (in
    place); a 422 FastAPI described with its own validation shape gets ours, which is what
    the API answers."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorBody"] = ErrorBody.model_json_schema(ref_template=REF)
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in error_statuses(path, method, operation):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
            for code, entry in responses.items():
                if not code.isdigit() or int(code) < 400:
                    continue
                entry["content"] = {"application/json": {"schema": {"$ref": REF}}}
                if code == "503":
                    entry["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                        "description": "Seconds."}}
    return schema
