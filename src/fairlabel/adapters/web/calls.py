"""How an async route runs a (synchronous) use case of the labeling loop.

On SQLite there is one writer for the whole database, and the labeling loop's use cases are
a millisecond of CPU each: running them on the event loop, one after the other, serves more
requests than handing each to a thread (the hand-off and the threads' fight for the GIL cost
more than the work) and keeps the order fair, so the tail latency drops too.

On PostgreSQL a use case spends most of its time waiting for the database, and one request's
wait must not hold up the others. Handed to threads, as they were, the use cases fought the
event loop's thread for the interpreter lock after each of their round trips. Instead they run
on the event loop too, each in a greenlet, on a database whose statements are awaited
(``db/awaited.py``): while one waits, the loop serves other requests and other use cases go
on, with no thread and no fight for the lock. At most ``FAIRLABEL_LOOP_CONCURRENCY`` run at
once; the others wait their turn. A use case, once started, runs to its end even if its
request is cancelled, as a thread's did: a transaction is never cut off half-way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from fairlabel.adapters.container import Container
from fairlabel.services.ports.transaction import Database

P = ParamSpec("P")
R = TypeVar("R")


class Awaited(Protocol):
    """What the runner asks of the container's awaited database (``db/awaited.py``)."""

    async def run(self, use_case: Callable[Concatenate[Database[Any], P], R], *args: P.args,
                  **kwargs: P.kwargs) -> R: ...
    async def aclose(self) -> None: ...


class UseCaseRunner:
    """Runs the labeling loop's use cases for the async routes of one app, each given the
    database first (``run(use_case, *args)`` calls ``use_case(db, *args)``)."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._on_loop: tuple[asyncio.AbstractEventLoop, Awaited] | None = None

    async def __call__(self, use_case: Callable[Concatenate[Database[Any], P], R],
                       *args: P.args, **kwargs: P.kwargs) -> R:
        make = self._container.awaited_database
        if make is None:  # SQLite
            return use_case(self._container.db, *args, **kwargs)
        return await self._current(make).run(use_case, *args, **kwargs)

    def _current(self, make: Callable[[], Awaited]) -> Awaited:
        """This event loop's database (a server has one loop; a test client may start
        several, one after the other)."""
        loop = asyncio.get_running_loop()
        if self._on_loop is None or self._on_loop[0] is not loop:
            self._on_loop = (loop, make())
        return self._on_loop[1]

    async def aclose(self) -> None:
        """Close the connections of this event loop's database (at the app's shutdown)."""
        on_loop, self._on_loop = self._on_loop, None
        if on_loop is not None and on_loop[0] is asyncio.get_running_loop():
            await on_loop[1].aclose()
