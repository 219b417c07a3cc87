"""`fairlabel tasks import` and `fairlabel export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from fairlabel.adapters.cli.context import app_container
from fairlabel.adapters.container import Container
from fairlabel.adapters.io.exporters import ExportFormat, export_lines
from fairlabel.adapters.io.task_files import FORMATS, Format, format_for_filename, parse_tasks
from fairlabel.domain.accounts import User
from fairlabel.domain.errors import DomainError
from fairlabel.services import accounts, exports, projects


@click.group()
def tasks() -> None:
    """Tasks of a project."""


def _user(container: Container, email: str) -> User:
    found = accounts.find_user(container.db, email)
    if found is None:
        raise click.ClickException(f"no user with the e-mail {email}; "
                                   "create one with `fairlabel user add`")
    return found


@tasks.command("import")
@click.argument("project_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Default: from the file name (.json, .jsonl/.ndjson, .csv).")
@click.option("--as", "as_email", required=True, help="E-mail of the project's requester.")
def import_command(project_id: int, file: Path, fmt: str | None, as_email: str) -> None:
    """Import tasks from FILE into PROJECT_ID: all rows, or none if one is bad."""
    with app_container() as container:
        limit = container.settings.import_max_bytes
        size = file.stat().st_size
        if size > limit:
            raise click.ClickException(
                f"{file} is {size} bytes; the import limit is {limit} "
                "(FAIRLABEL_IMPORT_MAX_BYTES). Split the file.")
        try:
            rows = parse_tasks(file.read_bytes(),
                               cast(Format, fmt) if fmt else format_for_filename(file.name))
        except DomainError as error:
            raise click.ClickException(f"{file}: {error.message}") from None
        user = _user(container, as_email)
        count = projects.import_tasks(container.db, user, project_id, rows,
                                      max_rows=container.settings.import_max_rows,
                                      now=container.clock())
    click.echo(f"imported {count} tasks into project {project_id}", err=True)


@click.command("export")
@click.argument("project_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--as", "as_email", required=True, help="E-mail of the project's requester.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def export(project_id: int, fmt: str, as_email: str, out: Path | None) -> None:
    """Export PROJECT_ID: one record per task with its answers and the majority."""
    with app_container() as container:
        user = _user(container, as_email)
        records = exports.export_records(container.db, user, project_id,
                                         now=container.clock(), fit=container.consensus_fit)
        stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            for line in export_lines(records, cast(ExportFormat, fmt)):
                stream.write(line)
        finally:
            if out:
                stream.close()
