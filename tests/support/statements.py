"""The SQL a test's code sends: for tests of what a use case reads, not only what it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from fairlabel.adapters.container import Container


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """Every statement sent on the container's engine inside the block, in order."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(container.engine, "before_cursor_execute", record)
