"""Rate limits as token buckets: pure arithmetic, the time is a parameter.

A bucket holds up to ``capacity`` attempts and refills ``capacity`` of them every
``window`` seconds, evenly. An attempt takes one; when none is left the caller is told how
long until one is back (the ``Retry-After``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    capacity: int
    window: float  # seconds to refill from empty to full

    @property
    def per_second(self) -> float:
        return self.capacity / self.window


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: float  # seconds, on any monotonic scale


def refill(bucket: Bucket | None, limit: Limit, now: float) -> Bucket:
    if bucket is None:
        return Bucket(float(limit.capacity), now)
    gained = max(0.0, now - bucket.at) * limit.per_second
    return Bucket(min(float(limit.capacity), bucket.tokens + gained), now)


def wait_for(bucket: Bucket | None, limit: Limit, now: float) -> int:
    """Whole seconds until an attempt is allowed (0: now)."""
    current = refill(bucket, limit, now)
    if current.tokens >= 1:
        return 0
    return max(1, math.ceil((1 - current.tokens) / limit.per_second))


def take(bucket: Bucket | None, limit: Limit, now: float) -> Bucket:
    """The bucket after one attempt (it never goes below empty)."""
    current = refill(bucket, limit, now)
    return Bucket(max(0.0, current.tokens - 1), now)


def is_full(bucket: Bucket, limit: Limit, now: float) -> bool:
    """A full bucket says nothing and can be forgotten."""
    return refill(bucket, limit, now).tokens >= limit.capacity
