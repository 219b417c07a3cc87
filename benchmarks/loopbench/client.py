"""HTTP connections of the simulated workers: http.client (default) or httpx."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

from .common import HOST

RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
             http.client.CannotSendRequest)


class StdlibConn:
    """One persistent http.client connection (one per simulated worker)."""

    kind = "http.client"

    def __init__(self, port: int, headers: dict[str, str], timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        **headers}
        self.conn: http.client.HTTPConnection | None = None
        self.used = False
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        c = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        c.connect()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.used = False
        return c

    def connect(self) -> None:
        if self.conn is None:
            self.conn = self._connect()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = self._connect()
                self.reconnects += 1
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                r = self.conn.getresponse()
                data = r.read()
            except RETRYABLE:
                self.close()
                # Only the keep-alive race (server closed an idle connection) is retried.
                if attempt == 0 and reused:
                    continue
                raise
            except BaseException:
                self.close()
                raise
            self.used = True
            if r.will_close:
                self.close()
            return r.status, data
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class HttpxConn:
    """One httpx.Client limited to one connection (for the client-cost comparison)."""

    kind = "httpx"

    def __init__(self, port: int, headers: dict[str, str], timeout: float) -> None:
        import httpx

        self.client = httpx.Client(
            base_url=f"http://{HOST}:{port}", timeout=timeout,
            headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
        self.reconnects = 0

    def connect(self) -> None:
        pass

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        r = self.client.request(method, path, content=body)
        return r.status_code, r.content

    def close(self) -> None:
        self.client.close()


CLIENTS: dict[str, type] = {"http.client": StdlibConn, "httpx": HttpxConn}


def one_shot(port: int, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, timeout: float = 600.0) -> tuple[int, Any]:
    """A single request on its own connection; JSON-decodes the answer when it can."""
    c = StdlibConn(port, headers or {}, timeout)
    try:
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        st, data = c.request(method, path, raw)
    finally:
        c.close()
    try:
        return st, json.loads(data) if data else None
    except ValueError:
        return st, data.decode(errors="replace")
