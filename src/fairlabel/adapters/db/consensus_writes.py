"""The consensus refit's write of each changed task's consensus and confidence.

A refit of a large project writes up to a million tasks, in chunks of a few hundred per
transaction. Sent as one ``UPDATE`` per task, PostgreSQL's rows cost the refit most of its
time (the driver's work of a statement per row, even pipelined: 10 of 15 s for 200,000
tasks). So on PostgreSQL a chunk is one statement: its ids and confidences as two arrays,
its consensus values as one JSON array, each element's text stored as it was sent. On
SQLite, where a statement is a call into the library, the chunk is one ``executemany`` of
the driver's with the rows as plain tuples.

The consensus is serialised as SQLAlchemy serialises a JSON column (``json.dumps``; a
missing consensus is SQL ``NULL``, as ``JSON(none_as_null=True)`` stores it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import StatementError

from fairlabel.adapters.db.driver import reported
from fairlabel.adapters.db.pipeline import pipelined

_POSTGRES = text(
    "UPDATE tasks SET consensus = CASE WHEN json_typeof(c.doc) = 'null' THEN NULL "
    "ELSE c.doc END, confidence = v.confidence "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:confidence AS double precision[])) "
    "WITH ORDINALITY AS v(id, confidence, n) "
    "JOIN json_array_elements(CAST(:consensus AS json)) WITH ORDINALITY AS c(doc, n) "
    "USING (n) WHERE tasks.id = v.id")
# The chunk's rows locked first, in id order: two writers of the same tasks at once (a refit
# and an upkeep, or two servers' sweeps) then wait for each other in turn, where the update's
# own plan locked them in whatever order it met them and the two could deadlock.
_LOCK_IN_ORDER = text("SELECT id FROM tasks WHERE id = ANY(CAST(:ids AS bigint[])) "
                      "ORDER BY id FOR UPDATE")
_SQLITE = "UPDATE tasks SET consensus = ?, confidence = ? WHERE id = ?"


def _serialised(rows: Sequence[tuple[int, Any, float | None]], postgres: bool,
                statement: str) -> Any:
    """The consensus values as one JSON array (PostgreSQL) or one document each (SQLite);
    a value JSON cannot hold is refused as SQLAlchemy refuses it."""
    try:
        if postgres:
            return json.dumps([consensus for _, consensus, _ in rows])
        return [None if consensus is None else json.dumps(consensus)
                for _, consensus, _ in rows]
    except (TypeError, ValueError) as error:
        raise StatementError(str(error), statement, None, error) from error


def save_consensus(conn: Connection, rows: Sequence[tuple[int, Any, float | None]]) -> None:
    """Write each ``(task id, consensus, confidence)`` in the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        ids = [task for task, _, _ in rows]
        pipelined(conn, [(_LOCK_IN_ORDER, {"ids": ids}), (_POSTGRES, {
            "ids": ids, "consensus": _serialised(rows, True, str(_POSTGRES)),
            "confidence": [confidence for _, _, confidence in rows]})])
        return
    values = [(document, confidence, task) for document, (task, _, confidence)
              in zip(_serialised(rows, False, _SQLITE), rows, strict=True)]
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.executemany(_SQLITE, values)
    except Exception as error:
        raise reported(conn, driver, (_SQLITE, values[0]), error) from error
    finally:
        cursor.close()
