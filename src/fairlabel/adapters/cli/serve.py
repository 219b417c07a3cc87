"""`fairlabel serve` and `fairlabel demo`."""

from __future__ import annotations

import sys

import click
import uvicorn

from fairlabel.adapters.cli.context import app_container
from fairlabel.adapters.cli.processes import Processes, spread_by_kernel

APP_FACTORY = "fairlabel.bootstrap:web_app"

host_option = click.option("--host", default="127.0.0.1", show_default=True)
port_option = click.option("--port", default=8000, show_default=True, type=int)
workers_option = click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1),
    help="Server processes on this host. All share the database, and with it sessions, "
    "tokens and the periodic jobs (each period run by one process of all hosts); use "
    "PostgreSQL for more than one (docs/scaling.md).")
access_log_option = click.option("--access-log/--no-access-log", default=False,
                                  show_default=True, help="Log every request.")


def _run(host: str, port: int, workers: int, access_log: bool) -> None:
    if workers > 1 and spread_by_kernel():
        # Each process on a socket of its own, so that connections spread (processes.py).
        sys.exit(Processes(APP_FACTORY, host, port, workers, access_log).run())
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                access_log=access_log, log_level="info", timeout_graceful_shutdown=5)


@click.command()
@host_option
@port_option
@workers_option
@access_log_option
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Upgrade the schema, then serve the web pages and the API."""
    with app_container():
        pass  # upgrading the schema happens when the container is built
    _run(host, port, workers, access_log)


@click.command()
@host_option
@port_option
@click.option("--serve/--no-serve", "then_serve", default=True, show_default=True,
              help="Serve after seeding.")
def demo(host: str, port: int, then_serve: bool) -> None:
    """Seed demo accounts and projects (once), print the logins, and serve."""
    # The demo's data and pictures (Pillow) load here, not in `serve`'s process.
    from fairlabel.adapters.media.images import PillowImages
    from fairlabel.demo.seed import seed
    from fairlabel.demo.structured import DemoMedia

    with app_container() as container:
        pictures = DemoMedia(PillowImages(), container.media_store, container.media_limits)
        logins = seed(container.db, container.charter, now=container.clock(),
                      pictures=pictures if container.keeps_media else None)
    state = "created" if logins.created else "already present"
    for line in logins.story:
        click.echo(f"* {line}")
    click.echo(f"Demo data {state}. Sign in at http://{host}:{port}/ with password "
               f"'{logins.password}' as:")
    click.echo(f"  operator:  {logins.operator}")
    click.echo(f"  requester: {logins.requester}")
    click.echo(f"  moderator: {logins.moderator}")
    for email in logins.workers:
        click.echo(f"  worker:    {email}")
    if then_serve:
        _run(host, port, 1, False)
