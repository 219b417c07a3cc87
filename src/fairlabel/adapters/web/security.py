"""Security headers on every response, and Secure session cookies over HTTPS.

- ``Content-Security-Policy``: scripts only from this site (the pages load ES modules from
  ``/static`` and have no inline script), styles from this site plus ``style`` attributes
  (the templates size progress bars with them; no ``<style>`` element is allowed), images
  also from any http(s) host (tasks may show a requester's images) and ``data:``; no
  plugins, no ``<base>``, forms post only here, and no other site may frame a page
  (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for older browsers). The API's
  Swagger page, ``/api/docs``, lives under the same policy: Swagger UI's files are served from
  an installed package and started by a script of ours (``web/api_docs.py``), with no inline
  script and nothing from another host.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (addresses of pages
  are not sent to the hosts of task images or links).
- A cookie set on a request that arrived over HTTPS is marked ``Secure``. The scheme is the
  one uvicorn reports: behind a proxy, ``X-Forwarded-Proto`` from an address in uvicorn's
  ``--forwarded-allow-ips`` (``FORWARDED_ALLOW_IPS``, by default 127.0.0.1).
  ``FAIRLABEL_SECURE_COOKIES`` marks them Secure always.

A route that sets one of these headers itself keeps its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_HOST = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")


def content_security_policy(image_hosts: Sequence[str] = ()) -> str:
    """The pages' policy. Images come from the platform itself, ``data:`` URLs, and over
    HTTPS from the hosts the operator allows (``FAIRLABEL_IMAGE_HOSTS``) — no others: a
    task's image from any other address is not loaded, so no task can make workers'
    browsers contact the internet at large."""
    hosts = []
    for host in image_hosts:
        name = host.strip().lower()
        if not _HOST.fullmatch(name):
            raise ValueError(f"FAIRLABEL_IMAGE_HOSTS: {host!r} is not a host name such as "
                             "images.example.org")
        hosts.append(f"https://{name}")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        " ".join(["img-src 'self' data:", *hosts]),
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _headers(policy: str) -> tuple[tuple[bytes, bytes], ...]:
    return ((b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"))


def secure_cookie(value: bytes) -> bytes:
    """A ``Set-Cookie`` value with the ``Secure`` attribute (added if missing)."""
    attributes = value.split(b";")[1:]
    if any(a.strip().lower() == b"secure" for a in attributes):
        return value
    return value + b"; secure"


class SecurityHeaders:
    """Adds the headers above to every HTTP response. Wrap the whole application with it (the
    server-error middleware included), so that error pages carry them too."""

    def __init__(self, app: ASGIApp, *, always_secure_cookies: bool = False,
                 image_hosts: Sequence[str] = ()) -> None:
        self.app = app
        self.always_secure_cookies = always_secure_cookies
        self.page_headers = _headers(content_security_policy(image_hosts))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self.page_headers
        secure = self.always_secure_cookies or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _ in raw}
                raw.extend(h for h in added if h[0] not in present)
                if secure and b"set-cookie" in present:
                    raw = [(n, secure_cookie(v) if n.lower() == b"set-cookie" else v)
                           for n, v in raw]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
