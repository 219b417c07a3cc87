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
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import MAX_AMOUNT_MINOR

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
             details: dict[str, object] | None = None, said: Msg | None = None) -> Response:
    """JSON in English under /api; elsewhere the error page, which says ``said`` (a domain
    error's message) in the reader's language."""
    if _is_api(request):
        return JSONResponse({"error": error, "message": message, **(details or {})},
                            status_code=code, headers=headers)
    return render(request, "error.html", {"code": code, "message": said or message},
                  status_code=code)


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _unreadable_body(error: StarletteHTTPException) -> str | None:
    """Why FastAPI could not read a JSON body it answered 400 for (it chains the cause), as a
    plain message; None for any other 400."""
    cause = error.__cause__
    if error.status_code != 400 or not isinstance(cause, ValueError):
        return None
    if "integer string conversion" in str(cause):  # Python reads at most 4300 digits
        return (f"the body holds a number too long to read; amounts are at most "
                f"{MAX_AMOUNT_MINOR} minor units")
    return "the body could not be read as JSON: it must be UTF-8 text"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return _respond(request, status_for(error), error.code, error.message,
                        details=error.details, said=error.msg)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        details = [f"{_location(tuple(e['loc']))}: {e['msg']}" for e in error.errors()]
        return _respond(request, status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid",
                        "; ".join(details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if (unreadable := _unreadable_body(error)) is not None:
            return _respond(request, status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid",
                            unreadable)
        names = {401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "too_large"}
        return _respond(request, error.status_code, names.get(error.status_code, "error"),
                        str(error.detail), headers=getattr(error, "headers", None))
