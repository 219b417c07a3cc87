"""A real `fairlabel serve` process for end-to-end, concurrency and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_server(database_url: str, log_dir: Path, *, workers: int = 1,
                   env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    environment = {**os.environ, "FAIRLABEL_DATABASE_URL": database_url, **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fairlabel", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            stdout=out, stderr=subprocess.STDOUT, env=environment,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text()}")
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()}")
                time.sleep(0.1)
            yield RunningServer(url, process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
