"""Copying SQLite's write-ahead log into the database file, in a thread of its own.

By default SQLite does it inside the commit that takes the log past 1,000 pages: in a server
that runs the labeling loop's writes on its event loop, every request in flight waits for
that copy and its fsyncs, a few times a second. A ``WalCheckpointer`` does it instead every
``interval`` seconds on a connection of its own; SQLite releases the interpreter lock while
it copies, so the copy runs on another core beside the requests. A PASSIVE checkpoint never
waits for readers or writers: what it cannot copy now, it copies next time.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger("fairlabel.db")


class WalCheckpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds until closed."""

    def __init__(self, engine: Engine, interval: float) -> None:
        if interval <= 0:
            raise ValueError("the checkpoint interval must be positive")
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # The connection is autocommit at the driver (see engine.py): the pragma runs outside
        # any transaction. After a failure it is dropped and a new one taken next time, so
        # that a lost connection never stops the copying (the log would grow without end).
        conn: Any = None
        while not self._stop.wait(self._interval):
            try:
                if conn is None:
                    conn = self._engine.raw_connection()
                cursor = conn.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.fetchall()
                cursor.close()
            except Exception:  # keep going after a transient error, but say so
                log.exception("checkpointing the write-ahead log failed; retrying in %s s",
                              self._interval)
                _drop(conn)
                conn = None
        _drop(conn)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop the thread (and give its connection back) before the engine goes."""
        self._stop.set()
        self._thread.join(timeout=10)


def _drop(conn: Any) -> None:
    if conn is not None:
        with suppress(Exception):  # a broken connection may fail to close, too
            conn.close()
