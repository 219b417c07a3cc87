"""Hardening of the web entrance, in process on SQLite and PostgreSQL, and against a real
server process: body sizes (counted while they stream), text and numbers in JSON bodies and
task files, CSV dialects, security headers and Secure session cookies."""

from __future__ import annotations

import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.adapters.web.limits import api_needs_credentials
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_api import counts, new_project
from tests.e2e.test_browser import browser  # noqa: F401 (the fixture)
from tests.e2e.test_pages import csrf, sign_in
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.server import RunningServer, running_server
from tests.support.work import bearer

MiB = 1024 * 1024


@pytest.fixture
def requester(people: Accounts) -> str:
    return people.make(Role.REQUESTER)[1]


@pytest.fixture
def project_id(client: TestClient, requester: str) -> int:
    return int(new_project(client, requester)["id"])


def tasks_url(project_id: int) -> str:
    return f"/api/v1/projects/{project_id}/tasks"


def error(response: Any, status: int, code: str | None = None) -> str:
    """The message of an API error, after checking its status and shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}, body
    if code is not None:
        assert body["error"] == code, body
    return str(body["message"])


# --- 1. Body sizes -------------------------------------------------------------------------


def test_a_body_over_the_default_limit_is_refused_with_413(
        client: TestClient, requester: str, container: Container) -> None:
    body = {"name": "Big", "instructions": "x" * MiB, "schema": {"type": "pairwise"},
            "redundancy": 1, "pay_per_task": {"amount_minor": 5, "currency": "USD"}}
    message = error(client.post("/api/v1/projects", json=body, headers=bearer(requester)),
                    413, "too_large")
    assert "1048576 bytes" in message
    assert counts(container)[0] == 0


def test_a_streamed_body_without_a_length_is_counted_and_refused(
        client: TestClient, requester: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "Big", "instructions": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/api/v1/projects", content=chunks(),
                           headers={**bearer(requester), "Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert "1048576 bytes" in error(response, 413, "too_large")


def test_imports_may_be_larger_than_other_bodies_up_to_the_import_limit(
        client: TestClient, requester: str, project_id: int, container: Container) -> None:
    rows = [{"data": {"text": "y" * 1000}} for _ in range(1500)]  # about 1.5 MB
    response = client.post(tasks_url(project_id), json=rows, headers=bearer(requester))
    assert response.status_code == 201, response.text
    container.settings.import_max_bytes = 2 * MiB
    more = [{"data": {"text": "y" * 1000}} for _ in range(2500)]
    message = error(client.post(tasks_url(project_id), json=more, headers=bearer(requester)),
                    413, "too_large")
    assert str(2 * MiB) in message


def test_an_anonymous_request_is_refused_before_its_body_is_read(
        client: TestClient, project_id: int) -> None:
    response = client.post(tasks_url(project_id), content=b"[" + b" " * (3 * MiB) + b"]",
                           headers={"Content-Type": "application/json"})
    assert "sign in" in error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    # A session cookie without a signed-in user is no credential either.
    client.get("/login")
    assert client.cookies.get("fairlabel_session")
    response = client.post("/api/v1/projects", content=b"{" + b" " * (2 * MiB) + b"}",
                           headers={"Content-Type": "application/json"})
    error(response, 401, "unauthorized")


def test_the_gate_knows_which_api_routes_need_a_caller(client: TestClient) -> None:
    """Without a body the gate lets every request through: the route's own answer says
    whether it needs a caller, and the gate's rule must agree with it."""
    spec = client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in methods:
            status = client.request(method.upper(), url).status_code
            assert (status == 401) == api_needs_credentials(method.upper(), url), (
                method, path, status)


def test_public_routes_and_forms_keep_the_default_limit(client: TestClient) -> None:
    token = csrf(client, "/login")
    response = client.post("/login", data={"email": "x" * (2 * MiB), "password": "p",
                                           "csrf_token": token})
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]


def test_the_upload_page_takes_files_over_the_default_limit(
        client: TestClient, people: Accounts) -> None:
    user, token = people.make(Role.REQUESTER)
    own = new_project(client, token, {"type": "pairwise"})
    sign_in(client, user.email)
    rows = "".join('{"prompt": "p", "response_a": "%s", "response_b": "b"}\n' % ("a" * 1000)
                   for _ in range(1500))
    page = f"/requester/projects/{own['id']}"
    response = client.post(f"{page}/upload", data={"csrf_token": csrf(client, page)},
                           files={"file": ("tasks.jsonl", rows.encode(), "application/x-ndjson")},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Imported 1,500 tasks" in client.get(page).text


# --- 2. Text and numbers at the JSON entrance and in task files ---------------------------


def test_a_lone_surrogate_in_an_import_is_refused_with_where_it_is(
        client: TestClient, requester: str, project_id: int, container: Container) -> None:
    body = b'[{"data": {"text": "fine"}}, {"data": {"text": "bad \\ud800 here"}}]'
    response = client.post(tasks_url(project_id), content=body,
                           headers={**bearer(requester), "Content-Type": "application/json"})
    message = error(response, 422, "import_rejected")
    assert "row 2" in message and "data.text" in message
    assert "unpaired surrogate (\\ud800)" in message and "well-formed Unicode" in message
    jsonl = b'{"text": "fine"}\n{"text": "\\udfff"}\n'
    response = client.post(tasks_url(project_id), content=jsonl, headers={
        **bearer(requester), "Content-Type": "application/x-ndjson"})
    assert "row 2" in error(response, 422, "import_rejected")
    assert counts(container)[1] == 0


def test_surrogates_and_nul_in_any_json_body_are_refused(
        client: TestClient, requester: str, container: Container) -> None:
    auth = {**bearer(requester), "Content-Type": "application/json"}
    base = ('{"name": %s, "instructions": "i", "schema": {"type": "pairwise"}, '
            '"redundancy": 1, "pay_per_task": {"amount_minor": 5, "currency": "USD"}}')
    message = error(client.post("/api/v1/projects", content=base % '"a\\ud83d"', headers=auth),
                    422, "invalid")
    assert "name" in message and "unpaired surrogate (\\ud83d)" in message
    message = error(client.post("/api/v1/projects", content=base % '"a\\u0000b"', headers=auth),
                    422, "invalid")
    assert "name" in message and "NUL" in message
    # A surrogate pair is one well-formed character.
    created = client.post("/api/v1/projects", content=base % '"\\ud83d\\ude00"', headers=auth)
    assert created.status_code == 201 and created.json()["name"] == "\U0001f600"
    # Raw bytes of an encoded surrogate are not UTF-8.
    raw = (base % '"x"').encode().replace(b'"x"', b'"\xed\xa0\x80"')
    assert "UTF-8" in error(client.post("/api/v1/projects", content=raw, headers=auth), 422)


def test_a_nul_in_an_e_mail_is_refused_in_json_and_in_forms(
        client: TestClient, people: Accounts) -> None:
    _admin, token = people.make(Role.ADMIN)
    response = client.post("/api/v1/admin/deposits", content=(
        b'{"requester": "a\\u0000@example.org", '
        b'"amount": {"amount_minor": 100, "currency": "USD"}}'),
        headers={**bearer(token), "Content-Type": "application/json"})
    assert "NUL" in error(response, 422, "invalid")
    login = client.post("/login", data={"email": "a\x00@example.org", "password": "p",
                                        "csrf_token": csrf(client, "/login")})
    assert login.status_code == 422 and "NUL" in login.text
    signup = client.post("/signup", data={"email": "b@example.org", "password": "x\x00" * 8,
                                          "csrf_token": csrf(client, "/signup")})
    assert signup.status_code == 422
    assert client.get("/login?next=%00").status_code == 400


@pytest.mark.parametrize(("literal", "words"), [
    ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
    ("1e400", "too large"), ("1" * 4301, "4301 digits"), ("1" * 101, "101 digits")])
def test_non_finite_and_huge_numbers_are_refused(
        client: TestClient, requester: str, project_id: int, literal: str, words: str) -> None:
    body = '[{"data": {"text": "t", "score": ' + literal + "}}]"
    response = client.post(tasks_url(project_id), content=body,
                           headers={**bearer(requester), "Content-Type": "application/json"})
    message = error(response, 422, "import_rejected")
    assert "row 1" in message and "data.score" in message and words in message
    response = client.post("/api/v1/projects", content='{"name": ' + literal + "}",
                           headers={**bearer(requester), "Content-Type": "application/json"})
    assert words in error(response, 422, "invalid")


def test_deep_nesting_is_refused(client: TestClient, requester: str, project_id: int) -> None:
    deep = "[" * 1000 + "]" * 1000
    response = client.post(tasks_url(project_id), content=f'[{{"data": {{"x": {deep}}}}}]',
                           headers={**bearer(requester), "Content-Type": "application/json"})
    message = error(response, 422, "import_rejected")
    assert "row 1" in message and "nested more than 32" in message
    response = client.post("/api/v1/projects", content=deep,
                           headers={**bearer(requester), "Content-Type": "application/json"})
    assert "nested more than 32" in error(response, 422, "invalid")
    jsonl = '{"text": "ok"}\n{"x": %s}\n' % ("[" * 100_000 + "]" * 100_000)
    response = client.post(tasks_url(project_id), content=jsonl, headers={
        **bearer(requester), "Content-Type": "application/x-ndjson"})
    assert "row 2" in error(response, 422, "import_rejected")


def test_submitted_answers_pass_the_same_entrance(
        client: TestClient, people: Accounts, container: Container) -> None:
    _, requester = people.make(Role.REQUESTER)
    _, worker = people.make(Role.WORKER)
    project = new_project(client, requester, {"type": "pairwise"})
    from tests.e2e.test_api import fund_by_token

    fund_by_token(container, requester, project["id"])
    client.post(tasks_url(project["id"]), headers=bearer(requester), json=[
        {"data": {"prompt": "p", "response_a": "a", "response_b": "b"}}])
    client.post(f"/api/v1/projects/{project['id']}/launch", headers=bearer(requester))
    lease = client.get(f"/api/v1/projects/{project['id']}/next", headers=bearer(worker)).json()
    response = client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                           content=b'{"answer": {"choice": "a", "rationale": "\\udc00"}}',
                           headers={**bearer(worker), "Content-Type": "application/json"})
    assert "answer.rationale" in error(response, 422, "invalid")


# --- 3. CSV ---------------------------------------------------------------------------------


def test_an_unterminated_quote_in_a_csv_is_refused_with_its_row(
        client: TestClient, requester: str, project_id: int, container: Container) -> None:
    csv_text = 'text,source\nfine,web\n"never closed,web\nthird,web\nfourth,web\n'
    response = client.post(tasks_url(project_id), content=csv_text,
                           headers={**bearer(requester), "Content-Type": "text/csv"})
    message = error(response, 422, "import_rejected")
    assert "row 2" in message and "quote" in message
    assert counts(container)[1] == 0


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"),
                                                 (",", "comma")])
def test_csv_delimiters_are_detected_and_the_answer_says_what_was_read(
        client: TestClient, requester: str, project_id: int, delimiter: str, name: str) -> None:
    csv_text = (f"text{delimiter}source\n"
                f'"Hello, world; bye"{delimiter}web\n'
                f"second one{delimiter}mail\n")
    response = client.post(tasks_url(project_id), content=csv_text.encode(),
                           headers={**bearer(requester), "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2, "rows_read": 2, "columns": ["text", "source"],
                               "delimiter": delimiter}


def test_json_imports_say_which_fields_they_read(
        client: TestClient, requester: str, project_id: int) -> None:
    response = client.post(tasks_url(project_id), headers=bearer(requester), json=[
        {"data": {"text": "a", "id": 1}}, {"text": "b", "lang": "en"}])
    assert response.json() == {"imported": 2, "rows_read": 2,
                               "columns": ["text", "id", "lang"], "delimiter": None}


# --- 4. Security headers and cookies --------------------------------------------------------


def _check_security_headers(headers: Any) -> None:
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
        "script-src")[1].split(";")[0]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_every_response_carries_the_security_headers(
        client: TestClient, requester: str) -> None:
    for response in (client.get("/login"), client.get("/api/v1/health"),
                     client.get("/static/style.css"), client.get("/no-such-page"),
                     client.get("/api/v1/projects"),
                     client.post("/api/v1/projects", content=b"x" * (2 * MiB),
                                 headers=bearer(requester)),
                     client.get("/public/requesters")):
        _check_security_headers(response.headers)


def test_a_server_error_carries_the_security_headers(container: Container) -> None:
    app = create_app(container)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    _check_security_headers(response.headers)


def test_session_cookies_are_secure_over_https_only(container: Container,
                                                    people: Accounts) -> None:
    app = create_app(container)
    with TestClient(app, base_url="https://testserver") as secure:
        assert "secure" in secure.get("/login").headers["set-cookie"].lower()
    with TestClient(app) as plain:
        assert "secure" not in plain.get("/login").headers["set-cookie"].lower()
    container.settings.secure_cookies = True
    with TestClient(create_app(container)) as forced:
        assert "secure" in forced.get("/login").headers["set-cookie"].lower()


# --- A real server process ------------------------------------------------------------------


def _vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


def _body(total: int, *, chunked: bool) -> Iterator[bytes]:
    """`total` bytes of a JSON array, made as they are sent (never held at once)."""
    piece = b"[" + b" " * 65534 + b","
    for _ in range(total // len(piece)):
        yield b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece


def _post_streaming(url: str, path: str, headers: dict[str, str], total: int,
                    *, chunked: bool) -> tuple[int, float, int]:
    """POST `total` bytes from a generator over a raw socket, and stop sending as soon as the
    server answers. Returns (status, seconds until the answer, body bytes sent by then)."""
    host, port = url.removeprefix("http://").split(":")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
             *(f"{k}: {v}" for k, v in headers.items()),
             "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"]
    start, sent, answer = time.monotonic(), 0, b""
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        pieces = _body(total, chunked=chunked)
        pending = memoryview(b"")
        while not answer and time.monotonic() - start < 30:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                answer = sock.recv(65536)
                break
            if writable:
                if not pending:
                    pending = memoryview(next(pieces, b""))
                    if not pending:
                        break
                try:
                    done = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent, pending = sent + done, pending[done:]
        elapsed = time.monotonic() - start
        while answer and b"\r\n" not in answer:
            answer += sock.recv(65536)
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, elapsed, sent


@pytest.mark.slow
def test_a_200_mb_post_to_a_real_server_is_refused_at_once_without_memory_growth(
        tmp_path: Path) -> None:
    import httpx

    url = sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
    with running_server(url, tmp_path, env={"FAIRLABEL_SWEEP_SECONDS": "0"}) as server:
        _warm_up(server)
        before = _vm_hwm_kib(server.process.pid)
        size = 200 * MiB
        for headers, chunked, status in (
                ({}, False, 401), ({}, True, 401),
                ({"Authorization": "Bearer not-a-token"}, False, 413),
                ({"Authorization": "Bearer not-a-token"}, True, 413)):
            code, seconds, sent = _post_streaming(server.url, "/api/v1/projects/1/tasks"
                                                  if status == 401 else "/api/v1/projects",
                                                  headers, size, chunked=chunked)
            assert code == status, (headers, chunked, code)
            assert seconds < 3, (headers, chunked, seconds)
            assert sent < 20 * MiB, (headers, chunked, sent)
        after = _vm_hwm_kib(server.process.pid)
        assert after - before < 16 * 1024, f"VmHWM grew from {before} to {after} KiB"
        # Behind a proxy that says the request came over HTTPS, the cookie is Secure.
        page = httpx.get(f"{server.url}/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in page.headers["set-cookie"].lower()
        assert "secure" not in httpx.get(f"{server.url}/login").headers["set-cookie"].lower()
        _check_security_headers(page.headers)


def _warm_up(server: RunningServer) -> None:
    import httpx

    for _ in range(5):
        httpx.get(f"{server.url}/login")
        httpx.post(f"{server.url}/api/v1/projects", json={"name": "x"},
                   headers={"Authorization": "Bearer nope"})


# --- The pages pass their policy in a real browser -------------------------------------------

_REPORT_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', e => {"
    " (window.__violations = window.__violations || [])"
    ".push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`); });")


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy(request: pytest.FixtureRequest,
                                                    tmp_path: Path) -> None:
    from fairlabel.domain.label_schema import parse_schema
    from fairlabel.domain.money import Money
    from fairlabel.domain.projects import ProjectTerms
    from tests.e2e.test_browser import PASSWORD, serve_project

    chromium = request.getfixturevalue("browser")
    site = serve_project(tmp_path, ProjectTerms(
        "Sentiment", "Choose **one**.", parse_schema(
            {"type": "single_choice", "choices": ["a", "b"]}), 2, Money(5, "USD"), 600),
        [{"data": {"text": f"t{i}", "image": "https://example.org/cat.png"}} for i in range(3)],
        env={"FAIRLABEL_IMAGE_HOSTS": '["example.org"]'})
    server, project_id, _token = next(site)
    try:
        for who, paths in (
                ("worker@example.org", ["/worker", f"/worker/projects/{project_id}",
                                        "/worker/earnings", "/worker/decisions",
                                        "/public/requesters", "/public/algorithms"]),
                ("req@example.org", ["/requester", f"/requester/projects/{project_id}",
                                     "/requester/projects/new"]),
                (None, ["/login", "/signup", "/no-such-page"])):
            context = chromium.new_context()
            page = context.new_page()
            page.add_init_script(_REPORT_VIOLATIONS)
            if who:
                page.goto(f"{server.url}/login")
                page.fill("input[name=email]", who)
                page.fill("input[name=password]", PASSWORD)
                page.press("input[name=password]", "Enter")
                page.wait_for_load_state()
            for path in paths:
                page.goto(f"{server.url}{path}")
                if path == f"/worker/projects/{project_id}":  # the module ran: a task shows
                    page.wait_for_selector("#task img")
                assert page.evaluate("window.__violations || []") == [], path
            context.close()
    finally:
        site.close()


def test_task_images_load_only_from_hosts_the_operator_allows(container: Container) -> None:
    from fairlabel.adapters.web.security import content_security_policy

    with TestClient(create_app(container)) as client:
        policy = client.get("/login").headers["content-security-policy"]
    assert "img-src 'self' data:;" in policy and "https:" not in policy
    allowed = content_security_policy(["Images.Example.org"])
    assert "img-src 'self' data: https://images.example.org;" in allowed
    with pytest.raises(ValueError, match="not a host name"):
        content_security_policy(["https://evil.example/x"])
