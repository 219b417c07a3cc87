"""The `fairlabel` command line: one module per command group, registered here."""

import click

from fairlabel import __version__
from fairlabel.adapters.cli import aggregate, db, serve, tasks, users


@click.group()
@click.version_option(__version__, prog_name="fairlabel")
def main() -> None:
    """fairlabel: labeling, ranking and rating work on fair, visible terms.

    The database is FAIRLABEL_DATABASE_URL (default: sqlite:///fairlabel.db).
    """


for command in (serve.serve, serve.demo, db.db, users.user, users.token, tasks.tasks,
                tasks.export, aggregate.aggregate):
    main.add_command(command)
