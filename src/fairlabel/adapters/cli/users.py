"""`fairlabel user add` and `fairlabel token create`."""

from __future__ import annotations

import sys

import click

from fairlabel.adapters.cli.context import app_container
from fairlabel.domain.accounts import Role, parse_role
from fairlabel.services import accounts


@click.group()
def user() -> None:
    """User accounts."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add(email: str, role: str, password_stdin: bool) -> None:
    """Create a user with a role (worker, requester, moderator, admin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with app_container() as container:
        created = accounts.add_user(container.db, email=email, password=password,
                                    role=parse_role(role), now=container.clock())
    click.echo(f"added {created.role.value} {created.email} (id {created.id})", err=True)


@click.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A label to recognise it by.")
def create(email: str, name: str) -> None:
    """Create an API token for EMAIL and print only the token (it is not shown again)."""
    with app_container() as container:
        value = accounts.create_token(container.db, email=email, name=name,
                                      now=container.clock())
    click.echo(value)
