"""Transactions and how the web layer runs use cases, on a real database (SQLite and
PostgreSQL): a failed write leaves nothing behind and the next write works; writers from
many threads all land; closing gives every connection back; on PostgreSQL no more than
``FAIRLABEL_LOOP_CONCURRENCY`` use cases run at once, their statements awaited on the event
loop (on SQLite they run there one after the other), and one runs to its end when its request
is cancelled; a server on SQLite copies the write-ahead log into the database file in a thread
of its own."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import anyio
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.checkpoints import WalCheckpointer
from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.tables import inbox_messages
from fairlabel.adapters.db.unit_of_work import SqlDatabase
from fairlabel.adapters.web.calls import UseCaseRunner
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.messages import Msg
from tests.conftest import Accounts
from tests.support.databases import sqlite_copy


class Boom(Exception):
    pass


def inbox_count(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inbox_messages)).scalar_one())


def note(container: Container, worker_id: int, text: str) -> None:
    with container.db.write() as tx:
        tx.inbox.add(user_ids=[worker_id], project_id=None, subject=Msg.text(text),
                     body=Msg.text(text), now=container.clock())
        tx.commit()


def test_a_failed_write_leaves_nothing_and_the_next_write_works(
        container: Container, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    with pytest.raises(Boom), container.db.write() as tx:
        tx.inbox.add(user_ids=[worker.id], project_id=None, subject=Msg.text("half"),
                     body=Msg.text("half"), now=container.clock())
        raise Boom
    assert inbox_count(container) == 0
    with pytest.raises(Boom), container.db.write() as tx:
        tx.inbox.add(user_ids=[worker.id], project_id=None, subject=Msg.text("never committed"),
                     body=Msg.text("-"), now=container.clock())
        # leaving without commit() rolls back, whatever the reason
        raise Boom
    note(container, worker.id, "kept")
    assert inbox_count(container) == 1


def test_writers_from_many_threads_all_land(container: Container, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write_some(i: int) -> None:
        barrier.wait()
        try:
            for j in range(10):
                note(container, worker.id, f"{i}-{j}")
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=write_some, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert inbox_count(container) == 80


def test_closing_gives_every_connection_back(container: Container, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    note(container, worker.id, "before")
    container.db.close()
    assert container.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    note(container, worker.id, "after")  # a later write opens what it needs again
    assert inbox_count(container) == 2


def test_use_cases_run_on_the_event_loop_and_on_postgres_a_few_at_once(
        container: Container) -> None:
    two_at_once = bootstrap(container.settings.model_copy(update={"loop_concurrency": 2}))
    runner = UseCaseRunner(two_at_once)
    postgres = container.engine.dialect.name == "postgresql"
    lock = threading.Lock()
    active = peak = 0
    threads: set[int] = set()
    drivers: set[str] = set()

    def use_case(db: SqlDatabase, i: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            threads.add(threading.get_ident())
        with db.engine.connect() as conn:  # on PostgreSQL, the others go on meanwhile
            conn.execute(text("SELECT pg_sleep(0.05)" if postgres else "SELECT 1"))
            drivers.add(type(conn.connection.driver_connection).__name__)
        with lock:
            active -= 1
        return i * i

    results: list[int] = []

    async def main() -> int:
        async def one(i: int) -> None:
            results.append(await runner(use_case, i))

        async with anyio.create_task_group() as group:
            for i in range(6):
                group.start_soon(one, i)
        await runner.aclose()
        return threading.get_ident()

    try:
        loop_thread = anyio.run(main)
    finally:
        two_at_once.close()
    assert sorted(results) == [i * i for i in range(6)]
    assert threads == {loop_thread}
    if postgres:  # statements awaited through psycopg's async connection
        assert peak == 2 and drivers == {"AsyncConnection"}
    else:
        assert peak == 1 and drivers == {"Connection"}


def test_a_use_case_runs_to_its_end_when_its_request_is_cancelled(
        container: Container, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    runner = UseCaseRunner(container)
    postgres = container.engine.dialect.name == "postgresql"

    def use_case(db: SqlDatabase) -> None:
        with db.write() as tx:
            tx.inbox.add(user_ids=[worker.id], project_id=None, subject=Msg.text("kept"),
                         body=Msg.text("kept"), now=container.clock())
            if postgres:  # cancelled while a statement is awaited, before the commit
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT pg_sleep(0.2)"))
            tx.commit()

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(runner, use_case)
            await anyio.sleep(0.05)
            group.cancel_scope.cancel()
        await runner.aclose()

    anyio.run(main)
    assert inbox_count(container) == 1


def _count_in_main_file(path: Path, tmp_path: Path, table: str) -> int:
    """Rows of a table in the database file alone, without its write-ahead log."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(path, alone)
    try:
        with closing(sqlite3.connect(alone)) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.DatabaseError:  # copied in the middle of a checkpoint, or not there yet
        return -1


def _rows_in_main_file(path: Path, tmp_path: Path) -> int:
    return _count_in_main_file(path, tmp_path, "inbox_messages")


def test_a_server_on_sqlite_copies_the_log_into_the_database_in_a_thread_of_its_own(
        sqlite_template: Path, tmp_path: Path) -> None:
    url = sqlite_copy(sqlite_template, tmp_path)
    path = Path(make_url(url).database or "")
    settings = Settings(database_url=url, sweep_seconds=0, consensus_process=False,
                        sqlite_checkpoint_seconds=0.05)
    server = bootstrap(settings, serving=True)
    command = bootstrap(settings)  # a CLI command keeps SQLite's own checkpoints
    try:
        assert server.checkpointer is not None and server.checkpointer.running
        assert command.checkpointer is None
        with server.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with command.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        worker, _ = Accounts(server).make(Role.WORKER)
        for i in range(5):  # a few pages: SQLite alone would copy nothing before 1,000
            note(server, worker.id, f"note {i}")
        deadline = time.monotonic() + 5
        while _rows_in_main_file(path, tmp_path) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows_in_main_file(path, tmp_path) == 5
    finally:
        server.close()
        command.close()
    assert not server.checkpointer.running


def test_zero_seconds_starts_no_thread_and_leaves_the_copy_to_sqlite(sqlite_template: Path,
                                                                     tmp_path: Path) -> None:
    url = sqlite_copy(sqlite_template, tmp_path)
    path = Path(make_url(url).database or "")
    settings = Settings(database_url=url, sweep_seconds=0, consensus_process=False,
                        sqlite_checkpoint_seconds=0)
    built = bootstrap(settings, serving=True)  # 0 seconds: no thread
    try:
        assert built.checkpointer is None
        with built.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        worker, _ = Accounts(built).make(Role.WORKER)
        note(built, worker.id, "only in the log")
        time.sleep(0.2)
        assert _rows_in_main_file(path, tmp_path) == 0  # under 1,000 pages: still in the log
    finally:
        built.close()


def test_the_checkpoint_thread_outlives_a_database_it_cannot_open_yet(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "not-yet"
    engine = make_engine(f"sqlite:///{folder / 'fairlabel.db'}", sqlite_autocheckpoint=False)
    checkpointer = WalCheckpointer(engine, 0.02)
    try:
        deadline = time.monotonic() + 5
        while "checkpointing the write-ahead log failed" not in caplog.text:
            assert time.monotonic() < deadline, "the failure was not reported"
            time.sleep(0.02)
        assert checkpointer.running
        folder.mkdir()  # from now on it can connect, and copies what writers leave in the log
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1), (2)")
        deadline = time.monotonic() + 5
        while _count_in_main_file(folder / "fairlabel.db", tmp_path, "t") < 2:
            assert time.monotonic() < deadline, "the log was never copied"
            time.sleep(0.02)
    finally:
        checkpointer.close()
        engine.dispose()
    assert not checkpointer.running
