"""`fairlabel serve --workers N`: N server processes, each listening on a socket of its own.

uvicorn's process manager hands its processes one shared listening socket, and asyncio
accepts every connection waiting on it at each wake-up (up to the backlog): clients that
connect together — a proxy's pool, the labeling loop's workers — all land on the process
that woke first, and the others idle. With ``SO_REUSEPORT`` (Linux) each process binds the
port itself and the kernel spreads new connections across them. Where the option does not
exist, uvicorn's manager is used as before.

The manager starts the processes, restarts one that dies (after a pause, so that a process
failing at start-up does not spin), stops them all on SIGINT or SIGTERM (each finishes its
requests within the graceful timeout), and exits with an error when one cannot start.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.context import SpawnProcess
from types import FrameType

import uvicorn

START_SECONDS = 10.0  # a process that ends sooner than this after its start failed to start
RESTART_PAUSE_SECONDS = 1.0


def spread_by_kernel() -> bool:
    """Whether this system spreads a port's connections across the processes that bind it."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve_one(app: str, host: str, port: int, access_log: bool) -> None:
    """One server process (the target of each process the manager starts)."""
    config = uvicorn.Config(app, factory=True, host=host, port=port, access_log=access_log,
                            log_level="info", timeout_graceful_shutdown=5)
    try:
        sock = _listening_socket(host, port)
    except OSError as error:
        print(f"fairlabel serve: cannot listen on {host}:{port}: {error.strerror}",
              file=sys.stderr)
        sys.exit(3)
    # uvicorn handles SIGINT (Ctrl-C reaches the whole process group) and SIGTERM while it
    # serves, and raises the signal again once it has shut down, under the handler found
    # before. Ignored here, a SIGINT raised again ends nothing; left to Python's default,
    # asyncio turned it into a KeyboardInterrupt and its traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    uvicorn.Server(config).run(sockets=[sock])


class Processes:
    """N ``serve_one`` processes, kept running until a signal stops them."""

    def __init__(self, app: str, host: str, port: int, workers: int, access_log: bool) -> None:
        self._args = (app, host, port, access_log)
        self._count = workers
        self._context = multiprocessing.get_context("spawn")
        self._running: list[tuple[SpawnProcess, float]] = []
        self._stopping = False

    def _start(self) -> tuple[SpawnProcess, float]:
        process = self._context.Process(target=serve_one, args=self._args,
                                        name="fairlabel-serve")
        process.start()
        return process, time.monotonic()

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        """Serve until SIGINT or SIGTERM; the exit status."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        self._running = [self._start() for _ in range(self._count)]
        status = 0
        while not self._stopping:
            time.sleep(0.2)
            for index, (process, started) in enumerate(self._running):
                if process.is_alive() or self._stopping:
                    continue
                if time.monotonic() - started < START_SECONDS:
                    print(f"fairlabel serve: a server process exited at start-up "
                          f"(status {process.exitcode}); stopping", file=sys.stderr)
                    self._stopping, status = True, 1
                    break
                print(f"fairlabel serve: server process {process.pid} exited "
                      f"(status {process.exitcode}); starting another", file=sys.stderr)
                time.sleep(RESTART_PAUSE_SECONDS)
                self._running[index] = self._start()
        for process, _ in self._running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its requests, then exits
        for process, _ in self._running:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        return status
