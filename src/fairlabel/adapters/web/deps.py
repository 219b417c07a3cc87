"""Request dependencies shared by the API routes and the pages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from pydantic import BaseModel

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.calls import UseCaseRunner
from fairlabel.adapters.web.token_cache import TokenCache
from fairlabel.domain.accounts import User
from fairlabel.services import accounts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


# The dependencies below are `async def` on purpose: FastAPI runs a plain `def` dependency in
# the thread pool, and a thread hop per dependency cost more than the work they do.


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_now(container: ContainerDep) -> datetime:
    return container.clock()


NowDep = Annotated[datetime, Depends(get_now)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(str(expected), submitted):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "the form or request is missing its CSRF token: reload the page "
                            "and try again")


SESSION_KEY = "sid"
_NO_USER = object()


def session_user(request: Request, container: Container) -> User | None:
    """The signed-in user: the cookie's session id, looked up once per request (one indexed
    read) and refused once signed out or past its lifetime (``services.accounts``)."""
    known = getattr(request.state, "session_user", _NO_USER)
    if known is not _NO_USER:
        return known  # type: ignore[return-value]
    user = None
    user_id, sid = request.session.get("user_id"), request.session.get(SESSION_KEY)
    if isinstance(user_id, int) and isinstance(sid, str):
        found = accounts.user_for_session(container.db, sid, now=container.clock())
        user = found if found is not None and found.id == user_id else None
    request.state.session_user = user
    return user


def sign_in_session(request: Request, container: Container, user: User) -> None:
    """Start a server-side session for the user and put its id in the signed cookie."""
    sign_out_session(request, container)
    request.session.clear()
    request.session[SESSION_KEY] = accounts.start_session(container.db, user,
                                                          now=container.clock())
    request.session["user_id"] = user.id
    request.state.session_user = user


def sign_out_session(request: Request, container: Container) -> None:
    sid = request.session.get(SESSION_KEY)
    if isinstance(sid, str):
        accounts.end_session(container.db, sid, now=container.clock())
    request.session.clear()
    request.state.session_user = None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message,
                         headers={"WWW-Authenticate": "Bearer"})


async def api_user(request: Request, container: ContainerDep) -> User:
    """The caller: a bearer token, or the browser session (with a CSRF header on writes).

    The token check is one indexed read, run inline: cheaper than a hop to the thread pool.
    """
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("use 'Authorization: Bearer <token>'")
        cache: TokenCache = request.app.state.token_cache
        key = accounts.token_hash(token.strip())
        now = container.clock()
        user = cache.get(key, now)
        if user is None:
            found = accounts.checked_token(container.db, token.strip(), now=now)
            if found is not None:
                user = found.user
                cache.put(key, user, expires_at=found.token.expires_at)
        if user is None:
            raise _unauthorized("the token is not valid; create one with "
                                "`fairlabel token create EMAIL`")
        return user
    user = session_user(request, container)
    if user is None:
        raise _unauthorized("sign in, or send 'Authorization: Bearer <token>'")
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user


CurrentUser = Annotated[User, Depends(api_user)]


@dataclass(frozen=True, slots=True)
class LoopCall:
    """What a route of the labeling loop needs, gathered by one dependency instead of three
    (FastAPI's per-request cost grows with each dependency): the container, the caller, the
    time, and how to run the use case (``web/calls.py``)."""

    container: Container
    user: User
    now: datetime
    run: UseCaseRunner


async def loop_call(request: Request) -> LoopCall:
    container: Container = request.app.state.container
    user = await api_user(request, container)
    return LoopCall(container, user, container.clock(), request.app.state.use_cases)


LoopCallDep = Annotated[LoopCall, Depends(loop_call)]


def json_response(body: BaseModel, *, status_code: int = status.HTTP_200_OK,
                  exclude_none: bool = False) -> Response:
    """Serialise a response model in one step, for the routes of the labeling hot path.

    FastAPI would validate the returned model against the route's response model a second
    time; the route still declares that model, so the OpenAPI document is unchanged.
    """
    return Response(body.model_dump_json(exclude_none=exclude_none), status_code=status_code,
                    media_type="application/json")
