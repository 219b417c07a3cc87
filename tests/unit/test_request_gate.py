"""The request gate and the security headers as ASGI components, with a fake app and a fake
client: what they read, when they answer, what they hand on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from fairlabel.adapters.web.limits import (
    LargeBody,
    RequestGate,
    api_needs_credentials,
    form_problem,
    json_problem,
)
from fairlabel.adapters.web.security import SecurityHeaders, secure_cookie
from fairlabel.config import Settings

KiB = 1024


class Client:
    """Feeds a body in chunks and records what the gate pulled and what went out."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks: Iterator[bytes] = iter(chunks)
        self.left = len(chunks)
        self.pulled = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        chunk = next(self.chunks, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        self.pulled += 1
        self.left -= 1
        return {"type": "http.request", "body": chunk, "more_body": self.left > 0}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.sent[0]["headers"]}

    @property
    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


class EchoApp:
    """Reads the whole body and answers with its size (or lets ClientDisconnect escape)."""

    def __init__(self) -> None:
        self.received: bytes | None = None
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        body = await Request(scope, receive).body()
        self.received = body
        await JSONResponse({"size": len(body)})(scope, receive, send)


def scope(path: str = "/api/v1/projects", *, headers: dict[str, str] | None = None,
          session: dict[str, Any] | None = None, query: bytes = b"",
          body: bool = True) -> Scope:
    """A POST; with a body, streamed (chunked) unless the headers give its length."""
    headers = dict(headers or {})
    if body and "Content-Length" not in headers:
        headers["Transfer-Encoding"] = "chunked"
    return {"type": "http", "method": "POST", "path": path, "query_string": query,
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            **({"session": session} if session is not None else {})}


def run(app: Any, request: Scope, client: Client) -> None:
    anyio.run(app, request, client.receive, client.send)


TOKEN = {"Authorization": "Bearer t", "Content-Type": "application/json"}


def gate(app: Any, **settings: Any) -> RequestGate:
    values = Settings(database_url="sqlite://", **settings)
    return RequestGate(app, settings=values, large=[LargeBody(
        re.compile(r"/api/v1/projects/[^/]+/tasks"), lambda: values.import_max_bytes,
        "the import limit", True)])


def test_a_declared_length_over_the_limit_is_refused_before_anything_is_read() -> None:
    app, client = EchoApp(), Client([b"x" * KiB] * 10)
    run(gate(app, body_max_bytes=4 * KiB), scope(headers={**TOKEN, "Content-Length": "10240"}),
        client)
    assert client.status == 413 and client.pulled == 0 and not app.called
    assert client.body["error"] == "too_large" and "10240 bytes" in client.body["message"]
    assert client.headers["connection"] == "close"


def test_a_streamed_body_is_refused_the_chunk_it_passes_the_limit() -> None:
    app, client = EchoApp(), Client([b"x" * KiB] * 100)
    run(gate(app, body_max_bytes=4 * KiB),
        scope(headers={**TOKEN, "Content-Type": "text/plain"}), client)
    assert client.status == 413 and client.pulled == 5
    assert app.received is None  # the app saw a disconnect, and its answer was dropped
    assert len(client.sent) == 2


def test_a_json_body_under_the_limit_is_checked_and_handed_on_whole() -> None:
    app, client = EchoApp(), Client([b'{"a": ', b'"b"}'])
    run(gate(app), scope(headers=TOKEN), client)
    assert client.status == 200 and app.received == b'{"a": "b"}'


@pytest.mark.parametrize(("chunks", "words"), [
    ([b'{"a": "\\ud800"}'], "unpaired surrogate"), ([b'{"a": NaN}'], "NaN"),
    ([b'{"a": ', b'"\xed\xa0\x80"}'], "not valid UTF-8"), ([b'{"a": }'], "not valid JSON"),
    ([b"[" * 40, b"]" * 40], "nested more than 32")])
def test_a_json_body_the_platform_cannot_keep_is_refused_with_422(
        chunks: list[bytes], words: str) -> None:
    app, client = EchoApp(), Client(chunks)
    run(gate(app), scope(headers=TOKEN), client)
    assert client.status == 422 and client.body["error"] == "invalid"
    assert words in client.body["message"] and app.received is None


def test_anonymous_callers_are_refused_before_their_body_is_read() -> None:
    app, client = EchoApp(), Client([b"x" * KiB] * 10)
    run(gate(app), scope(headers={"Content-Type": "application/json"}), client)
    assert client.status == 401 and client.pulled == 0 and not app.called
    assert client.headers["www-authenticate"] == "Bearer"
    # A session without a user is anonymous; one with a user is not.
    client = Client([b"{}"])
    run(gate(app), scope(headers={"Content-Type": "application/json"},
                         session={"csrf": "x"}), client)
    assert client.status == 401
    client = Client([b"{}"])
    run(gate(app), scope(headers={"Content-Type": "application/json"},
                         session={"user_id": 3}), client)
    assert client.status == 200


def test_public_addresses_and_requests_without_a_body_pass() -> None:
    app, client = EchoApp(), Client([b"{}"])
    run(gate(app), scope("/api/v1/public/requesters",
                         headers={"Content-Type": "application/json"}), client)
    assert client.status == 200
    client = Client([b""])
    run(gate(app), scope("/api/v1/projects", body=False), client)
    assert client.status == 200 and app.received == b""
    assert not api_needs_credentials("POST", "/login")
    assert not api_needs_credentials("GET", "/api/v1/health")
    assert api_needs_credentials("POST", "/api/v1/projects/1/tasks")


def test_imports_get_the_import_limit_when_signed_in_only() -> None:
    body = [b"x" * KiB] * 8
    app, client = EchoApp(), Client(list(body))
    run(gate(app, body_max_bytes=4 * KiB, import_max_bytes=16 * KiB),
        scope("/api/v1/projects/7/tasks", headers=TOKEN), client)
    assert client.status == 200 and client.body == {"size": 8 * KiB}
    client = Client(list(body))
    run(gate(app, body_max_bytes=4 * KiB, import_max_bytes=6 * KiB),
        scope("/api/v1/projects/7/tasks", headers=TOKEN), client)
    assert client.status == 413 and "import limit of 6144 bytes" in client.body["message"]


def test_an_exception_after_a_refusal_stays_quiet_and_others_do_not() -> None:
    async def reads_then_fails(scope: Scope, receive: Receive, send: Send) -> None:
        async for _ in Request(scope, receive).stream():
            pass

    client = Client([b"x" * KiB] * 10)
    run(gate(reads_then_fails, body_max_bytes=KiB),
        scope(headers={**TOKEN, "Content-Type": "text/plain"}), client)
    assert client.status == 413
    with pytest.raises(ClientDisconnect):
        run(gate(reads_then_fails), scope(headers={**TOKEN, "Content-Type": "text/plain"}),
            Client([]))


def test_nul_in_the_address_or_a_form_is_refused() -> None:
    app, client = EchoApp(), Client([])
    run(gate(app), scope("/login", query=b"next=%00", body=False), client)
    assert client.status == 400 and not app.called
    assert form_problem(b"email=a%00b&password=x") == (
        "the field 'email' holds a NUL character (%00): remove it")
    assert form_problem(b"email=a%2500b") is None
    assert json_problem(b'{"ok": "\\\\u0000"}') is None


def test_security_headers_are_added_and_cookies_made_secure_over_https() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"set-cookie", b"s=1; path=/; httponly"), (b"x-frame-options", b"SAMEORIGIN")]})
        await send({"type": "http.response.body", "body": b""})

    for scheme, secure in (("https", True), ("http", False)):
        client = Client([])
        run(SecurityHeaders(app), {**scope("/x", body=False), "scheme": scheme}, client)
        headers = client.headers
        assert headers["x-frame-options"] == "SAMEORIGIN"  # a route's own header is kept
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["set-cookie"].endswith("; secure") is secure
    assert secure_cookie(b"s=1; Secure; path=/") == b"s=1; Secure; path=/"
    assert secure_cookie(b"secure=1") == b"secure=1; secure"
