"""`fairlabel tasks import` and `fairlabel export`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import click

from fairlabel.adapters.cli.context import app_container
from fairlabel.adapters.container import Container
from fairlabel.adapters.io.exports import FORMATS as EXPORT_FORMATS
from fairlabel.adapters.io.exports import BoxSource, ExportOptions
from fairlabel.adapters.io.label_studio.importer import read_label_studio
from fairlabel.adapters.io.task_files import FORMATS, Format, format_for_filename, stream_tasks
from fairlabel.domain.accounts import User
from fairlabel.domain.errors import DomainError, ImportRejected
from fairlabel.services import accounts, exports, projects


@click.group()
def tasks() -> None:
    """Tasks of a project."""


LABEL_STUDIO = "label-studio"


def _user(container: Container, email: str) -> User:
    found = accounts.find_user(container.db, email)
    if found is None:
        raise click.ClickException(f"no user with the e-mail {email}; "
                                   "create one with `fairlabel user add`")
    return found


@tasks.command("import")
@click.argument("project_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice([*FORMATS, LABEL_STUDIO]), default=None,
              help="Default: from the file name (.json, .jsonl/.ndjson, .csv). label-studio: "
                   "a JSON array of Label Studio tasks.")
@click.option("--gold", is_flag=True,
              help="label-studio: annotations become gold answers (the ground-truth ones when "
                   "the file marks any, else each task's first).")
@click.option("--as", "as_email", required=True, help="E-mail of the project's requester.")
def import_command(project_id: int, file: Path, fmt: str | None, gold: bool,
                   as_email: str) -> None:
    """Import tasks from FILE into PROJECT_ID: all rows, or none if one is bad."""
    with app_container() as container:
        limit = container.settings.import_max_bytes
        size = file.stat().st_size
        if size > limit:
            raise click.ClickException(
                f"{file} is {size} bytes; the import limit is {limit} "
                "(FAIRLABEL_IMPORT_MAX_BYTES). Split the file.")
        user = _user(container, as_email)
        with file.open("rb") as source:
            try:
                if fmt == LABEL_STUDIO:
                    schema = projects.get_project(container.db, user,
                                                  project_id).project.terms.schema
                    rows: Iterable[Any] = read_label_studio(source.read(), schema, gold=gold)
                else:  # read, checked and stored a batch at a time
                    rows = stream_tasks(source, cast(Format, fmt) if fmt
                                        else format_for_filename(file.name))
            except DomainError as error:
                raise click.ClickException(f"{file}: {error.message}") from None
            try:
                count = projects.import_tasks(container.db, user, project_id, rows,
                                              max_rows=container.settings.import_max_rows,
                                              now=container.clock(),
                                              image_hosts=container.settings.image_hosts)
            except ImportRejected as error:
                raise click.ClickException(f"{file}: {error.message}") from None
    click.echo(f"imported {count} tasks into project {project_id}", err=True)


@click.command("export")
@click.argument("project_id", type=int)
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="jsonl",
              show_default=True, help="docs/formats.md describes each.")
@click.option("--boxes", type=click.Choice(["all", "workers", "consensus"]), default="all",
              show_default=True, help="coco: every box, or only the workers' or the consensus.")
@click.option("--base-url", default="", help="label-studio: the server's address, which "
              "uploaded images' URLs start with (e.g. https://label.example.org).")
@click.option("--as", "as_email", required=True, help="E-mail of the project's requester.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def export(project_id: int, fmt: str, boxes: str, base_url: str, as_email: str,
           out: Path | None) -> None:
    """Export PROJECT_ID: one record per task with its answers and the consensus, in FORMAT."""
    chosen = EXPORT_FORMATS[fmt]
    with app_container() as container:
        user = _user(container, as_email)
        dataset = exports.export_dataset(
            container.db, user, project_id, media=chosen.media, check=chosen.check,
            now=container.clock() if chosen.consensus else None, refit=container.consensus_refit)
        options = ExportOptions(base_url=base_url, boxes=cast(BoxSource, boxes),
                                now=container.clock())
        pieces = chosen.writer(dataset.schema, dataset.records, options)
        stream = out.open("wb") if out else sys.stdout.buffer
        try:
            for piece in pieces:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        finally:
            if out:
                stream.close()
            else:
                stream.flush()
