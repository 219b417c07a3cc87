"""Running the `fairlabel` command in process, wired as its console script wires it."""

from __future__ import annotations

from click.testing import CliRunner, Result

from fairlabel.adapters.cli import main
from fairlabel.adapters.cli.context import Wiring
from fairlabel.bootstrap import bootstrap


def run_cli(args: list[str], *, input: str | None = None) -> Result:
    """``fairlabel ARGS…`` with this process's environment (FAIRLABEL_* settings)."""
    return CliRunner().invoke(main, args, input=input, obj=Wiring(bootstrap))
