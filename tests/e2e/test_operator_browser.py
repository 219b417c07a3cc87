"""The operator in a real browser (Debian's Chromium) against a real server process."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import Money
from fairlabel.services import accounts
from tests.e2e import test_browser
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.payouts import batched_payout
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the module's Chromium, launched once
PASSWORD = "operator-keys"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[RunningServer, int]]:
    """An operator, a requester with no money yet, and one payout waiting to be sent (a
    worker paid 1.50 EUR by another requester); a real server on it. Yields the payout id."""
    url = sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    accounts.add_user(container.db, email="ops@example.org", password=PASSWORD, role=Role.ADMIN,
                      now=now)
    accounts.add_user(container.db, email="ann@example.org", password=PASSWORD,
                      role=Role.REQUESTER, now=now)
    other = accounts.add_user(container.db, email="bob@example.org", password=PASSWORD,
                              role=Role.REQUESTER, now=now)
    worker = accounts.add_user(container.db, email="ada@example.org", password=PASSWORD,
                               role=Role.WORKER, now=now)
    payout_id = batched_payout(container, other, worker, price=Money(1_50, "EUR"))
    container.close()
    with running_server(url, tmp_path) as server:
        yield server, payout_id


def test_an_operator_records_a_deposit_and_sends_a_payout(
        browser: Any, platform: tuple[RunningServer, int], tmp_path: Path) -> None:
    server, payout_id = platform
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{server.url}/login")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'email'")
    page.keyboard.type("ops@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/operator")

    # The deposit form, with the keyboard: e-mail, amount as typed in Europe, currency.
    page.focus("#deposit input[name=requester]")
    page.keyboard.type("ann@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("12,50")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "currency"
    page.select_option("#deposit select[name=currency]", "EUR")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Record deposit"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Recorded a deposit of €12.50 for ann@example.org")
    ann = page.inner_text("#requesters tbody tr:has-text('ann@example.org')")
    assert "€12.50" in ann
    page.screenshot(path=str(tmp_path / "operator-funds.png"), full_page=True)

    # Payouts: download the CSV, then mark the payout sent.
    page.click("header nav >> text=Payouts")
    page.wait_for_url(f"{server.url}/operator/payouts")
    with page.expect_download() as download_info:
        page.click("text=Download CSV")
    saved = tmp_path / "payouts.csv"
    download_info.value.save_as(str(saved))
    [row] = list(csv.DictReader(saved.open(newline="")))
    assert row["payout_id"] == str(payout_id) and row["amount"] == "1.50"
    assert row["currency"] == "EUR" and row["iban"] == "DE44500105175407324931"
    page.click(f"#payout-{payout_id} button:has-text('Mark sent')")
    page.wait_for_selector(f"text=Payout {payout_id} of €1.50 marked sent")
    assert "No payout is waiting" in page.inner_text("#waiting")
    assert "sent" in page.inner_text(f"#settled #payout-{payout_id}").lower()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "operator-payouts-390.png"), full_page=True)
    # Nothing on the narrow page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("header nav >> text=Moderation")
    page.wait_for_url(f"{server.url}/moderation")
