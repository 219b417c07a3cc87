"""How an async route runs a (synchronous) use case.

On SQLite there is one writer for the whole database, and the labeling loop's use cases are
a millisecond of CPU each: running them on the event loop, one after the other, serves more
requests than handing each to a thread (the hand-off and the threads' fight for the GIL cost
more than the work) and keeps the order fair, so the tail latency drops too. On PostgreSQL,
where use cases wait on the network and on row locks, they run in the thread pool so that
one request's wait does not hold up the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool

from fairlabel.adapters.db.engine import is_sqlite
from fairlabel.bootstrap import Container

P = ParamSpec("P")
R = TypeVar("R")


async def run_use_case(container: Container, use_case: Callable[P, R],
                       *args: P.args, **kwargs: P.kwargs) -> R:
    if is_sqlite(container.engine):
        return use_case(*args, **kwargs)
    return await run_in_threadpool(use_case, *args, **kwargs)
