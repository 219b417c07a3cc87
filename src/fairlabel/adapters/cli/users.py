"""`fairlabel user add` and `fairlabel token create|list|revoke`."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from fairlabel.adapters.cli.context import app_container
from fairlabel.domain.accounts import Role, parse_role
from fairlabel.domain.errors import NotFound
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
@click.option("--expires-days", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Days until the token stops working (default: it does not expire).")
def create(email: str, name: str, expires_days: float | None) -> None:
    """Create an API token for EMAIL and print only the token (it is not shown again)."""
    with app_container() as container:
        value = accounts.create_token(container.db, email=email, name=name,
                                      now=container.clock(), expires_days=expires_days)
    click.echo(value)


@token.command("list")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List EMAIL's API tokens: id, name, created, expires, last used, revoked."""
    with app_container() as container:
        found = accounts.find_user(container.db, email)
        if found is None:
            raise NotFound("no user with the e-mail {email}", email=email)
        tokens = accounts.tokens_of(container.db, found.id)

    def when(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else "-"

    click.echo("id\tname\tcreated\texpires\tlast_used\trevoked")
    for t in tokens:
        click.echo("\t".join([str(t.id), t.name, when(t.created_at), when(t.expires_at),
                              when(t.last_used_at), when(t.revoked_at)]))


@token.command("revoke")
@click.argument("token_id", type=int, required=False)
@click.option("--all", "all_of", metavar="EMAIL", default=None,
              help="Revoke every token of this user instead.")
def revoke(token_id: int | None, all_of: str | None) -> None:
    """Revoke the token TOKEN_ID (see `fairlabel token list`), or every token of a user.

    Servers that checked the token in the last FAIRLABEL_TOKEN_CACHE_SECONDS (default 10)
    may accept it until then.
    """
    if (token_id is None) == (all_of is None):
        raise click.UsageError("give either a TOKEN_ID or --all EMAIL")
    with app_container() as container:
        if all_of is not None:
            revoked = accounts.revoke_all_tokens(container.db, email=all_of,
                                                 now=container.clock())
        else:
            assert token_id is not None
            revoked = accounts.revoke_token(container.db, token_id, now=container.clock())
    click.echo(f"revoked {len(revoked)} token(s)", err=True)
