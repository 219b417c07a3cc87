from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from fairlabel.adapters.container import Container
from fairlabel.adapters.db import schema_version
from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.ledger_repository import LedgerRepository
from fairlabel.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from fairlabel.adapters.db.tables import metadata
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import Money
from fairlabel.services import assignment
from fairlabel.services.steps import holds
from tests.conftest import Accounts
from tests.integration.test_fair_pay import assert_ledger_sound, make_project, work
from tests.support.clock import FakeClock


def test_the_migrations_build_exactly_the_declared_schema(container: Container) -> None:
    with container.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert current_revision(container.engine) == head_revision()


def test_the_head_that_servers_compare_without_alembic_is_alembics() -> None:
    assert head_revision() == schema_version.HEAD, (
        f"the newest migration is {head_revision()}: set HEAD in adapters/db/schema_version.py")


def test_migrations_go_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        downgrade(engine, "base")
        assert "tasks" not in inspect(engine).get_table_names()
        assert not schema_version.is_current(engine)
        upgrade(engine, "0014")
        assert not schema_version.is_current(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert schema_version.is_current(engine)
        upgrade(engine)  # a second upgrade is a no-op
        assert "assignments" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_0008_fills_in_answer_totals_and_turns_old_leases_into_holds(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """A database at 0007 with answers and a lease made before holds: after 0008 the totals
    are those of its answers, and the old lease's reservation comes back to the escrow when
    it is submitted."""
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=10, price=5, funding=10_000)
    one, two = (people.make(Role.WORKER)[0] for _ in range(2))
    work(container, clock, one, pid, seconds=30, answers=3)
    old = assignment.request_next(container.db, two, pid, now=clock(), policy=container.charter)
    assert old is not None
    with container.db.read() as tx:
        before = tx.holds.totals(pid)
    engine = container.engine
    downgrade(engine, "0007")
    with engine.begin() as conn:  # as a lease served before 0007 was: reservation posted
        conn.execute(text("UPDATE assignments SET escrow_hold = false WHERE id = :id"),
                     {"id": old.assignment_id})
        held = conn.execute(text("SELECT price_minor + allowance_minor FROM assignments "
                                 "WHERE id = :id"), {"id": old.assignment_id}).scalar_one()
        LedgerRepository(conn).post(ledger.LedgerTransaction("reserve", (
            ledger.Posting(ledger.project_escrow(pid), Money(-held, "USD")),
            ledger.Posting(ledger.project_reserved(pid), Money(held, "USD")))),
            tx_id="old-lease", now=clock())
    upgrade(engine)
    with container.db.read() as tx:
        assert tx.holds.totals(pid) == before
        free_before = tx.escrow.free(pid, "USD")
        hold_before = tx.ledger.balance(ledger.project_reserved(pid), "USD") - held
    clock.advance(seconds=30)
    assignment.submit_answer(container.db, two, old.assignment_id, "a", idempotency_key=None,
                             now=clock(), policy=container.charter)
    with container.db.read() as tx:
        project = tx.projects.get(pid)
        assert project is not None
        reserved = tx.ledger.balance(ledger.project_reserved(pid), "USD")
        assert reserved == holds.hold_for(project, tx.holds.totals(pid), container.charter)
        # The lease's hold ends and the old reservation comes back, less the price paid and
        # the growth of the answers' hold.
        assert tx.escrow.free(pid, "USD") == (free_before + 2 * held - 5
                                              - (reserved - hold_before))
    assert_ledger_sound(container)


def test_0014_fills_in_the_band_keys_of_the_fingerprints_already_stored(
        container: Container, people: Accounts) -> None:
    """Fingerprints stored before 0014 get their LSH band keys, the very keys the guard
    computes, so that another requester's relaunch of an older project is found."""
    from fairlabel.continuation import Fingerprint, band_keys

    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=10, price=5, funding=0)
    engine = container.engine
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT fingerprint FROM project_fingerprints "
                                   "WHERE project_id = :id"), {"id": pid}).scalar_one()
    downgrade(engine, "0013")
    assert "fingerprint_bands" not in inspect(engine).get_table_names()
    upgrade(engine)
    with engine.connect() as conn:
        keys = set(conn.execute(text("SELECT band_key FROM fingerprint_bands "
                                     "WHERE project_id = :id"), {"id": pid}).scalars())
    assert keys == set(band_keys(Fingerprint.from_bytes(bytes(stored)))) and len(keys) > 1


def test_servers_starting_together_upgrade_one_at_a_time(database_url: str) -> None:
    """Two servers started at once on an empty database: both come up, the schema once."""
    import threading

    engine = make_engine(database_url)
    try:
        downgrade(engine, "base")
        barrier = threading.Barrier(2)
        failures: list[BaseException] = []

        def start() -> None:
            barrier.wait()
            try:
                upgrade(engine)
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=start) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_0015_fills_in_each_answers_working_time_as_the_application_measures_it(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """Answers submitted before 0015 get their working time in whole milliseconds, rounded
    as ``worked_ms_between`` rounds it (half a millisecond included), and the median read
    from the new index is the one computed from every answer's times."""
    from fairlabel.domain.assignment import worked_ms_between
    from fairlabel.domain.pay import measured_median, measured_median_of

    requester, worker = people.make(Role.REQUESTER)[0], people.make(Role.WORKER)[0]
    pid = make_project(container, requester, tasks=6, lease_seconds=600)
    for seconds in (3.0005, 7.25, 1.0015, 40.0, 12.5):
        work(container, clock, worker, pid, seconds=seconds, answers=1)
    engine = container.engine
    downgrade(engine, "0014")
    assert "worked_ms" not in {c["name"] for c in inspect(engine).get_columns("assignments")}
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT leased_at, submitted_at, worked_ms FROM assignments "
                                 "WHERE project_id = :id"), {"id": pid}).all()
    with container.db.read() as tx:
        expected = [worked_ms_between(_aware(r[0]), _aware(r[1])) for r in rows]
        assert sorted(r[2] for r in rows) == sorted(expected)
        assert sorted(tx.assignments.durations_ms(pid)) == sorted(expected)
        assert measured_median_of(tx.assignments.middle_durations(pid)) == (
            measured_median(expected), 5)


def _aware(moment: object) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_0018_sums_each_projects_progress_from_its_tasks(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """Projects made before 0018 get their progress summed from their ordinary tasks (gold
    ones aside), and the counts read after it are those."""
    from fairlabel.domain.quality import QualityTerms
    from tests.integration.test_project_progress import kept, summed
    from tests.integration.test_quality import make_project as make_checked_project

    requester, worker = people.make(Role.REQUESTER)[0], people.make(Role.WORKER)[0]
    pid = make_project(container, requester, tasks=6, lease_seconds=600)
    work(container, clock, worker, pid, seconds=5.0, answers=3)
    checked = make_checked_project(container, requester, work=4, gold=3, redundancy=2,
                                   terms=QualityTerms(gold_rate=0.5))
    before = {p: summed(container, p) for p in (pid, checked)}
    engine = container.engine
    downgrade(engine, "0017")
    assert "work_tasks" not in {c["name"] for c in inspect(engine).get_columns("project_holds")}
    upgrade(engine)
    assert {p: kept(container, p) for p in (pid, checked)} == before
    assert before[pid].answers == 3 and before[checked].tasks == 4


def test_0019_tallies_the_reviews_made_before_it(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """Reviews made before 0019 are tallied by project, and the public record's counts read
    after it are those of the answers."""
    from fairlabel.domain.assignment import Review
    from tests.integration.test_review_tallies import counted, tallied

    requester, worker = people.make(Role.REQUESTER)[0], people.make(Role.WORKER)[0]
    pid = make_project(container, requester, tasks=6, lease_seconds=600)
    work(container, clock, worker, pid, seconds=5.0, answers=4)
    with container.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM assignments WHERE project_id = :id ORDER BY id"), {"id": pid})]
    with container.db.write() as tx:
        tx.assignments.mark_reviewed(ids[0], review=Review.REJECTED.value)
        tx.assignments.mark_approved(ids[1], now=clock(), review=Review.APPROVED.value)
        tx.commit()
    before = counted(container, pid)
    engine = container.engine
    downgrade(engine, "0018")
    assert "project_reviews" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert tallied(container, pid) == before == {"rejected": 1, "approved": 1,
                                                 "unreviewed": 2}


def test_0021_sums_what_workers_earned_by_hour_before_it(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """Answers submitted before 0021, across hours, one of them topped up and one withheld,
    are summed by project, worker and hour; the earnings read after it are the answers'."""
    from datetime import timedelta

    from fairlabel.domain.assignment import Review
    from tests.integration.test_hourly_earnings import kept, summed

    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(2)]
    pid = make_project(container, requester, tasks=8, lease_seconds=600)
    start = clock()
    for n in range(6):
        work(container, clock, workers[n % 2], pid, seconds=5.0, answers=1)
        clock.advance(minutes=37)
    with container.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM assignments WHERE project_id = :id AND status = 'submitted' "
            "ORDER BY id"), {"id": pid})]
    with container.db.write() as tx:
        first = tx.assignments.get(ids[0], for_update=True)
        assert first is not None
        tx.assignments.add_topup(first, 4)
        tx.assignments.mark_reviewed(ids[1], review=Review.WITHHELD.value)
        tx.commit()
    moments = [start - timedelta(hours=1), start + timedelta(minutes=50),
               start + timedelta(hours=2, minutes=1)]
    before = [summed(container, pid, since) for since in moments]
    engine = container.engine
    downgrade(engine, "0020")
    assert "hourly_earnings" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert [kept(container, pid, since) for since in moments] == before
    assert len(before[0]) == 2 and before[0] != before[2]


def test_0022_sums_the_quality_of_the_tasks_before_it(
        container: Container, people: Accounts) -> None:
    """Tasks answered, settled and refit before 0022 (gold ones among them, which count
    nowhere) are summed by project; the summary read after it is the tasks'."""
    from fairlabel.domain.quality import QualityTerms
    from tests.integration import test_quality_totals as totals

    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(3)]
    pids = [totals.make_project(container, requester, totals.CHOICE, work=4, gold=1,
                                terms=QualityTerms(consensus_method="mv",
                                                   confidence_target=0.6, min_answers=2)),
            totals.make_project(container, requester, totals.CHOICE, work=3,
                                terms=QualityTerms(consensus_method="mv"))]
    for pid in pids:
        for worker in workers:
            for label in "ab":
                lease = assignment.request_next(container.db, worker, pid,
                                                now=container.clock(),
                                                policy=container.charter)
                if lease is not None:
                    assignment.submit_answer(container.db, worker, lease.assignment_id, label,
                                             idempotency_key=None, now=container.clock(),
                                             policy=container.charter)
    totals.quality.refit_consensus(container.db, pids[1], now=container.clock(), seed=0)
    before = [totals.scanned(container, pid) for pid in pids]
    assert before[0].settled and before[1].with_consensus and not before[1].settled
    engine = container.engine
    downgrade(engine, "0021")
    assert "project_quality" not in inspect(engine).get_table_names()
    upgrade(engine)
    for pid in pids:
        totals.assert_same(container, pid, "after 0022")
