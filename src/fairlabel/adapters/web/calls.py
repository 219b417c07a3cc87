"""How an async route runs a (synchronous) use case.

On SQLite there is one writer for the whole database, and the labeling loop's use cases are
a millisecond of CPU each: running them on the event loop, one after the other, serves more
requests than handing each to a thread (the hand-off and the threads' fight for the GIL cost
more than the work) and keeps the order fair, so the tail latency drops too. On PostgreSQL,
where use cases wait on the network and on row locks, they run in threads so that one
request's wait does not hold up the others — but in a few threads (``FAIRLABEL_DB_THREADS``),
not one per request: a thread that holds a project's row lock then gets the interpreter back
quickly instead of queueing behind dozens of others, and more requests are served.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from fairlabel.adapters.container import Container

P = ParamSpec("P")
R = TypeVar("R")


class UseCaseRunner:
    """Runs the labeling loop's use cases for the async routes of one app."""

    def __init__(self, container: Container) -> None:
        self._inline = container.db.serial_writes
        self._threads = CapacityLimiter(container.settings.db_threads)

    async def __call__(self, use_case: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._inline:
            return use_case(*args, **kwargs)
        return await anyio.to_thread.run_sync(partial(use_case, *args, **kwargs),
                                              limiter=self._threads)
