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

What the chunk changes in its projects' quality tallies (``quality_totals.py``) is summed by
the database, not row by row here: on PostgreSQL in the same statement, from the values of the
rows it locks and writes; on SQLite by a read just before the write (in the same write
transaction) and, unless the chunk is all of one project's ordinary tasks, one after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import StatementError

from fairlabel.adapters.db.driver import reported
from fairlabel.adapters.db.quality_totals import QualityTotals, Tally

# One row of the chunk per element of three arrays zipped by one unnest, in task id order,
# each looked up by the primary key: the rows are locked in id order. Two writers of the same
# tasks at once (a refit and an upkeep, or two servers' sweeps) then wait for each other in
# turn. The chunk's consensus values were once joined to its ids by their ordinals, and the
# join's order, not the ids', was the order of the locks: two such writes deadlocked.
# The rows are locked, in id order, by the SELECT that reads what they held, before the UPDATE
# (which finds them locked by its own transaction, in the mode it takes itself: FOR NO KEY
# UPDATE, not a stronger one it would have to keep beside its own); the statement returns,
# per project, what the chunk changed in its quality tally (ordinary tasks only): tasks with a
# consensus, with a confidence, and the sum of confidences.
_POSTGRES = text(
    "WITH v AS (SELECT * FROM unnest(CAST(:ids AS bigint[]), "
    "CAST(:confidence AS double precision[]), CAST(:consensus AS json[])) "
    "AS v(id, confidence, doc)), "
    "prior AS (SELECT t.id, t.project_id, t.is_gold, t.consensus IS NOT NULL AS had, "
    "t.confidence AS was FROM tasks AS t JOIN v ON t.id = v.id "
    "ORDER BY t.id FOR NO KEY UPDATE OF t), "
    "written AS (UPDATE tasks SET consensus = CASE WHEN json_typeof(v.doc) = 'null' THEN NULL "
    "ELSE v.doc END, confidence = v.confidence FROM v JOIN prior ON prior.id = v.id "
    "WHERE tasks.id = v.id "
    "RETURNING prior.project_id, prior.is_gold, prior.had, prior.was, "
    "tasks.consensus IS NOT NULL AS has, tasks.confidence AS now) "
    "SELECT project_id, sum(has::int - had::int), count(now) - count(was), "
    "coalesce(sum(now), 0) - coalesce(sum(was), 0) FROM written WHERE NOT is_gold "
    "GROUP BY project_id ORDER BY project_id")
_SQLITE = "UPDATE tasks SET consensus = ?, confidence = ? WHERE id = ?"
# What the chunk's ordinary tasks hold, per project: read before the write and, unless the
# chunk is all of one project's ordinary tasks (a refit's), after it.
_SQLITE_SUMS = ("SELECT project_id, count(*), count(consensus), count(confidence), "
                "total(confidence) FROM tasks WHERE is_gold = 0 AND id IN ({}) "
                "GROUP BY project_id")
_SQLITE_VARIABLES = 900  # ids per read


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


def save_consensus(conn: Connection, rows: Sequence[tuple[int, Any, float | None]],
                   quality: QualityTotals) -> None:
    """Write each ``(task id, consensus, confidence)`` in the caller's transaction, and what
    that changes in ``quality``."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        rows = sorted(rows, key=lambda row: row[0])
        changed = conn.execute(_POSTGRES, {
            "ids": [task for task, _, _ in rows],
            "consensus": _serialised(rows, True, str(_POSTGRES)),
            "confidence": [confidence for _, _, confidence in rows]}).all()
        for project_id, consensus, confidences, total in changed:
            quality.add(project_id, Tally(with_consensus=int(consensus),
                                          confidences=int(confidences),
                                          confidence_sum=float(total)))
        return
    values = [(document, confidence, task) for document, (task, _, confidence)
              in zip(_serialised(rows, False, _SQLITE), rows, strict=True)]
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    ids = [task for task, _, _ in rows]
    try:
        before = _sums(cursor, ids)
        cursor.executemany(_SQLITE, values)
        only = next(iter(before)) if len(before) == 1 else None
        if only is not None and before[only][0] == len(rows):
            # Every row an ordinary task of one project, none twice: what they hold now is
            # what was written.
            after = {only: (len(rows), sum(1 for _, c, _ in rows if c is not None),
                            sum(1 for _, _, f in rows if f is not None),
                            float(sum(f for _, _, f in rows if f is not None)))}
        else:
            after = _sums(cursor, ids)
    except Exception as error:
        raise reported(conn, driver, (_SQLITE, values[0]), error) from error
    finally:
        cursor.close()
    for project_id in sorted(before.keys() | after.keys()):
        _, had, was, was_sum = before.get(project_id, (0, 0, 0, 0.0))
        _, has, now, now_sum = after.get(project_id, (0, 0, 0, 0.0))
        quality.add(project_id, Tally(with_consensus=has - had, confidences=now - was,
                                      confidence_sum=now_sum - was_sum))


def _sums(cursor: Any, ids: Sequence[int]) -> dict[int, tuple[int, int, int, float]]:
    """``_SQLITE_SUMS`` over the tasks ``ids``, per project."""
    found: dict[int, tuple[int, int, int, float]] = {}
    for start in range(0, len(ids), _SQLITE_VARIABLES):
        some = ids[start:start + _SQLITE_VARIABLES]
        for project_id, *sums in cursor.execute(
                _SQLITE_SUMS.format(",".join("?" * len(some))), some):
            was = found.get(project_id, (0, 0, 0, 0.0))
            found[project_id] = (was[0] + sums[0], was[1] + sums[1], was[2] + sums[2],
                                 was[3] + sums[3])
    return found
