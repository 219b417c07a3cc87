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
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

_compiled: dict[tuple[int, str], tuple[str, Any]] = {}
_row_types: dict[tuple[str, ...], Any] = {}


def _compile(statement: ClauseElement, conn: Connection) -> tuple[str, Any]:
    key = (id(statement), conn.dialect.name)
    found = _compiled.get(key)
    if found is None:  # statements are module constants: compiled once per process
        compiled = statement.compile(dialect=conn.dialect)
        found = _compiled[key] = (compiled.string, compiled)
    return found


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def pipelined(conn: Connection,
              statements: Sequence[tuple[ClauseElement, Mapping[str, Any]]]) -> list[list[Any]]:
    """Run ``statements`` (each with its parameters) in one round trip on PostgreSQL, in
    the caller's transaction; the rows of each, in order."""
    driver = conn.connection.driver_connection
    assert driver is not None and conn.dialect.name == "postgresql"
    sent = []
    for statement, params in statements:
        text, compiled = _compile(statement, conn)
        values = compiled.construct_params(dict(params))
        conn.dispatch.before_cursor_execute(conn, None, text, values, None, False)
        sent.append((text, values))
    try:
        with driver.pipeline():
            cursors = [driver.cursor() for _ in sent]
            for cursor, (text, values) in zip(cursors, sent, strict=True):
                cursor.execute(text, values, prepare=True)
        results = []
        for cursor in cursors:
            names = tuple(column.name for column in cursor.description or ())
            row_type = _row_types.get(names)
            if row_type is None:
                row_type = _row_types[names] = namedtuple("Row", names)
            results.append([row_type(*map(_utc, row)) for row in cursor.fetchall()])
            cursor.close()
        return results
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sent[0][0], sent[0][1], error,
                                  conn.dialect.loaded_dbapi.Error) from error
