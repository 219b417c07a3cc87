"""Turning domain errors into HTTP responses: JSON under /api, a page elsewhere."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fairlabel.adapters.web.rendering import render
from fairlabel.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooLarge,
)

STATUS_FOR = {
    NotFound: status.HTTP_404_NOT_FOUND,
    PermissionDenied: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    TooLarge: status.HTTP_413_CONTENT_TOO_LARGE,
    InvalidInput: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_FOR:
            return STATUS_FOR[cls]
    return status.HTTP_400_BAD_REQUEST


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(request: Request, code: int, error: str, message: str,
             headers: dict[str, str] | None = None,
             details: dict[str, object] | None = None) -> Response:
    if _is_api(request):
        return JSONResponse({"error": error, "message": message, **(details or {})},
                            status_code=code, headers=headers)
    return render(request, "error.html", {"code": code, "message": message},
                  status_code=code)


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return _respond(request, status_for(error), error.code, error.message,
                        details=error.details)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        details = [f"{_location(tuple(e['loc']))}: {e['msg']}" for e in error.errors()]
        return _respond(request, status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid",
                        "; ".join(details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        names = {401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "too_large"}
        return _respond(request, error.status_code, names.get(error.status_code, "error"),
                        str(error.detail), headers=getattr(error, "headers", None))
