"""The `fairlabel` command line: one module per command group.

Commands are imported only when run, so that `fairlabel serve` never loads what other
commands need (numpy and scipy for `aggregate`) and starts fast.
"""

from __future__ import annotations

import importlib

import click

from fairlabel import __version__

COMMANDS = {
    "serve": ("fairlabel.adapters.cli.serve", "serve"),
    "demo": ("fairlabel.adapters.cli.serve", "demo"),
    "db": ("fairlabel.adapters.cli.db", "db"),
    "user": ("fairlabel.adapters.cli.users", "user"),
    "token": ("fairlabel.adapters.cli.users", "token"),
    "tasks": ("fairlabel.adapters.cli.tasks", "tasks"),
    "export": ("fairlabel.adapters.cli.tasks", "export"),
    "aggregate": ("fairlabel.adapters.cli.aggregate", "aggregate"),
    "ledger": ("fairlabel.adapters.cli.ledger", "ledger"),
    "media": ("fairlabel.adapters.cli.media", "media_group"),
    "funds": ("fairlabel.adapters.cli.money", "funds"),
    "sweep": ("fairlabel.adapters.cli.money", "sweep"),
    "payouts": ("fairlabel.adapters.cli.money", "payouts_group"),
    "simulate": ("fairlabel.adapters.cli.simulate", "simulate"),
}


class LazyGroup(click.Group):
    """A group whose commands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="fairlabel")
def main() -> None:
    """fairlabel: labeling, ranking and rating work on fair, visible terms.

    The database is FAIRLABEL_DATABASE_URL (default: sqlite:///fairlabel.db).
    """
