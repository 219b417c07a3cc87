"""``adapters/db/driver.py`` and ``consensus_writes.py``: the consensus refit's read of every
answer on the driver's own cursor, and its bulk write of every task's consensus, read and
write what the same statement run by SQLAlchemy does, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import StatementError

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.consensus_writes import save_consensus
from fairlabel.adapters.db.driver import stream
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.tables import tasks
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.integration.test_fair_pay import make_project

_set = (update(tasks).where(tasks.c.id == bindparam("task_id"))
        .values(consensus=bindparam("consensus"), confidence=bindparam("confidence")))
_ids = (select(tasks.c.id, tasks.c.max_answers)
        .where(tasks.c.project_id == bindparam("project_id")).order_by(tasks.c.id))
_stored = select(tasks.c.id, tasks.c.consensus, tasks.c.confidence).order_by(tasks.c.id)

VALUES: list[Any] = ["cat", 3, 2.5, {"x": [1, "é"]}, [0, 1], None]


def test_a_bulk_write_stores_what_sqlalchemy_stores(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=len(VALUES))
    with container.engine.begin() as conn:
        ids = [row.id for row in conn.execute(_ids, {"project_id": pid})]
        rows = [{"task_id": i, "consensus": v, "confidence": 0.5 + k / 100}
                for k, (i, v) in enumerate(zip(ids, VALUES, strict=True))]
        conn.execute(_set, rows)
        by_sqlalchemy = conn.execute(_stored).all()
        raw_by_sqlalchemy = conn.exec_driver_sql(
            "SELECT CAST(consensus AS TEXT) FROM tasks ORDER BY id").all()
        conn.execute(update(tasks).values(consensus=None, confidence=None))
        tally = QualityTotals(conn)
        save_consensus(conn, [(r["task_id"], r["consensus"], r["confidence"]) for r in rows],
                       tally)
        # Each task told the tally it had nothing; the last has a confidence, no consensus.
        counted = tally.of_project(pid)
        assert (counted.with_consensus, counted.confidences) == (len(VALUES) - 1, len(VALUES))
        assert counted.confidence_sum == pytest.approx(sum(r["confidence"] for r in rows))
        assert conn.execute(_stored).all() == by_sqlalchemy
        assert conn.exec_driver_sql(
            "SELECT CAST(consensus AS TEXT) FROM tasks ORDER BY id").all() == raw_by_sqlalchemy
    assert [r.consensus for r in by_sqlalchemy] == VALUES
    with container.engine.begin() as conn, pytest.raises(StatementError):
        save_consensus(conn, [(ids[0], {1j}, 1.0)], QualityTotals(conn))
    with container.engine.begin() as conn:  # nothing to write: no statement at all
        save_consensus(conn, [], QualityTotals(conn))
        assert conn.execute(_stored).all() == by_sqlalchemy


def test_a_stream_reads_every_row_once_in_order_in_lists_of_at_most_its_size(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=5)
    make_project(container, requester, tasks=3)  # another project's tasks are not read
    with container.engine.connect() as conn, conn.begin():
        expected = [tuple(row) for row in conn.execute(_ids, {"project_id": pid})]
        parts = list(stream(conn, _ids, {"project_id": pid}, size=2))
        assert [len(part) for part in parts] == [2, 2, 1]
        assert [tuple(row) for part in parts for row in part] == expected
        assert list(stream(conn, _ids, {"project_id": -1}, size=2)) == []
