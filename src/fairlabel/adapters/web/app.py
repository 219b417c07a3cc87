"""The web application: API under /api/v1, pages, static files."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from fairlabel import __version__
from fairlabel.adapters.container import Container
from fairlabel.adapters.web import api, api_docs, errors, pages
from fairlabel.adapters.web.calls import UseCaseRunner
from fairlabel.adapters.web.contract import document_errors
from fairlabel.adapters.web.limits import RequestGate, large_bodies
from fairlabel.adapters.web.methods import AllowedMethods
from fairlabel.adapters.web.pages import common
from fairlabel.adapters.web.rate_limit import AuthLimiter
from fairlabel.adapters.web.retries import RetryDeadConnections
from fairlabel.adapters.web.security import SecurityHeaders
from fairlabel.adapters.web.token_cache import TokenCache
from fairlabel.services import accounts, schedule

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("fairlabel.web")


def _sweep(container: Container, stop: threading.Event) -> None:
    """Run the periodic jobs now and then (lease expiry, approvals, top-ups, prices, payouts;
    those that read every answer only every ``measure_seconds``): at the start of each period
    this process tries to claim the jobs that are due, and runs those it wins; of every app
    server sharing the database, one runs each period (``services.schedule``)."""
    retry = container.settings.sweep_seconds
    while True:
        try:
            run = schedule.run_periodic(
                container.db, container.charter, clock=container.clock,
                me=container.process_name, jobs=container.periodic_jobs,
                refit=container.consensus_refit, consensus_interval=container.measure_interval)
            wait = (run.next_at - container.clock()).total_seconds()
        except Exception:  # keep sweeping after a transient database error, but say so
            log.exception("periodic jobs failed; retrying in %s s", retry)
            wait = retry
        if stop.wait(max(wait, 0.01)):
            return


class _App(FastAPI):
    """FastAPI, with the security headers outside even the server-error middleware, so that
    every response carries them (``web/security.py``)."""

    always_secure_cookies = False
    image_hosts: tuple[str, ...] = ()

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with every route's error statuses (``web/contract.py``)."""
        if self.openapi_schema is None:
            self.openapi_schema = document_errors(super().openapi())
        return self.openapi_schema

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(),
                               always_secure_cookies=self.always_secure_cookies,
                               image_hosts=self.image_hosts)


def create_app(container: Container) -> FastAPI:
    """Build the app around an already bootstrapped container (schema up to date)."""

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        if container.settings.sweep_seconds > 0:
            threading.Thread(target=_sweep, args=(container, stop), daemon=True,
                             name="sweep").start()
        yield
        stop.set()
        await running.state.use_cases.aclose()
        container.close_workers(wait=False)

    app = _App(
        title="fairlabel",
        version=__version__,
        description="Labeling, ranking and rating work on fair, visible terms. Money is always "
        '`{"amount_minor": int, "currency": "USD"}`; authenticate with '
        "`Authorization: Bearer <token>` (`fairlabel token create EMAIL`).",
        lifespan=lifespan,
        docs_url=None,  # served from installed files by api_docs.install below
        redoc_url=None,
    )
    app.state.container = container
    app.state.token_cache = TokenCache(ttl=container.settings.token_cache_seconds)
    app.state.auth_limiter = AuthLimiter(container.settings, container.clock)
    app.state.use_cases = UseCaseRunner(container)
    app.always_secure_cookies = container.settings.secure_cookies
    app.image_hosts = tuple(container.settings.image_hosts)
    # Middleware added later wraps what was added before: the request gate (body limits,
    # anonymous callers, text checks: web/limits.py) runs inside the session middleware,
    # whose session it reads. Innermost, just outside the routes: OPTIONS and 405 with the
    # address's every method (web/methods.py); a request whose database connection died
    # before it committed is run once more (web/retries.py).
    app.add_middleware(AllowedMethods, routes=lambda: list(app.routes))
    app.add_middleware(RetryDeadConnections, database=container.db,
                       max_replay_bytes=container.settings.body_max_bytes)
    app.add_middleware(RequestGate, settings=container.settings,
                       large=large_bodies(container.settings))
    secret = container.settings.secret_key or accounts.session_secret(container.db)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="fairlabel_session",
                       same_site="lax", https_only=container.settings.secure_cookies,
                       max_age=14 * 24 * 3600)
    errors.install(app)
    common.install(app)
    api.install(app)
    pages.install(app)
    api_docs.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
