"""What the commands share: building the container, turning domain errors into exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from fairlabel.bootstrap import Container, bootstrap
from fairlabel.domain.errors import DomainError


@contextmanager
def app_container(*, upgrade_schema: bool = True) -> Iterator[Container]:
    """A container for one command; domain errors become a clear message and exit code 1."""
    container = bootstrap(upgrade_schema=upgrade_schema)
    try:
        yield container
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        container.close()
