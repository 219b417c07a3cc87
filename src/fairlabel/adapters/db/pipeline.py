"""Statements sent to PostgreSQL together, in one round trip (psycopg's pipeline mode).

PostgreSQL runs them one after another, each with a snapshot of its own taken when it starts,
exactly as if each had been sent after the previous one's answer; only the waits between them
go. That matters most where a transaction holds a lock: the time it holds it includes every
round trip and every turn of this process's threads for the interpreter lock between its
statements.

SQLAlchemy cannot run a statement in a pipeline (it reads each cursor's description right
after executing it), so the statements built with it are compiled once for the dialect and
sent through the driver's connection of the same transaction; listeners of
``before_cursor_execute`` still see each one, and driver errors are raised as SQLAlchemy's.
Rows come back as named tuples, timestamps as aware UTC datetimes (as ``UTCDateTime`` gives).
On a connection whose statements are awaited (``awaited.py``), the same is done with psycopg's
async connection, awaited from the greenlet the use case runs in.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.util import await_only

from fairlabel.adapters.db.driver import parameters, reported

if TYPE_CHECKING:  # loaded by SQLAlchemy on PostgreSQL only
    import psycopg

_row_types: dict[str, Any] = {}


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _rows(cursor: Any, text: str) -> list[Any]:
    """The cursor's rows as named tuples (the type made once per statement, from its
    first description: psycopg builds the description anew on each call)."""
    row_type = _row_type(cursor, text)
    if row_type is None:
        return []
    return [row_type(*map(_utc, row)) for row in cursor.fetchall()]


def _row_type(cursor: Any, text: str) -> Any:
    """The named tuple of the statement's rows (made once per statement), or None when it
    returned none."""
    row_type = _row_types.get(text)
    if row_type is None:
        if cursor.description is None:  # a statement that returns no rows
            return None
        names = tuple(column.name for column in cursor.description)
        row_type = _row_types[text] = namedtuple("Row", names)
    elif cursor.pgresult is None or not cursor.pgresult.nfields:
        return None
    return row_type


async def _awaited(driver: psycopg.AsyncConnection[Any], sent: Sequence[tuple[str, Any]],
                   cursors: list[psycopg.AsyncCursor[Any]]) -> list[list[Any]]:
    """``pipelined`` (or ``direct``, for one statement) on an async connection."""
    try:
        if len(sent) == 1:
            await cursors[0].execute(*sent[0])
        else:
            async with driver.pipeline():
                for cursor, (text, values) in zip(cursors, sent, strict=True):
                    await cursor.execute(text, values)
        results: list[list[Any]] = []
        for cursor, (text, _) in zip(cursors, sent, strict=True):
            row_type = _row_type(cursor, text)
            results.append([] if row_type is None else
                           [row_type(*map(_utc, row)) for row in await cursor.fetchall()])
        return results
    finally:
        for cursor in cursors:
            await cursor.close()


def _run_awaited(conn: Connection, driver: psycopg.AsyncConnection[Any],
                 sent: Sequence[tuple[str, Any]],
                 cursors: list[psycopg.AsyncCursor[Any]]) -> list[list[Any]]:
    try:
        return await_only(_awaited(driver, sent, cursors))
    except conn.dialect.loaded_dbapi.Error as error:
        raise reported(conn, driver, sent[0], error) from error


def _sent(conn: Connection, statement: ClauseElement, params: Mapping[str, Any],
          cursor: Any = None) -> tuple[str, dict[str, Any]]:
    """The statement's SQL and its parameters converted, as SQLAlchemy would send them.
    Listeners see a statement sent in a pipeline without a cursor (it shares a round trip),
    one sent alone with the driver's."""
    text, values = parameters(conn, statement, params)
    conn.dispatch.before_cursor_execute(conn, cursor, text, values, None, False)
    return text, values


def pipelined(conn: Connection,
              statements: Sequence[tuple[ClauseElement, Mapping[str, Any]]]) -> list[list[Any]]:
    """Run ``statements`` (each with its parameters) in one round trip on PostgreSQL, in
    the caller's transaction; the rows of each, in order."""
    driver = conn.connection.driver_connection
    assert driver is not None and conn.dialect.name == "postgresql"
    sent = [_sent(conn, statement, params) for statement, params in statements]
    if conn.dialect.is_async:
        return _run_awaited(conn, driver, sent, [driver.cursor() for _ in sent])
    try:
        with driver.pipeline():
            cursors = [driver.cursor() for _ in sent]
            for cursor, (text, values) in zip(cursors, sent, strict=True):
                cursor.execute(text, values)  # prepared as the connection prepares others
        results: list[list[Any]] = []
        for cursor, (text, _) in zip(cursors, sent, strict=True):
            with cursor:
                results.append(_rows(cursor, text))
        return results
    except conn.dialect.loaded_dbapi.Error as error:
        raise reported(conn, driver, sent[0], error) from error


def direct(conn: Connection, statement: ClauseElement,
           params: Mapping[str, Any]) -> list[Any]:
    """Run one statement on PostgreSQL's driver as ``pipelined`` runs each (compiled once,
    rows as named tuples), without a pipeline: for the labeling loop's statements that go
    alone, SQLAlchemy's work around each execution (its cache key, result and row objects)
    costs more than the driver's."""
    driver = conn.connection.driver_connection
    assert driver is not None and conn.dialect.name == "postgresql"
    if conn.dialect.is_async:  # listeners see the cursor, as for a statement sent alone
        cursor = driver.cursor()
        return _run_awaited(conn, driver, [_sent(conn, statement, params, cursor)],
                            [cursor])[0]
    with driver.cursor() as cursor:
        text, values = _sent(conn, statement, params, cursor)
        try:
            cursor.execute(text, values)
            return _rows(cursor, text)
        except conn.dialect.loaded_dbapi.Error as error:
            raise reported(conn, driver, (text, values), error) from error
