"""`fairlabel funds deposit`, `fairlabel sweep`, `fairlabel payouts ...`."""

from __future__ import annotations

from pathlib import Path

import click

from fairlabel.adapters.cli.context import app_container
from fairlabel.adapters.io.payout_files import payouts_csv, sepa_export
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import parse_amount
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.services import accounts, pay, payouts, schedule


@click.group()
def funds() -> None:
    """Requesters' funds."""


@funds.command("deposit")
@click.argument("requester_email")
@click.argument("amount")
@click.option("--currency", default="USD", show_default=True)
@click.option("--as", "as_email", required=True, help="E-mail of the admin recording it.")
def deposit(requester_email: str, amount: str, currency: str, as_email: str) -> None:
    """Record a deposit of AMOUNT (e.g. 250.00) paid in by a requester."""
    with app_container() as container:
        admin = accounts.find_user(container.db, as_email)
        if admin is None or admin.role is not Role.ADMIN:
            raise click.ClickException(f"{as_email} is not an admin; deposits are recorded "
                                       "by an operator")
        balance = pay.deposit(container.db, admin, requester_email=requester_email,
                              amount=parse_amount(amount, currency.upper()),
                              policy=container.charter, now=container.clock())
    click.echo(f"{requester_email} now holds {balance}")


@click.command()
def sweep() -> None:
    """Run the periodic jobs once, now, whether due or not: expire leases, apply due price
    cuts, measure time and top up to the floor, approve after the review window, batch
    payouts. Safe to run anywhere, any time, on several nodes at once. The run is recorded
    as this period's (the job_runs table), so app servers that sweep skip it until the next
    period; with FAIRLABEL_SWEEP_SECONDS=0 on every server, run this from cron instead."""
    with app_container() as container:
        report = schedule.run_now(container.db, container.charter, clock=container.clock,
                                  me=f"{container.process_name} (fairlabel sweep)",
                                  jobs=container.periodic_jobs, refit=container.consensus_refit,
                                  consensus_interval=container.measure_interval)
    click.echo(report.summary())


@click.group(name="payouts")
def payouts_group() -> None:
    """Payouts to workers."""


@payouts_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "sepa"]), default="csv",
              show_default=True)
@click.option("--as", "as_email", required=True, help="E-mail of an admin.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(fmt: str, as_email: str, out: Path) -> None:
    """Write the batched payouts as CSV, or the EUR ones as a SEPA pain.001 file."""
    with app_container() as container:
        admin = accounts.find_user(container.db, as_email)
        if admin is None:
            raise click.ClickException(f"no user with the e-mail {as_email}")
        lines = payouts.payout_lines(container.db, admin)
        if fmt == "csv":
            out.write_text(payouts_csv(lines), encoding="utf-8")
            click.echo(f"wrote {len(lines)} payouts to {out}")
            return
        settings = container.settings
        xml, others = sepa_export(lines, debtor_name=settings.sepa_debtor_name,
                                  debtor_iban=settings.sepa_debtor_iban,
                                  debtor_bic=settings.sepa_debtor_bic, now=container.clock())
        out.write_bytes(xml)
    click.echo(f"wrote {len(lines) - len(others)} SEPA transfers to {out}; {len(others)} "
               "payouts need another way (see the CSV export)")


@payouts_group.command("mark-sent")
@click.argument("payout_id", type=int)
@click.option("--as", "as_email", required=True, help="E-mail of an admin.")
def mark_sent(payout_id: int, as_email: str) -> None:
    """Record that a payout was sent: the ledger moves it to the worker's paid account."""
    with app_container() as container:
        admin = accounts.find_user(container.db, as_email)
        if admin is None:
            raise click.ClickException(f"no user with the e-mail {as_email}")
        record = payouts.mark(container.db, admin, payout_id, status=PayoutStatus.SENT,
                              now=container.clock())
    click.echo(f"payout {record.id} marked sent")
