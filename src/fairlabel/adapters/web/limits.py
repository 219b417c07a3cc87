"""The entrance of every request, before any route reads it: bodies counted as they stream,
callers without credentials turned away before their body is read, and text checked.

A pure ASGI middleware (``RequestGate``), so that nothing is buffered or parsed before it
has decided:

- a ``Content-Length`` over the limit is refused at once (413), a streamed body the moment
  it passes the limit; the limit is ``FAIRLABEL_BODY_MAX_BYTES`` (1 MiB), for task
  imports, whose callers are signed in, ``FAIRLABEL_IMPORT_MAX_BYTES``, and for media
  uploads ``FAIRLABEL_MEDIA_UPLOAD_MAX_BYTES``;
- a request with a body, to an API route that needs a caller, that carries neither an
  ``Authorization`` header nor a signed-in session is answered 401 before its body is read;
- JSON bodies are decoded once here (strict UTF-8, ``safe_json``: no lone surrogate, no NUL,
  no NaN or Infinity, bounded numbers, nesting and strings) and refused with 422 and what is
  wrong where; task imports check their own files the same way (``io/task_files.py``);
- a NUL in the address (400) or in a form field (422) is refused: PostgreSQL cannot store it.

Errors have the API's shape, ``{"error": code, "message": text}``, under ``/api/``, and are
the error page elsewhere. A refusal sent before the body was read closes the connection, so
that a client does not go on sending what no one will read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairlabel.adapters.io import safe_json
from fairlabel.adapters.web.rendering import render
from fairlabel.config import Settings

MULTIPART_SLACK = 64 * 1024
"""What a browser's multipart upload adds around a file: boundaries, part headers, the CSRF
field."""

_DISCONNECT: Message = {"type": "http.disconnect"}


def mib(size: int) -> str:
    """A size for a message: bytes, and MiB when it is that large."""
    return f"{size} bytes" + (f" ({size / 1048576:.1f} MiB)" if size >= 1048576 else "")


@dataclass(frozen=True, slots=True)
class LargeBody:
    """A route allowed a larger body than the default, for signed-in callers."""

    pattern: re.Pattern[str]
    limit: Callable[[], int]
    """Read per request, so that a changed setting applies at once."""
    name: str
    """What the limit is called in a refusal."""
    checks_itself: bool
    """The route validates its body itself (task files): the gate only counts it."""


def large_bodies(settings: Settings) -> tuple[LargeBody, ...]:
    """Task imports, through the API and the requester's upload page; media uploads (the
    route spools them to disk, reads each image to its own limit and counts zips)."""
    return (
        LargeBody(re.compile(r"/api/v1/projects/[^/]+/media"),
                  lambda: settings.media_upload_max_bytes + MULTIPART_SLACK,
                  "the media upload limit (FAIRLABEL_MEDIA_UPLOAD_MAX_BYTES)", True),
        LargeBody(re.compile(r"/api/v1/projects/[^/]+/tasks"),
                  lambda: settings.import_max_bytes, "the import limit", True),
        LargeBody(re.compile(r"/requester/projects/[^/]+/upload"),
                  lambda: settings.import_max_bytes + MULTIPART_SLACK, "the import limit", True),
    )


PUBLIC_API = re.compile(r"/api/(docs(/.*)?|v1/health|v1/public(/.*)?)")
"""The API's addresses that answer without a caller; every other one under /api/ needs a
bearer token or a signed-in session (``deps.api_user``). A test checks this against the
routes."""
MEDIA = re.compile(r"/api/v1/media/[^/]+")
"""An image answers a GET without credentials 404, as it answers everyone who may not see it:
whether it exists is not said."""


def api_needs_credentials(method: str, path: str) -> bool:
    return (path.startswith("/api/") and PUBLIC_API.fullmatch(path) is None
            and not (method == "GET" and MEDIA.fullmatch(path)))


def json_problem(body: bytes) -> str | None:
    """What is wrong with a JSON body (None: nothing), as the message of a 422."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return (f"the body is not valid UTF-8 (at byte {error.start}): send JSON as UTF-8 "
                "text, characters outside it as \\u escapes of well-formed Unicode")
    try:
        safe_json.loads(text, root="the body")
    except json.JSONDecodeError as error:
        return (f"the body is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}")
    except safe_json.JsonRefused as error:
        return error.reason
    return None


def form_problem(body: bytes) -> str | None:
    """What is wrong with a URL-encoded form (None: nothing): a NUL in a field."""
    if b"%00" not in body and b"\x00" not in body:
        return None
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True,
                                 encoding="utf-8", errors="replace"):
        if "\x00" in name or "\x00" in value:
            return (f"the field {safe_json.show(name)!r} holds a NUL character (%00): "
                    "remove it")
    return None


def _kind(content_type: bytes) -> str | None:
    media = content_type.split(b";", 1)[0].strip().lower()
    if media == b"application/json" or (media.startswith(b"application/")
                                        and media.endswith(b"+json")):
        return "json"
    if media == b"application/x-www-form-urlencoded":
        return "form"
    return None


class RequestGate:
    """See the module's description. Register it inside the session middleware, which it
    reads to tell a signed-in browser from an anonymous one."""

    def __init__(self, app: ASGIApp, *, settings: Settings,
                 large: Sequence[LargeBody] = (),
                 needs_credentials: Callable[[str, str], bool] = api_needs_credentials,
                 ) -> None:
        self.app = app
        self.settings = settings
        self.large = tuple(large)
        self.needs_credentials = needs_credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: int | None = None
        content_type = b""
        chunked = authorized = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                content_type = value
            elif name == b"authorization":
                authorized = True
        has_body = chunked or bool(length)
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            await refuse(scope, send, 400, "invalid",
                         "the address holds a NUL character (%00): remove it", close=has_body)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
        if not authorized:
            session = scope.get("session")
            authorized = isinstance(session, dict) and "user_id" in session
        if not authorized and self.needs_credentials(scope["method"], path):
            await refuse(scope, send, 401, "unauthorized",
                         "sign in, or send 'Authorization: Bearer <token>'", close=True,
                         headers={"WWW-Authenticate": "Bearer"})
            return
        route = next((r for r in self.large if r.pattern.fullmatch(path)), None) \
            if authorized else None
        limit = route.limit() if route else self.settings.body_max_bytes
        name = route.name if route else "the limit"
        if length is not None and length > limit:
            await refuse(scope, send, 413, "too_large",
                         f"the body is {length} bytes; {name} is {mib(limit)}. "
                         + ("Split the file." if route else "Send less."), close=True)
            return
        kind = None if route is not None and route.checks_itself else _kind(content_type)
        guard = _Guard(scope, receive, send, limit=limit, name=name, kind=kind,
                       split=route is not None)
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            if not guard.answered:
                raise
            # The refusal was sent; what the route made of the body it did not get is moot.


class _Guard:
    """One request's body, counted (and, for JSON and forms, checked) on its way in."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, *, limit: int, name: str,
                 kind: str | None, split: bool) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.limit = limit
        self.name = name
        self.kind = kind
        self.split = split
        self.received = 0
        self.started = False
        self.cut = False
        """The body was refused: the route gets a disconnect from here on."""
        self.answered = False
        """The gate sent the refusal: what the route sends after is dropped."""
        self.delivered = False

    async def receive(self) -> Message:
        if self.cut:
            return _DISCONNECT
        if self.kind is None or self.delivered:
            message = await self._receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    await self._too_large()
                    return _DISCONNECT
            return message
        # JSON or a form: gather the whole (small) body, check it, hand it on in one piece.
        body = bytearray()
        while True:
            message = await self._receive()
            if message["type"] != "http.request":
                return message
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._too_large()
                return _DISCONNECT
            if not message.get("more_body", False):
                break
        self.delivered = True
        problem = json_problem(bytes(body)) if self.kind == "json" else form_problem(
            bytes(body))
        if problem:
            await self._refuse(422, "invalid", problem, close=False)  # the body was read
            return _DISCONNECT
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    async def send(self, message: Message) -> None:
        if self.answered:
            return  # the refusal went out instead
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def _too_large(self) -> None:
        advice = "Split the file." if self.split else "Send less."
        await self._refuse(413, "too_large",
                           f"the body is over {self.name} of {mib(self.limit)}. {advice}",
                           close=True)

    async def _refuse(self, status: int, code: str, message: str, *, close: bool) -> None:
        """Answer in the route's stead, unless it has begun its own answer (then it only
        sees the body end in a disconnect)."""
        self.cut = True
        if not self.started:
            await refuse(self.scope, self._send, status, code, message, close=close)
            self.answered = True


async def refuse(scope: Scope, send: Send, status: int, code: str, message: str, *,
                 close: bool, headers: dict[str, str] | None = None) -> None:
    """Answer without the route: the API's error shape under /api/, the error page
    elsewhere. ``close``: the body was not read, so the connection is closed after."""
    extra = {**(headers or {}), **({"Connection": "close"} if close else {})}
    response: Response
    if scope["path"].startswith("/api/") or "app" not in scope:
        response = JSONResponse({"error": code, "message": message}, status_code=status,
                                headers=extra)
    else:
        response = render(Request(scope), "error.html", {"code": status, "message": message},
                          status_code=status)
        response.headers.update(extra)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return _DISCONNECT
