"""`fairlabel serve --workers N` on Linux: each process listens on a socket of its own
(``SO_REUSEPORT``), so that the kernel spreads connections across them. With one shared
socket, asyncio's accept takes every connection waiting at each wake-up: 32 clients that
connected together all landed on one of two processes, and the other stayed idle
(benchmarks/loop.py --workers 2: one process at 55 % of a core, the other at none)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from fairlabel.adapters.cli.processes import START_SECONDS, spread_by_kernel
from tests.support.server import free_port, running_server

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not spread_by_kernel(), reason="SO_REUSEPORT is Linux's"),
              pytest.mark.skipif(shutil.which("ss") is None, reason="needs iproute2's ss")]


def _socket_owners(port: int, state: str) -> Counter[str]:
    """Process id -> sockets of the port in ``state`` (``ss`` from iproute2)."""
    out = subprocess.run(["ss", "-tnpH", "state", state, "sport", f"= :{port}"],
                         capture_output=True, text=True, check=True).stdout
    return Counter(line.split("pid=")[1].split(",")[0] for line in out.splitlines()
                   if "pid=" in line)


def test_each_process_listens_on_its_own_socket_and_gets_connections(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with running_server(url, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        listeners = _two_listeners(port)  # the first process to start answered already
        assert len(listeners) == 2 and set(listeners.values()) == {1}, listeners
        clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                   for _ in range(32)]

        def health(client: http.client.HTTPConnection) -> None:
            client.request("GET", "/api/v1/health")
            client.getresponse().read()

        threads = [threading.Thread(target=health, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        spread = _socket_owners(port, "established")
        assert set(spread) == set(listeners) and sum(spread.values()) == 32, spread
        for client in clients:
            client.close()
        children = list(listeners)
    # SIGTERM (running_server's stop) ended every process, not only the manager.
    time.sleep(0.5)
    assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]


def _two_listeners(port: int) -> Counter[str]:
    deadline = time.monotonic() + 30
    while len(listeners := _socket_owners(port, "listening")) < 2:
        assert time.monotonic() < deadline, listeners
        time.sleep(0.1)
    return listeners


def test_a_process_that_dies_is_replaced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with running_server(url, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        first = set(_two_listeners(port))
        # Past the start-up window: a death now is a crash, not a failure to start.
        time.sleep(START_SECONDS + 0.5)
        victim = sorted(first)[0]
        os.kill(int(victim), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            now = set(_socket_owners(port, "listening"))
            if len(now) == 2 and victim not in now:
                break
            assert time.monotonic() < deadline, now
            time.sleep(0.1)
        assert server.process.poll() is None  # the command itself kept running
        for _ in range(8):  # new connections, whichever process they reach, are served
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            client.request("GET", "/api/v1/health")
            assert client.getresponse().status == 200
            client.close()


def test_a_process_that_cannot_listen_stops_the_command(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:  # a socket without SO_REUSEPORT holds the port
        taken.bind(("127.0.0.1", port))
        taken.listen()
        env = {**os.environ, "FAIRLABEL_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
        done = subprocess.run(
            [sys.executable, "-m", "fairlabel", "serve", "--port", str(port), "--workers", "2"],
            capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "exited at start-up" in done.stderr  # and it stopped the other process itself



def test_a_server_process_stopped_by_sigint_exits_quietly(tmp_path: Path) -> None:
    """SIGINT reaches the server processes themselves when Ctrl-C is pressed in a terminal
    (the whole process group). A process that got it printed a KeyboardInterrupt traceback
    when it exited: uvicorn raises the signal again after its graceful shutdown, and asyncio's
    own SIGINT handler turned that into KeyboardInterrupt. It now exits without one."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with running_server(url, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        victim = int(sorted(_two_listeners(port))[0])
        os.kill(victim, signal.SIGINT)
        deadline = time.monotonic() + 30
        while os.path.exists(f"/proc/{victim}") and _state(victim) != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        text = server.log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_ctrl_c_stops_every_process_quietly(tmp_path: Path) -> None:
    """Ctrl-C in a terminal: SIGINT to the manager and to each server process. Each finishes,
    none prints a traceback, and the command exits 0."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "FAIRLABEL_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fairlabel", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "2"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            children = set(_two_listeners(port))
            os.killpg(process.pid, signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]
