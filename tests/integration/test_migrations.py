from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from fairlabel.adapters.db.tables import metadata
from fairlabel.bootstrap import Container


def test_the_migrations_build_exactly_the_declared_schema(container: Container) -> None:
    with container.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert current_revision(container.engine) == head_revision()


def test_migrations_go_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        downgrade(engine, "base")
        assert "tasks" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        upgrade(engine)  # a second upgrade is a no-op
        assert "assignments" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
