"""What the commands share: building the container, turning domain errors into exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

from fairlabel.adapters.container import Container
from fairlabel.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Wiring:
    """How the commands build a container: ``fairlabel.bootstrap.bootstrap``, handed to the
    command group by the composition root (``fairlabel.bootstrap.main``) as its ``obj``."""

    make_container: Callable[..., Container]


@contextmanager
def app_container(*, upgrade_schema: bool = True) -> Iterator[Container]:
    """A container for one command; domain errors become a clear message and exit code 1."""
    wiring = click.get_current_context().find_object(Wiring)
    if wiring is None:
        raise click.UsageError("run the command as `fairlabel …` (fairlabel.bootstrap:main), "
                               "which wires it to the database")
    container = wiring.make_container(upgrade_schema=upgrade_schema)
    try:
        yield container
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        container.close()
