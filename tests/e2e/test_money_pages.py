"""Money typed in the requester pages: a decimal comma is read, and what the API refuses
(too large, a currency without a floor) the pages refuse too, with the same words."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import Money
from fairlabel.services import projects
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, requester_with_a_draft, sign_in


def test_prices_and_funding_typed_with_a_decimal_comma_are_read(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, url, token = requester_with_a_draft(client, people, container,
                                                   pay_typed="0,10", currency="eur")
    [view] = projects.list_projects(container.db, requester)
    assert view.project.terms.pay_per_task == Money(10, "EUR")
    funded = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "12,50"})
    assert "Escrow now holds €12.50" in funded.text
    raised = client.post(f"{url}/price", data={"csrf_token": token, "amount": "0,12"})
    assert "takes effect now" in raised.text
    assert projects.get_project(container.db, requester, view.project.id).project.terms \
        .pay_per_task == Money(12, "EUR")
    spaced = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "€ 0,50"})
    assert "Escrow now holds €13.00" in spaced.text
    too_fine = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "1.005"})
    assert "Not funded" in too_fine.text and "more decimals than EUR allows" in too_fine.text


def test_the_project_form_refuses_too_large_and_floorless_prices_in_plain_words(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    token = csrf(client, "/requester/projects/new")
    for pay_typed, currency, words in [
            ("99999999999", "USD", "no amount may exceed 1,000,000,000,000 minor units"),
            ("9" * 5000, "USD", "no amount may exceed"),
            ("120", "JPY", "no floor is set for JPY; an operator sets one with "
                           "FAIRLABEL_FLOORS"),
            ("1", "XYZ", "not an ISO 4217 currency")]:
        refused = client.post("/requester/projects/new", data={
            "csrf_token": token, "name": "Big", "type": "pairwise", "pay": pay_typed,
            "currency": currency})
        assert refused.status_code == 400 and words in refused.text, (currency, refused.text)
    assert projects.list_projects(container.db, requester) == []
