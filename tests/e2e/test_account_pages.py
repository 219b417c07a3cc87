"""The account page, in process: language and time zone chosen and applied, sign-up keeping
the visitor's language, a requester's public display name on the public record and its reset
by a moderator; the public record's names and continuations; the error page."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.e2e.test_public_api import record  # noqa: F401  (a fixture)
from tests.support.work import bearer, launched_project


def _lang(page: str) -> str:
    html = BeautifulSoup(page, "html.parser").find("html")
    assert isinstance(html, Tag)
    return str(html["lang"])


def _choose(client: TestClient, **fields: str) -> Any:
    return client.post("/account/preferences", follow_redirects=True,
                       data={"csrf_token": csrf(client, "/account"), **fields})


def test_a_worker_reads_the_pages_in_french_with_times_in_their_zone(
        client: TestClient, container: Container, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    sign_in(client, worker.email)
    page = client.get("/account")
    assert _lang(page.text) == "en" and "Language and time" in page.text
    assert "UTC" in page.text  # no choice and no browser zone yet: UTC, and it says so
    done = _choose(client, language="fr", time_zone="Africa/Nairobi")
    assert _lang(done.text) == "fr"
    assert "Enregistré : les pages suivent désormais vos choix." in done.text
    assert "Votre compte" in done.text and "Langue et heure" in done.text
    # The API token made at 09:00 UTC is shown at 12:00 in Nairobi, named, in French form.
    table = BeautifulSoup(done.text, "html.parser").select_one("table.stack")
    assert table is not None
    created = table.select_one("td[data-label='Créé']")
    assert created is not None and "12:00 EAT" in created.text and "nov." in created.text
    chosen = BeautifulSoup(done.text, "html.parser").select_one(
        "select[name=time_zone] option[selected]")
    assert chosen is not None and chosen["value"] == "Africa/Nairobi"
    saved = accounts.find_user(container.db, worker.email)
    assert saved is not None and (saved.language, saved.time_zone) == ("fr", "Africa/Nairobi")
    decisions = client.get("/worker/decisions")
    assert _lang(decisions.text) == "fr" and "Les décisions qui vous concernent" in decisions.text
    # Back to the browser's choices: English without an Accept-Language header, French with.
    _choose(client, language="", time_zone="")
    assert _lang(client.get("/account").text) == "en"
    assert _lang(client.get("/account", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text) \
        == "fr"


def test_a_time_zone_that_does_not_exist_is_refused_and_nothing_changes(
        client: TestClient, people: Accounts) -> None:
    worker, _ = people.make(Role.WORKER)
    sign_in(client, worker.email)
    refused = _choose(client, language="fr", time_zone="Mars/Olympus")
    assert "Not saved: Mars/Olympus is not a time zone" in refused.text
    assert _lang(refused.text) == "en"
    unknown = _choose(client, language="tlh", time_zone="")
    assert "Not saved: tlh is not a language the pages speak" in unknown.text


def test_signing_up_keeps_the_language_the_visitor_was_reading_in(
        client: TestClient, container: Container) -> None:
    chose = client.post("/language", data={"language": "fr", "next": "/signup"},
                        follow_redirects=True)
    assert _lang(chose.text) == "fr" and "S’inscrire pour travailler" in chose.text
    signed = client.post("/signup", follow_redirects=True, data={
        "email": "amina@example.org", "password": "long enough",
        "csrf_token": csrf(client, "/signup")})
    assert signed.status_code == 200
    client.cookies.delete("lang")  # the account remembers, not the cookie
    assert _lang(client.get("/account").text) == "fr"
    saved = accounts.find_user(container.db, "amina@example.org")
    assert saved is not None and saved.language == "fr" and saved.time_zone is None


def test_a_requester_names_themselves_and_a_moderator_resets_the_name(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    launched_project(container, requester, name="Birds")
    sign_in(client, requester.email)
    named = client.post("/account/display-name", follow_redirects=True, data={
        "csrf_token": csrf(client, "/account"), "display_name": "  Acme   Labels "})
    assert "The public record now shows you as “Acme Labels”." in named.text
    public = TestClient(client.app)
    listing = public.get("/public/requesters").text
    assert "Acme Labels" in listing and requester.pseudonym not in listing
    record_page = public.get(f"/public/requesters/{requester.id}").text
    heading = BeautifulSoup(record_page, "html.parser").find("h1")
    assert heading is not None and "Acme Labels" in heading.text
    assert requester.pseudonym not in record_page

    worker, _ = people.make(Role.WORKER)
    other = TestClient(client.app)
    sign_in(other, worker.email)
    assert BeautifulSoup(other.get("/account").text, "html.parser").find(
        "form", action="/account/display-name") is None  # workers have no public name
    refused = other.post("/account/display-name", follow_redirects=False, data={
        "csrf_token": csrf(other, "/account"), "display_name": "Not a requester"})
    assert refused.headers["location"] == "/worker"
    assert "Not a requester" not in public.get("/public/requesters").text

    moderator = TestClient(client.app)
    sign_in(moderator, people.make(Role.MODERATOR)[0].email)
    page = BeautifulSoup(moderator.get("/moderation").text, "html.parser")
    form = page.find("form", action=f"/moderation/display-names/{requester.id}/reset")
    assert isinstance(form, Tag) and "Acme Labels" in page.text
    no_reason = moderator.post(str(form["action"]), follow_redirects=True, data={
        "csrf_token": csrf(moderator, "/moderation"), "reason": ""})
    assert "Display name not reset" in no_reason.text
    done = moderator.post(str(form["action"]), follow_redirects=True, data={
        "csrf_token": csrf(moderator, "/moderation"),
        "reason": "it is the name of another company"})
    assert "Display name reset" in done.text
    assert "No requester has chosen a display name." in done.text
    assert requester.pseudonym in public.get("/public/requesters").text
    inbox = client.get("/api/v1/me/inbox", headers=bearer(rtoken)).json()
    text = str(inbox)
    assert "Acme Labels" in text and "it is the name of another company" in text


def test_the_public_record_names_and_links_continuations(
        client: TestClient, record: dict[str, Any]) -> None:  # noqa: F811
    page = BeautifulSoup(client.get(f"/public/requesters/{record['requester'].id}").text,
                         "html.parser")
    row = page.find(id=f"project-{record['new']}")
    assert isinstance(row, Tag)
    link = row.find("a", href=f"#project-{record['old']}")
    assert isinstance(link, Tag) and link.text == "“Musen”"
    assert "continues" in row.text
    assert page.find(id=f"project-{record['old']}") is not None
    for cell in page.select("table.stack td"):
        assert cell.has_attr("data-label")  # a labelled list on a phone
    french = client.get(f"/public/requesters/{record['requester'].id}",
                        headers={"Accept-Language": "fr"}).text
    assert "poursuit" in french and "Rémunération par heure mesurée" in french


def test_the_error_page_says_what_happened_in_plain_words_and_a_way_back(
        client: TestClient) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    page = BeautifulSoup(missing.text, "html.parser")
    heading = page.find("h1")
    assert heading is not None and heading.text == "We could not find this page"
    assert "Not Found" not in missing.text  # no framework words
    assert page.find("a", href="/") is not None
    french = client.get("/no/such/page", headers={"Accept-Language": "fr"})
    assert "Nous n’avons pas trouvé cette page" in french.text
    assert "Retour à la page d’accueil" in french.text
    gone = client.get("/public/requesters/999999", headers={"Accept-Language": "fr"})
    assert gone.status_code == 404 and _lang(gone.text) == "fr"
