"""The sign-in and sign-up limiter: token buckets (``domain/rate_limits.py``) kept in this
process's memory, keyed per account e-mail and per client address.

Each server process has its own buckets, so N app servers allow up to N times the limit
(``docs/security.md``). Full buckets are forgotten, and the table never holds more than
``size`` keys (the oldest go first), so a flood of addresses cannot grow it without bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime

from fairlabel.config import Settings
from fairlabel.domain.rate_limits import Bucket, Limit, is_full, take, wait_for


class AuthLimiter:
    def __init__(self, settings: Settings, clock: Callable[[], datetime],
                 *, size: int = 100_000) -> None:
        window = settings.auth_window_seconds
        self.limits = {
            "sign-in account": Limit(settings.sign_in_per_account, window),
            "sign-in address": Limit(settings.sign_in_per_address, window),
            "sign-up account": Limit(settings.sign_in_per_account, window),
            "sign-up address": Limit(settings.sign_up_per_address, settings.sign_up_window_seconds),
        }
        self._clock, self._size = clock, size
        self._buckets: OrderedDict[tuple[str, str], Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock().timestamp()

    def wait(self, keys: Sequence[tuple[str, str]]) -> int:
        """Seconds before an attempt under all these keys is allowed (0: now)."""
        now = self._now()
        with self._lock:
            return max((wait_for(self._buckets.get(key), self.limits[key[0]], now)
                        for key in keys), default=0)

    def spend(self, keys: Sequence[tuple[str, str]]) -> None:
        """Count one attempt under each key."""
        now = self._now()
        with self._lock:
            for key in keys:
                self._buckets[key] = take(self._buckets.get(key), self.limits[key[0]], now)
                self._buckets.move_to_end(key)
            if len(self._buckets) > self._size:
                for old in [k for k, b in self._buckets.items()
                            if is_full(b, self.limits[k[0]], now)]:
                    del self._buckets[old]
                while len(self._buckets) > self._size:
                    self._buckets.popitem(last=False)
