"""The consensus refit's write of each changed task's consensus and confidence.

A refit of a large project writes up to a million tasks, in chunks of a few hundred per
transaction. Sent as one ``UPDATE`` per task, PostgreSQL's rows cost the refit most of its
time (the driver's work of a statement per row, even pipelined: 10 of 15 s for 200,000
tasks). So on PostgreSQL a chunk is one statement: its ids, confidences and consensus values
(each a JSON text, stored as it was sent) as three arrays. On
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

# One row of the chunk per element of three arrays zipped by one unnest, in task id order,
# each looked up by the primary key: the rows are locked in id order. Two writers of the same
# tasks at once (a refit and an upkeep, or two servers' sweeps) then wait for each other in
# turn. The chunk's consensus values were once joined to its ids by their ordinals, and the
# join's order, not the ids', was the order of the locks: two such writes deadlocked.
_POSTGRES = text(
    "UPDATE tasks SET consensus = CASE WHEN json_typeof(v.doc) = 'null' THEN NULL "
    "ELSE v.doc END, confidence = v.confidence "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:confidence AS double precision[]), "
    "CAST(:consensus AS json[])) AS v(id, confidence, doc) WHERE tasks.id = v.id")
_SQLITE = "UPDATE tasks SET consensus = ?, confidence = ? WHERE id = ?"


def _serialised(rows: Sequence[tuple[int, Any, float | None]], postgres: bool,
                statement: str) -> Any:
    """The consensus values as one JSON text each (PostgreSQL) or as SQLite stores them;
    a value JSON cannot hold is refused as SQLAlchemy refuses it."""
    try:
        if postgres:  # SQL NULL in the column, as JSON null in the array
            return [json.dumps(consensus) for _, consensus, _ in rows]
        return [None if consensus is None else json.dumps(consensus)
                for _, consensus, _ in rows]
    except (TypeError, ValueError) as error:
        raise StatementError(str(error), statement, None, error) from error


def save_consensus(conn: Connection, rows: Sequence[tuple[int, Any, float | None]]) -> None:
    """Write each ``(task id, consensus, confidence)`` in the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        rows = sorted(rows, key=lambda row: row[0])
        conn.execute(_POSTGRES, {
            "ids": [task for task, _, _ in rows],
            "consensus": _serialised(rows, True, str(_POSTGRES)),
            "confidence": [confidence for _, _, confidence in rows]})
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
