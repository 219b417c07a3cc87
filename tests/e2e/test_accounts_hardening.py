"""Accounts hardened: rate-limited sign-in and sign-up, server-side sessions, API tokens that
expire and can be revoked, e-mail addresses that cannot pose as another account, and a
sign-up that does not say who has an account."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.e2e.conftest import bearer
from tests.e2e.test_pages import csrf, sign_in
from tests.support.cli import run_cli
from tests.support.clock import FakeClock


def _login(client: TestClient, email: str, password: str) -> int:
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf(client, "/login")},
                           follow_redirects=False)
    return response.status_code


def _signup(client: TestClient, email: str, password: str = "correct horse") -> Response:
    return client.post("/signup", data={"email": email, "password": password,
                                        "csrf_token": csrf(client, "/signup")},
                       follow_redirects=False)


# --- rate limits -----------------------------------------------------------------------


def test_wrong_passwords_are_limited_per_account_with_429_and_retry_after(
        client: TestClient, people: Accounts, clock: FakeClock) -> None:
    user, _ = people.make(Role.WORKER)
    statuses = [_login(client, user.email, "wrong password") for _ in range(30)]
    assert statuses.count(400) == 10 and statuses[10:] == [429] * 20
    response = client.post("/login", data={"email": user.email, "password": "correct horse",
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 300 and "too many" in response.text.lower()
    clock.advance(seconds=wait)
    assert _login(client, user.email, "correct horse") == 303


def test_the_account_limit_holds_whatever_the_spelling_of_the_address(
        client: TestClient, people: Accounts) -> None:
    user, _ = people.make(Role.WORKER)
    for i in range(10):
        _login(client, user.email.upper() if i % 2 else user.email, "wrong password")
    assert _login(client, " " + user.email.upper(), "wrong password") == 429


def test_sign_in_is_limited_per_client_address(client: TestClient, people: Accounts) -> None:
    statuses = [_login(client, f"nobody{i}@example.org", "wrong password") for i in range(40)]
    assert 429 in statuses and statuses.index(429) == 30
    # Another address is not held back by this one.
    user, _ = people.make(Role.WORKER)
    other = TestClient(client.app, client=("10.0.0.2", 5000))
    assert _login(other, user.email, "correct horse") == 303


def test_sign_ups_are_limited_per_address(client: TestClient, clock: FakeClock) -> None:
    statuses = [_signup(client, f"new{i}@example.org").status_code for i in range(8)]
    assert statuses == [303] * 5 + [429] * 3
    limited = _signup(client, "new99@example.org")
    assert int(limited.headers["Retry-After"]) > 0
    clock.advance(hours=1)
    assert _signup(client, "new99@example.org").status_code == 303


# --- sessions --------------------------------------------------------------------------


def test_a_session_cookie_no_longer_works_after_sign_out(
        client: TestClient, people: Accounts) -> None:
    user, _ = people.make(Role.WORKER)
    sign_in(client, user.email)
    stolen = client.cookies["fairlabel_session"]
    assert client.get("/worker", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/worker")})
    replay = TestClient(client.app, cookies={"fairlabel_session": stolen})
    assert replay.get("/worker", follow_redirects=False).status_code == 303
    assert replay.get("/api/v1/me/inbox").status_code == 401


def test_a_session_ends_after_its_lifetime(client: TestClient, people: Accounts,
                                           clock: FakeClock) -> None:
    user, _ = people.make(Role.WORKER)
    sign_in(client, user.email)
    clock.advance(days=13)
    assert client.get("/worker", follow_redirects=False).status_code == 200
    clock.advance(days=1, seconds=1)
    assert client.get("/worker", follow_redirects=False).status_code == 303


# --- API tokens ------------------------------------------------------------------------


def test_a_token_with_an_expiry_stops_working(container: Container, client: TestClient,
                                              people: Accounts, clock: FakeClock) -> None:
    user, _ = people.make(Role.WORKER)
    token = accounts.create_token(container.db, email=user.email, name="laptop",
                                  expires_days=1, now=clock())
    assert client.get("/api/v1/me/inbox", headers=bearer(token)).status_code == 200
    clock.advance(days=1, seconds=1)
    assert client.get("/api/v1/me/inbox", headers=bearer(token)).status_code == 401


def test_tokens_record_when_they_were_last_used(container: Container, client: TestClient,
                                                people: Accounts, clock: FakeClock) -> None:
    user, token = people.make(Role.WORKER)
    assert accounts.tokens_of(container.db, user.id)[0].last_used_at is None
    clock.advance(minutes=5)
    client.get("/api/v1/me/inbox", headers=bearer(token))
    assert accounts.tokens_of(container.db, user.id)[0].last_used_at == clock()


def test_the_cli_creates_named_expiring_tokens_and_revokes_them(
        database_url: str, monkeypatch: pytest.MonkeyPatch, container: Container) -> None:
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", database_url)
    run_cli(["user", "add", "ann@example.org", "--role", "worker",
                         "--password-stdin"], input="s3cret-pass\n")
    made = run_cli(["token", "create", "ann@example.org", "--name", "laptop",
                                "--expires-days", "30"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    second = run_cli(["token", "create", "ann@example.org"]).stdout.strip()
    listed = run_cli(["token", "list", "ann@example.org"])
    assert listed.exit_code == 0 and "laptop" in listed.stdout
    user = accounts.user_for_token(container.db, token)
    assert user is not None
    first_id = accounts.tokens_of(container.db, user.id)[0].id
    revoked = run_cli(["token", "revoke", str(first_id)])
    assert revoked.exit_code == 0, revoked.output
    assert accounts.user_for_token(container.db, token) is None
    assert accounts.user_for_token(container.db, second) is not None
    everything = run_cli(["token", "revoke", "--all", "ann@example.org"])
    assert everything.exit_code == 0 and "1" in everything.stderr
    assert accounts.user_for_token(container.db, second) is None
    assert run_cli(["token", "revoke"]).exit_code != 0


def test_the_account_page_lists_tokens_and_revokes_them_at_once(
        container: Container, client: TestClient, people: Accounts) -> None:
    user, token = people.make(Role.REQUESTER)
    other, other_token = people.make(Role.WORKER)
    assert client.get("/api/v1/me/inbox", headers=bearer(token)).status_code == 200  # now cached
    sign_in(client, user.email)
    page = BeautifulSoup(client.get("/account").text, "html.parser")
    forms = page.select("form.revoke-token")
    assert len(forms) == 1 and "test" in page.text
    action = str(forms[0]["action"])
    # Without the CSRF token nothing happens; another user's token cannot be revoked.
    assert client.post(action, data={"csrf_token": "forged"}).status_code == 403
    other_id = accounts.tokens_of(container.db, other.id)[0].id
    assert client.post(f"/account/tokens/{other_id}/revoke",
                       data={"csrf_token": csrf(client, "/account")}).status_code == 404
    done = client.post(action, data={"csrf_token": csrf(client, "/account")})
    assert done.status_code == 200 and "revoked" in done.text
    assert client.get("/api/v1/me/inbox", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me/inbox", headers=bearer(other_token)).status_code == 200


# --- e-mail addresses -------------------------------------------------------------------


@pytest.mark.parametrize("look_alike", [
    "ｗ01@x.org",            # fullwidth w: NFKC makes it w01@x.org
    "W01@X.ORG",
    "w01@x.org\u200b",       # zero-width space
    "w\u200d01@x.org",       # zero-width joiner
    "\u0461" "01@x.org",     # Cyrillic omega (ѡ) for w
    "w01@\u0445.org",        # Cyrillic ha (х) for x
])
def test_look_alikes_of_an_account_make_no_new_account(
        client: TestClient, people: Accounts, container: Container, look_alike: str) -> None:
    people.make(Role.WORKER, email="w01@x.org")
    response = _signup(client, look_alike)
    assert response.status_code == 400
    with container.db.read() as tx:
        assert [u.email for u in tx.users.with_role(Role.WORKER)] == ["w01@x.org"]


def test_sign_up_does_not_say_whether_an_address_has_an_account(
        client: TestClient, people: Accounts) -> None:
    people.make(Role.WORKER, email="cop@example.org")
    taken = _signup(client, "cop@example.org")
    look_alike = _signup(client, "\u0441\u043e\u0440@example.org")  # Cyrillic с, о, р
    assert taken.status_code == look_alike.status_code == 400

    def message(html: str) -> str:
        alert = BeautifulSoup(html, "html.parser").find(role="alert")
        assert alert is not None
        return alert.get_text()

    assert message(taken.text) == message(look_alike.text)
    assert "exist" not in message(taken.text) and "cop@" not in message(taken.text)
    # The same all-Cyrillic address is a new account where nothing looks like it.
    assert _signup(client, "\u0441\u043e\u0440@example.net").status_code == 303


def test_existing_accounts_sign_in_with_any_spelling(client: TestClient,
                                                     people: Accounts) -> None:
    people.make(Role.WORKER, email="ann@example.org")
    assert _login(client, "ＡＮＮ@example.org", "correct horse") == 303


def test_invisible_characters_are_refused_at_sign_up(client: TestClient) -> None:
    response = _signup(client, "zw\u200b@example.org")
    assert response.status_code == 400 and "invisible" in response.text


def test_a_fresh_app_keeps_its_own_limits(container: Container) -> None:
    """Each app (each server process) has its own limiter: documented in docs/security.md."""
    first, second = create_app(container), create_app(container)
    assert first.state.auth_limiter is not second.state.auth_limiter
