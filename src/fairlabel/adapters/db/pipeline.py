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
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_Compiled = tuple[str, Any, dict[str, Callable[[Any], Any]]]
_compiled: dict[tuple[ClauseElement, str], _Compiled] = {}
_row_types: dict[tuple[str, ...], Any] = {}


def _compile(statement: ClauseElement, conn: Connection) -> _Compiled:
    """The statement's SQL, its compiled form and its parameters' conversions (what
    SQLAlchemy's column types do on the way in: ``UTCDateTime`` refuses a naive datetime).
    Statements are the adapters' module constants: each is compiled once per process."""
    key = (statement, conn.dialect.name)
    found = _compiled.get(key)
    if found is None:
        compiled = cast(SQLCompiler, statement.compile(dialect=conn.dialect))
        processors: dict[str, Callable[[Any], Any]] = {
            name: processor for name, bind in compiled.binds.items()
            if (processor := bind.type.bind_processor(conn.dialect)) is not None}
        found = _compiled[key] = (compiled.string, compiled, processors)
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
        text, compiled, processors = _compile(statement, conn)
        values = compiled.construct_params(dict(params))
        for name, processor in processors.items():
            if name in values:
                try:
                    values[name] = processor(values[name])
                except Exception as error:  # as SQLAlchemy reports a parameter it refuses
                    raise StatementError(str(error), text, values, error) from error
        conn.dispatch.before_cursor_execute(conn, None, text, values, None, False)
        sent.append((text, values))
    try:
        with driver.pipeline():
            cursors = [driver.cursor() for _ in sent]
            for cursor, (text, values) in zip(cursors, sent, strict=True):
                cursor.execute(text, values)  # prepared as the connection prepares others
        results: list[list[Any]] = []
        for cursor in cursors:
            with cursor:
                if cursor.description is None:  # a statement that returns no rows
                    results.append([])
                    continue
                names = tuple(column.name for column in cursor.description)
                row_type = _row_types.get(names)
                if row_type is None:
                    row_type = _row_types[names] = namedtuple("Row", names)
                results.append([row_type(*map(_utc, row)) for row in cursor.fetchall()])
        return results
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sent[0][0], sent[0][1], error,
                                  conn.dialect.loaded_dbapi.Error) from error
