"""Writes docs/cli.md from the commands' own --help (run: `make docs`; checked by the tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from fairlabel.adapters.cli import COMMANDS, main

TARGET = Path(__file__).with_name("cli.md")
HEADER = """# Command line

`fairlabel --help` lists the commands; each takes `--help`. The database is
`FAIRLABEL_DATABASE_URL` (see [configuration](configuration.md)). Errors are printed as one
line saying what is wrong and how to fix it, with exit code 1 (2 for wrong usage).

This page is generated from the commands themselves by `make docs`.
"""


def command_paths() -> list[list[str]]:
    ctx = click.Context(main)
    paths = []
    for name in sorted(COMMANDS):
        command = main.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in sorted(command.commands))
        else:
            paths.append([name])
    return paths


def render() -> str:
    parts = [HEADER]
    for path in command_paths():
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
        parts.append(f"## fairlabel {' '.join(path)}\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(render())
    sys.stdout.write(f"wrote {TARGET}\n")
