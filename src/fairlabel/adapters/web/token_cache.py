"""A short-lived, per-process memory of checked API tokens.

Checking a bearer token is one indexed read, but on the labeling hot path that read was a
fifth of the server's work. A token stays valid in this cache for at most ``ttl`` seconds
after it was last read from the database, so a revocation takes effect within that time on
every server (at once on the server that revoked it: ``drop``), and never past a token's
expiry (``put(..., expires_at=...)``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime

from fairlabel.domain.accounts import User


class TokenCache:
    def __init__(self, *, ttl: float = 10.0, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._size, self._clock = ttl, size, clock
        self._entries: OrderedDict[str, tuple[float, User, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, now: datetime | None = None) -> User | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < self._clock() or (
                    found[2] is not None and now is not None and now >= found[2]):
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: str, user: User, *, expires_at: datetime | None = None) -> None:
        """Keep a checked token for the cache's TTL (never past the token's ``expires_at``:
        ``get`` compares it with the ``now`` it is given)."""
        with self._lock:
            self._entries[key] = (self._clock() + self._ttl, user, expires_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def drop(self, keys: Iterable[str]) -> None:
        """Forget tokens at once (they were revoked)."""
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)
