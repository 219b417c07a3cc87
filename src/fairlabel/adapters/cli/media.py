"""`fairlabel media add`: images into a project, from files and zips."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from fairlabel.adapters.cli.context import app_container
from fairlabel.adapters.media.archives import is_zip, read_file
from fairlabel.adapters.media.images import PillowImages
from fairlabel.domain.errors import DomainError
from fairlabel.domain.media import MediaLimits
from fairlabel.services import accounts, media
from fairlabel.services.ports.media import RawFile


@click.group("media")
def media_group() -> None:
    """A project's images."""


def _count(path: Path) -> int:
    """How many images a file holds (a zip: its members), for the progress bar."""
    with path.open("rb") as file:
        if not is_zip(path.name, file.read(4)):
            return 1
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(1 for i in archive.infolist() if not i.is_dir())
    except (zipfile.BadZipFile, OSError):
        return 1  # the upload says what is wrong with it


def _files(paths: Sequence[Path], limits: MediaLimits) -> Iterator[RawFile]:
    for path in paths:
        with path.open("rb") as file:
            yield from read_file(file, path.name, limits)


@media_group.command("add")
@click.argument("project_id", type=int)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", required=True, help="E-mail of the project's requester.")
def add(project_id: int, files: tuple[Path, ...], as_email: str) -> None:
    """Add images (PNG, JPEG, WebP, or zips of them) to PROJECT_ID: all, or none if one is
    refused. Prints each image's reference (media:ID), name and size in pixels."""
    with app_container() as container:
        user = accounts.find_user(container.db, as_email)
        if user is None:
            raise click.ClickException(f"no user with the e-mail {as_email}; "
                                       "create one with `fairlabel user add`")
        limits = container.media_limits
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       console=Console(stderr=True), transient=True)
        with bar:
            task = bar.add_task("checking images", total=sum(_count(p) for p in files))
            try:
                items = media.add_media(
                    container.db, user, project_id, _files(files, limits),
                    images=PillowImages(), store=container.media_store, limits=limits,
                    now=container.clock(), progress=lambda _name: bar.advance(task))
            except DomainError as error:
                raise click.ClickException(error.message) from None
    for item in items:
        click.echo(f"{item.ref}\t{item.name}\t{item.width}x{item.height}")
    click.echo(f"{len(items)} images in project {project_id}", err=True)
