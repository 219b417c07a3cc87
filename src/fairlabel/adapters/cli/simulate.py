"""`fairlabel simulate`: a platform year on a fresh database, and its report."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from fairlabel.adapters.cli.context import Wiring
from fairlabel.adapters.db.engine import make_engine
from fairlabel.config import Settings
from fairlabel.domain.errors import DomainError
from fairlabel.simulate import simulate as run_simulation
from fairlabel.simulate.report import write_report
from fairlabel.simulate.spec import DEFAULT, SpecError, parse

DATABASE = "simulation.db"


def _database(out: Path, url: str | None) -> str:
    """The database to simulate on: ``url`` if given (it must hold no tables), else a new
    SQLite file in ``out``."""
    if url is None:
        path = out / DATABASE
        if path.exists() and path.stat().st_size > 0:
            raise click.ClickException(f"{path} already exists: a simulation needs a fresh "
                                       "database. Choose another --out, or delete that file.")
        out.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path.absolute()}"
    try:
        engine = make_engine(url)
        try:
            tables = inspect(engine).get_table_names()
        finally:
            engine.dispose()
    except (SQLAlchemyError, ValueError) as error:
        raise click.ClickException(f"cannot open the database of --database-url "
                                   f"({type(error).__name__}): check the URL, and that the "
                                   "database exists and accepts connections.") from None
    if tables:
        raise click.ClickException("the database of --database-url already holds tables: a "
                                   "simulation needs an empty database. Create a new one "
                                   "(e.g. `createdb fairlabel_sim`) and name it.")
    out.mkdir(parents=True, exist_ok=True)
    return url


@click.command()
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3660),
              help="Simulated days.")
@click.option("--workers", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Simulated workers.")
@click.option("--requesters", "spec", default=DEFAULT, show_default=True, metavar="SPEC",
              help="Strategies and their number of requester accounts, NAME=COUNT separated "
              "by commas; NAME is a built-in strategy or module:Class for your own "
              "(docs/simulate.md).")
@click.option("--seed", default=1, show_default=True, type=int,
              help="The same seed gives the same run.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("simulation"), show_default=True,
              help="Folder for the report (report.md, report.json, plots) and, without "
              "--database-url, the SQLite database.")
@click.option("--database-url", default=None,
              help="An empty database to run on (e.g. postgresql://…/fairlabel_sim); default: "
              "a new SQLite file in --out.")
def simulate(days: int, workers: int, spec: str, seed: int, out: Path,
             database_url: str | None) -> None:
    """Simulate a platform year: workers, requesters following strategies (honest or
    trying to get around the charter) and a moderator, through the platform's own use cases
    on a fresh database with a moved clock; then write the report to --out."""
    try:
        requesters = parse(spec)
    except SpecError as error:
        raise click.BadParameter(str(error), param_hint="--requesters") from None
    url = _database(out, database_url)
    wiring = click.get_current_context().find_object(Wiring)
    if wiring is None:
        raise click.UsageError("run the command as `fairlabel …` (fairlabel.bootstrap:main)")
    settings = Settings(database_url=url, sweep_seconds=0, consensus_process=False,
                        media_dir=str(out / "media"))
    container = wiring.make_container(settings, upgrade_schema=True)
    try:
        with Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("days"), TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("days", total=days)
            log = run_simulation(container.db, container.charter, days=days, workers=workers,
                                 requesters=requesters, seed=seed,
                                 refit=container.consensus_refit,
                                 progress=lambda done: bar.update(task, completed=done))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        container.close()
    command = (f"fairlabel simulate --days {days} --workers {workers} --requesters {spec} "
               f"--seed {seed}")
    write_report(log, out, command)
    click.echo(f"simulated {days} days, {workers} workers, {len(log.requesters)} requester "
               f"accounts: {len(log.answers)} answers in {log.wall_seconds:.0f} s")
    click.echo(f"report: {out / 'report.md'} (and report.json, plots)")
