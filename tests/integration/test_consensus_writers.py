"""A large refit writes its chunks of consensus rows in several transactions at once
(``FAIRLABEL_REFIT_WRITERS``, PostgreSQL): it must write exactly what one writer writes, on
SQLite (where they queue for the one writer) and PostgreSQL, and after a failed chunk begin no
other and raise the failure, the project left stale for the next upkeep."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta

import pytest

from fairlabel.adapters.compute import DatabaseAddress, ProcessRefit
from fairlabel.adapters.container import Container
from fairlabel.adapters.db.unit_of_work import SqlDatabase, SqlTransaction
from fairlabel.bootstrap import consensus_refit
from fairlabel.config import Settings
from fairlabel.services import quality
from tests.conftest import Accounts
from tests.integration.test_consensus_columns import expected_refit
from tests.integration.test_consensus_process import assert_written, project

CASE = 0  # single choice, Dawid-Skene, a confidence target: rows written, tasks settled


class Watched:
    """The container's database, watching the refit's write transactions: the first
    ``meet`` of them wait for each other at a barrier before they begin (a refit that wrote
    one chunk after another would never bring two there, and the barrier's timeout would
    fail it); ``fail_at`` (counted from 0) fails before it begins, as a lost connection
    would."""

    def __init__(self, db: SqlDatabase, *, meet: int = 0, fail_at: int | None = None) -> None:
        self._db = db
        self._barrier = threading.Barrier(meet, timeout=20) if meet > 1 else None
        self._meet = meet
        self._fail_at = fail_at
        self._lock = threading.Lock()
        self.begun: list[tuple[int, float, str]] = []  # (order, time, thread)
        self.failed_at: float | None = None

    def read(self) -> AbstractContextManager[SqlTransaction]:
        return self._db.read()

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        with self._lock:
            order = len(self.begun)
            self.begun.append((order, time.monotonic(), threading.current_thread().name))
        if self._barrier is not None and order < self._meet:
            self._barrier.wait()
        if order == self._fail_at:  # at once, not behind the other writers (SQLite's queue)
            self.failed_at = time.monotonic()
            raise RuntimeError("the connection was lost")
        with self._db.write() as tx:
            yield tx


def test_three_writers_write_at_once_what_one_writes(
        container: Container, people: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quality, "WRITE_CHUNK", 1)
    pid = project(container, people, CASE)
    want = expected_refit(container, pid, CASE)
    assert len(want["changed"]) > 3  # more chunks than writers
    watched = Watched(container.db, meet=3)

    refit = quality.refit_consensus(watched, pid, now=container.clock() + timedelta(minutes=1),
                                    seed=CASE, writers=3)

    assert refit == quality.Refit(pid, len(want["rows"]), len(want["settle"]),
                                  len(want["unsettle"]), len(want["changed"]))
    chunks = len(want["changed"])
    assert len(watched.begun) == chunks + 1  # the chunks, then the record of the refit
    assert len({thread for _, _, thread in watched.begun[:chunks]}) == 3
    assert_written(container, pid, want)


def test_after_a_failed_chunk_no_other_begins_and_the_failure_is_raised(
        container: Container, people: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quality, "WRITE_CHUNK", 1)
    pid = project(container, people, CASE)
    chunks = len(expected_refit(container, pid, CASE)["changed"])
    watched = Watched(container.db, fail_at=1)

    with pytest.raises(RuntimeError, match="the connection was lost"):
        quality.refit_consensus(watched, pid, now=container.clock() + timedelta(minutes=1),
                                seed=CASE, writers=2)

    assert watched.failed_at is not None
    after = [order for order, at, _ in watched.begun if at > watched.failed_at]
    assert len(after) <= 1, after  # at most the other writer's chunk, begun as it failed
    assert len(watched.begun) <= 3 < chunks
    with container.db.read() as tx:
        assert tx.consensus.stale_projects(pid) == [pid]  # nothing recorded: refit again


def test_the_worker_process_writes_on_several_connections_what_one_writes(
        container: Container, people: Accounts) -> None:
    pid = project(container, people, CASE)
    want = expected_refit(container, pid, CASE)
    runner = ProcessRefit(DatabaseAddress(container.settings.database_url, writers=3),
                          from_answers=0)
    try:
        [refit] = quality.refresh_consensus(container.db, project_id=pid, seed=CASE,
                                            now=container.clock() + timedelta(minutes=1),
                                            refit=runner)
        assert runner._pool is not None  # it did go to the worker
    finally:
        runner.close()
    assert refit.written == len(want["changed"])
    assert_written(container, pid, want)


def test_the_server_gives_its_worker_the_writers_of_its_settings(container: Container) -> None:
    settings = Settings(database_url=container.settings.database_url, refit_writers=5)
    runner = consensus_refit(settings, container.engine, sqlite_autocheckpoint=True)
    assert isinstance(runner, ProcessRefit)
    assert runner.database.writers == 5
    assert Settings(database_url=container.settings.database_url).refit_writers == 2
