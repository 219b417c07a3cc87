"""Which methods an address allows: ``OPTIONS`` answers them, any other method not among
them is 405, and both say so in ``Allow``.

Starlette matches routes one by one, so an address served by two routes (``GET`` and
``POST /api/v1/projects``) answered an unlisted method with the first route's methods only,
and ``OPTIONS`` with 405. ``AllowedMethods`` (a pure ASGI middleware) looks the address up in
every route of the app: ``OPTIONS`` on an address that exists is ``204 No Content`` with
``Allow``; another method it does not allow is 405 with the complete ``Allow`` (the API's
error shape under /api/, the error page elsewhere); an unknown address goes on to its 404.
There is no CORS: the API is meant for programs and the pages for the same origin.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from fairlabel.adapters.web.limits import refuse

Table = list[tuple[re.Pattern[str], frozenset[str]]]
Folders = dict[str, Table]


def route_table(routes: list[object]) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    """(path format, path pattern, methods) of every route, those of included routers too."""
    found = []
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for each in (contexts() if contexts is not None else [route]):
            pattern, methods = getattr(each, "path_regex", None), getattr(each, "methods", None)
            if pattern is not None and methods:
                found.append((getattr(each, "path_format", ""), pattern, frozenset(methods)))
    return found


def folder(path_format: str) -> str:
    """What every path a route matches begins with, up to a slash: its path's literal part
    before the first parameter, cut after its last slash (``/api/v1/projects/{id}/next`` ->
    ``/api/v1/projects/``; ``/login`` -> ``/``)."""
    literal = path_format.split("{", 1)[0]
    return literal[:literal.rfind("/") + 1]


def by_folder(routes: list[object]) -> Folders:
    """``route_table``'s patterns grouped by ``folder``: a path is matched only against the
    routes of the folders it lies in (a handful), not against every route of the app (about
    100, on every request)."""
    folders: Folders = {}
    for path_format, pattern, methods in route_table(routes):
        folders.setdefault(folder(path_format), []).append((pattern, methods))
    return folders


class AllowedMethods:
    def __init__(self, app: ASGIApp, *, routes: Callable[[], list[object]]) -> None:
        self.app = app
        self._routes = routes
        self._folders: Folders | None = None  # built at the first request: every route is in

    def allowed(self, path: str) -> frozenset[str]:
        """The methods of every route that matches ``path`` (with OPTIONS), or none."""
        if self._folders is None:
            self._folders = by_folder(self._routes())
        found: set[str] = set()
        slash = path.find("/")
        while slash >= 0:  # each folder the path lies in: "/", "/api/", "/api/v1/"...
            for pattern, methods in self._folders.get(path[:slash + 1], ()):
                if pattern.match(path):
                    found |= methods
            slash = path.find("/", slash + 1)
        return frozenset(found | {"OPTIONS"}) if found else frozenset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        allowed = self.allowed(scope["path"])
        if not allowed or (method in allowed and method != "OPTIONS"):
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(allowed))
        if method == "OPTIONS":
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        await refuse(scope, send, 405, "method_not_allowed",
                     f"{method} is not allowed here; allowed: {allow}", close=False,
                     headers={"Allow": allow})
