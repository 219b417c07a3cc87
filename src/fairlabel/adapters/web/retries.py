"""A request whose database connection died before it committed anything is run once more.

PostgreSQL drops connections now and then: a restart, a fail-over, an operator's
``pg_terminate_backend``, an idle timeout in a proxy. A connection that died while it
waited in the pool (the pool does not ping it first: a round trip per transaction), or after
it was handed out, in the middle of a transaction, fails the request instead.
``RetryDeadConnections`` (a pure ASGI middleware, just outside the routes) catches that
failure and runs the request again, once, on fresh connections, when it is safe to:

- no transaction of the request began to commit (``unit_of_work.Attempt``), so nothing it
  did was kept and running it again is idempotent by construction;
- no answer was begun (a streamed export that loses its connection half-way is cut off);
- the body read so far is at most ``FAIRLABEL_BODY_MAX_BYTES``, kept to be read again.

When the second try loses its connection too, the database is down: 503 with
``Retry-After`` rather than a 500. A connection lost during a commit is not retried (the
commit may have happened): that stays a server error, and clients retry with their
``Idempotency-Key``.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Protocol

from fastapi.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairlabel.adapters.web.limits import refuse

log = logging.getLogger("fairlabel.web")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "the database is unavailable just now; try again in a few seconds"


class Attempt(Protocol):
    committing: bool  # whether a transaction of the attempt began to commit


class Retryable(Protocol):
    """What the middleware asks of the database (the database adapter's ``SqlDatabase``)."""

    def attempt(self) -> AbstractContextManager[Attempt]: ...
    def is_dead_connection(self, error: BaseException) -> bool: ...


class RetryDeadConnections:
    def __init__(self, app: ASGIApp, *, database: Retryable, max_replay_bytes: int) -> None:
        self.app = app
        self.database = database
        self.max_replay_bytes = max_replay_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kept: list[Message] = []
        size = 0
        replayable = True
        started = False

        async def keeping_receive() -> Message:
            nonlocal size, replayable
            message = await receive()
            if replayable and message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.max_replay_bytes:
                    replayable = False
                    kept.clear()
                else:
                    kept.append(message)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with self.database.attempt() as first:
            try:
                await self.app(scope, keeping_receive, watching_send)
                return
            except Exception as error:
                if (started or first.committing or not replayable
                        or not self.database.is_dead_connection(error)):
                    raise
                log.warning("%s %s: database connection lost before commit; retrying once",
                            scope.get("method"), scope.get("path"))

        replay = list(kept)

        async def replaying_receive() -> Message:
            if replay:
                return replay.pop(0)
            return await receive()

        started = False
        with self.database.attempt() as second:
            try:
                await self.app(scope, replaying_receive, watching_send)
            except Exception as error:
                if (started or second.committing
                        or not self.database.is_dead_connection(error)):
                    raise
                log.error("%s %s: database connection lost again: %s", scope.get("method"),
                          scope.get("path"), error)
                await _unavailable(scope, send)


async def _unavailable(scope: Scope, send: Send) -> None:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if scope["path"].startswith("/api/"):
        await refuse(scope, send, 503, "unavailable", UNAVAILABLE, close=False,
                     headers=headers)
        return
    # Not the error page: rendering it reads the session's user from the database.
    await PlainTextResponse(UNAVAILABLE, status_code=503, headers=headers)(scope, _gone, send)


async def _gone() -> Message:
    return {"type": "http.disconnect"}
