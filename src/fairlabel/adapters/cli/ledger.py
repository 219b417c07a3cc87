"""`fairlabel ledger verify`: check a downloaded ledger statement offline (charter rule 7).

Reads only the given files: no database, no network.
"""

from __future__ import annotations

from pathlib import Path

import click

from fairlabel.domain.ledger import (
    Verification,
    check_extends,
    parse_statement_line,
    verify_statement_lines,
)


class InputError(click.ClickException):
    """A statement file cannot be read; exits with status 2 like usage errors."""

    exit_code = 2


def read_lines(path: Path) -> list[bytes]:
    """The lines of a statement file as bytes (each checked as UTF-8 by the verifier).

    Lines are split on ``\\n`` only (JSON text may hold other line separators); the empty
    piece after a final newline is not a line.

    Raises:
        InputError: If the file cannot be read.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot read {path}: {reason}. Check the path.") from None
    lines = data.split(b"\n")
    return lines[:-1] if lines[-1] == b"" else lines


def _report(result: Verification) -> None:
    accounts = len(result.balances)
    click.echo(f"verified {result.checked} entries in {accounts} account{'s' * (accounts != 1)}")
    rows = [(a, str(m)) for a, per in result.balances.items() for m in per.values()]
    width = max((len(account) for account, _ in rows), default=0)
    amount_width = max((len(amount) for _, amount in rows), default=0)
    for account, amount in rows:
        click.echo(f"  {account:<{width}}  {amount:>{amount_width}}")


@click.group("ledger")
def ledger() -> None:
    """The money ledger: check statements offline."""


@ledger.command("verify")
@click.argument("statement", metavar="STATEMENT.jsonl", type=click.Path(path_type=Path))
@click.option(
    "--previous",
    "previous_path",
    metavar="EARLIER.jsonl",
    type=click.Path(path_type=Path),
    help="An earlier statement of the same accounts: also check that none of its entries "
    "was changed or removed since.",
)
def verify(statement: Path, previous_path: Path | None) -> None:
    """Verify the hash chains of STATEMENT.jsonl (one ledger entry per line).

    Exits 0 and prints the number of entries and accounts and each account's balance when
    every entry verifies; exits 1 printing `line N: <reason>` for the first entry that does
    not; exits 2 if a file cannot be read.
    """
    lines = read_lines(statement)
    previous = read_lines(previous_path) if previous_path is not None else None
    result = verify_statement_lines(lines)
    if not result.ok:
        click.echo(f"line {result.line}: {result.reason}")
        raise click.exceptions.Exit(1)
    if previous is not None:
        _check_previous(previous, lines)
    _report(result)


def _check_previous(previous: list[bytes], lines: list[bytes]) -> None:
    earlier = verify_statement_lines(previous)
    if not earlier.ok:
        click.echo(f"earlier statement, line {earlier.line}: {earlier.reason}")
        raise click.exceptions.Exit(1)
    problems = check_extends(earlier.heads, (parse_statement_line(line) for line in lines))
    if problems:
        for problem in problems:
            click.echo(f"history changed: {problem}")
        raise click.exceptions.Exit(1)
    click.echo(f"history kept: all {earlier.checked} entries of the earlier statement")
