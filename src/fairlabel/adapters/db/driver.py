"""Statements built with SQLAlchemy, run on the driver's own cursor where SQLAlchemy's work
around each row or each execution costs more than the database's.

Each statement is compiled once per process for the dialect, with its parameters'
conversions (what the column types do on the way in: ``UTCDateTime`` refuses a naive
datetime, JSON is serialised as SQLAlchemy serialises it); it runs in the caller's
transaction, on the connection SQLAlchemy holds. Used by the labeling loop's statements on
PostgreSQL (``pipeline.py``) and by the consensus refit, which reads millions of answers (on
3,000,000 answers, SQLAlchemy's rows cost 4.5 s of CPU where the driver's tuples cost 1.8 s);
its write of a consensus per task is ``consensus_writes.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Compiled = tuple[str, Any, dict[str, Callable[[Any], Any]]]
_compiled: dict[tuple[ClauseElement, str], Compiled] = {}
_cursor_names = itertools.count()


def compiled_once(statement: ClauseElement, conn: Connection) -> Compiled:
    """The statement's SQL, its compiled form and its parameters' conversions. Statements
    are the adapters' module constants: each is compiled once per process."""
    key = (statement, conn.dialect.name)
    found = _compiled.get(key)
    if found is None:
        compiled = cast(SQLCompiler, statement.compile(dialect=conn.dialect))
        processors: dict[str, Callable[[Any], Any]] = {
            name: processor for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
            is not None}
        found = _compiled[key] = (compiled.string, compiled, processors)
    return found


def parameters(conn: Connection, statement: ClauseElement,
               params: Mapping[str, Any]) -> tuple[str, Any]:
    """The statement's SQL and its parameters converted as SQLAlchemy would send them: a
    mapping for PostgreSQL's driver, a tuple in order for SQLite's."""
    text, compiled, processors = compiled_once(statement, conn)
    values = compiled.construct_params(dict(params))
    for name, processor in processors.items():
        if name in values:
            try:
                values[name] = processor(values[name])
            except Exception as error:  # as SQLAlchemy reports a parameter it refuses
                raise StatementError(str(error), text, values, error) from error
    if compiled.positiontup is not None:
        return text, tuple(values[name] for name in compiled.positiontup)
    return text, values


def reported(conn: Connection, driver: Any, sent: tuple[str, Any],
             error: Exception) -> StatementError:
    """The driver's error as SQLAlchemy raises it (a ``DBAPIError`` of the matching kind,
    anything else as a ``StatementError``); a connection that died with it is invalidated,
    as SQLAlchemy does, so that the pool does not hand it out again."""
    invalidated = bool(getattr(driver, "closed", False) or getattr(driver, "broken", False))
    if invalidated:
        conn.invalidate(error)
    return DBAPIError.instance(sent[0], sent[1], error, conn.dialect.loaded_dbapi.Error,
                               connection_invalidated=invalidated)


def stream(conn: Connection, statement: ClauseElement, params: Mapping[str, Any], *,
           size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The statement's rows in lists of at most ``size``, as the driver's tuples (values as
    the driver gives them: for ids, numbers and text), read as they are consumed: a
    server-side cursor on PostgreSQL, SQLite's own stepping on SQLite."""
    text, values = parameters(conn, statement, params)
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"fairlabel_stream_{next(_cursor_names)}")
    else:
        cursor = driver.cursor()
    try:
        try:
            cursor.execute(text, values)
            rows = cursor.fetchmany(size)
        except Exception as error:
            raise reported(conn, driver, (text, values), error) from error
        while rows:
            yield rows
            rows = cursor.fetchmany(size)
    finally:
        cursor.close()
