"""Media through the API (FastAPI's TestClient) on SQLite and PostgreSQL: who sees an image,
what an upload refuses, how an image is served."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.conftest import bearer, usd
from tests.support.clock import FakeClock
from tests.support.funding import fund
from tests.support.images import (
    HTML_AS_PNG,
    SVG,
    bomb_png,
    image_bytes,
    jpeg_with_gps,
    png,
    zip_of,
)

LEASE_SECONDS = 600


def upload(client: TestClient, token: str, project_id: int,
           *files: tuple[str, bytes]) -> Any:
    return client.post(f"/api/v1/projects/{project_id}/media", headers=bearer(token),
                       files=[("file", (name, data, "application/octet-stream"))
                              for name, data in files])


def image_project(client: TestClient, token: str) -> int:
    made = client.post("/api/v1/projects", headers=bearer(token), json={
        "name": "Pets", "schema": {"type": "single_choice", "choices": ["cat", "dog"]},
        "redundancy": 1, "pay_per_task": usd(5), "lease_seconds": LEASE_SECONDS})
    assert made.status_code == 201, made.text
    project_id: int = made.json()["id"]
    return project_id


@pytest.fixture
def shown(client: TestClient, container: Container, people: Accounts,
          admin: str) -> dict[str, Any]:
    """A launched image project of two tasks, one image each; worker `leased` holds the
    lease of the first task, `other` the second's; `idle` holds none."""
    requester, rtoken = people.make(Role.REQUESTER)
    pid = image_project(client, rtoken)
    added = upload(client, rtoken, pid, ("one.png", png(color=(1, 2, 3))),
                   ("two.jpg", jpeg_with_gps()))
    assert added.status_code == 201, added.text
    one, two = added.json()["media"]
    imported = client.post(f"/api/v1/projects/{pid}/tasks", headers=bearer(rtoken),
                           json=[{"data": {"image": "one.png"}}, {"data": {"image": two["ref"]}}])
    assert imported.status_code == 201, imported.text
    fund(container, requester, pid, 10_000)
    assert client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken)).status_code == 200
    tokens = {"requester": rtoken, "admin": admin}
    for role, name in ((Role.REQUESTER, "stranger"), (Role.WORKER, "leased"),
                       (Role.WORKER, "other"), (Role.WORKER, "idle"),
                       (Role.MODERATOR, "moderator")):
        tokens[name] = people.make(role)[1]
    leases = {}
    for name in ("leased", "other"):
        lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(tokens[name]))
        assert lease.status_code == 200, lease.text
        leases[name] = lease.json()
    assert leases["leased"]["task"]["data"] == {"image": one["ref"]}
    assert leases["other"]["task"]["data"] == {"image": two["ref"]}
    return {"pid": pid, "one": one, "two": two, "tokens": tokens, "leases": leases}


def status(client: TestClient, shown: dict[str, Any], who: str | None, which: str = "one"
           ) -> int:
    headers = bearer(shown["tokens"][who]) if who else {}
    code: int = client.get(f"/api/v1/media/{shown[which]['id']}", headers=headers).status_code
    return code


def test_who_sees_an_image(client: TestClient, shown: dict[str, Any], clock: FakeClock) -> None:
    expected = {"requester": 200, "admin": 200, "leased": 200, "stranger": 404, "other": 404,
                "idle": 404, "moderator": 404, None: 404}
    assert {who: status(client, shown, who) for who in expected} == expected
    assert status(client, shown, "other", "two") == 200
    assert client.get(f"/api/v1/media/{shown['one']['id']}",
                      headers=bearer("not-a-token")).status_code == 401
    clock.advance(seconds=LEASE_SECONDS + 1)  # the leases end: so does what they showed
    assert status(client, shown, "leased") == 404 and status(client, shown, "other", "two") == 404


def test_a_moderator_sees_an_image_while_an_appeal_about_it_is_open(
        client: TestClient, shown: dict[str, Any]) -> None:
    tokens = shown["tokens"]
    assignment_id = shown["leases"]["leased"]["assignment_id"]
    submitted = client.post(f"/api/v1/assignments/{assignment_id}/submit",
                            json={"answer": "dog"}, headers=bearer(tokens["leased"]))
    assert submitted.status_code == 201, submitted.text
    assert status(client, shown, "leased") == 404  # answered: no live lease shows it
    rejected = client.post(f"/api/v1/assignments/{assignment_id}/review",
                           json={"decision": "reject", "reason": "it is a cat"},
                           headers=bearer(tokens["requester"]))
    assert rejected.status_code == 200, rejected.text
    assert status(client, shown, "moderator") == 404  # a decision, but no appeal yet
    appeal = client.post(f"/api/v1/decisions/{rejected.json()['id']}/appeal",
                         json={"message": "it looks like a dog to me"},
                         headers=bearer(tokens["leased"]))
    assert appeal.status_code == 201, appeal.text
    assert status(client, shown, "moderator") == 200
    assert status(client, shown, "moderator", "two") == 404  # the appeal is not about it
    resolved = client.post(f"/api/v1/appeals/{appeal.json()['id']}/resolve",
                           json={"outcome": "upheld", "reason": "the ears are a cat's"},
                           headers=bearer(tokens["moderator"]))
    assert resolved.status_code == 200, resolved.text
    assert status(client, shown, "moderator") == 404
    assert status(client, shown, "leased") == 404


def test_an_image_is_served_as_kept_with_its_headers(client: TestClient,
                                                     shown: dict[str, Any]) -> None:
    two = shown["two"]
    token = shown["tokens"]["requester"]
    served = client.get(f"/api/v1/media/{two['id']}", headers=bearer(token))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["etag"] == f'"{two["sha256"]}"'
    assert served.headers["cache-control"].startswith("private")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert int(served.headers["content-length"]) == two["bytes"] == len(served.content)
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (two["width"], two["height"]) == (80, 40)
        assert not image.getexif()  # the GPS position the phone wrote is gone
    again = client.get(f"/api/v1/media/{two['id']}",
                       headers={**bearer(token), "If-None-Match": served.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/media/999999", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/media/0", headers=bearer(token)).status_code == 422
    listed = client.get(f"/api/v1/projects/{shown['pid']}/media", headers=bearer(token)).json()
    assert listed["total"] == 2 and [m["name"] for m in listed["media"]] == ["two.jpg", "one.png"]
    stranger = shown["tokens"]["stranger"]
    assert client.get(f"/api/v1/projects/{shown['pid']}/media",
                      headers=bearer(stranger)).status_code == 404
    assert upload(client, stranger, shown["pid"], ("x.png", png())).status_code == 404


@pytest.fixture
def project(client: TestClient, people: Accounts) -> tuple[int, str]:
    token = people.make(Role.REQUESTER)[1]
    return image_project(client, token), token


@pytest.mark.parametrize("name, data, code, words", [
    ("bomb.png", bomb_png(), 413, "megapixels"),
    ("page.png", HTML_AS_PNG, 422, "not a PNG, JPEG or WebP image"),
    ("cat.gif", image_bytes("GIF"), 422, "not a PNG, JPEG or WebP image"),
    ("logo.svg", SVG, 422, "not a PNG, JPEG or WebP image"),
    ("set.zip", zip_of({"ok.png": png(), "../../etc/evil.png": png()}), 422, "leaves its folder"),
    ("nested.zip", zip_of({"inner.zip": zip_of({"a.png": png()})}), 422, "zip inside a zip"),
])
def test_what_an_upload_refuses(client: TestClient, project: tuple[int, str], name: str,
                                data: bytes, code: int, words: str) -> None:
    pid, token = project
    refused = upload(client, token, pid, ("fine.png", png()), (name, data))
    assert refused.status_code == code, refused.text
    assert words in refused.json()["message"] and "Nothing was added" in \
        refused.json()["message"]
    assert client.get(f"/api/v1/projects/{pid}/media", headers=bearer(token)).json()["total"] == 0


def test_a_60_mb_file_is_refused_with_413(client: TestClient, project: tuple[int, str]) -> None:
    pid, token = project
    refused = upload(client, token, pid, ("huge.png", b"\x89PNG\r\n\x1a\n" + bytes(60 << 20)))
    assert refused.status_code == 413
    assert "the limit per file (FAIRLABEL_MEDIA_MAX_BYTES)" in refused.json()["message"]


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(
        client: TestClient, container: Container, project: tuple[int, str]) -> None:
    pid, token = project
    container.settings.media_upload_max_bytes = 100_000
    refused = upload(client, token, pid, ("a.png", png()), ("b.png", bytes(200_000)))
    assert refused.status_code == 413
    assert "FAIRLABEL_MEDIA_UPLOAD_MAX_BYTES" in refused.json()["message"]
    anonymous = client.post(f"/api/v1/projects/{pid}/media",
                            files=[("file", ("a.png", png(), "image/png"))])
    assert anonymous.status_code == 401


def test_an_upload_of_files_and_a_zip(client: TestClient, project: tuple[int, str]) -> None:
    pid, token = project
    bundle = zip_of({"train/a.png": png(color=(9, 9, 9)), "train/b.webp": image_bytes("WEBP"),
                     "__MACOSX/._a.png": b"junk"})
    added = upload(client, token, pid, ("c.jpg", image_bytes("JPEG")), ("set.zip", bundle))
    assert added.status_code == 201, added.text
    items = added.json()["media"]
    assert [(m["name"], m["content_type"]) for m in items] == [
        ("c.jpg", "image/jpeg"), ("train/a.png", "image/png"), ("train/b.webp", "image/webp")]
    assert all(m["ref"] == f"media:{m['id']}" for m in items)
    again = upload(client, token, pid, ("c.jpg", image_bytes("JPEG")))
    assert again.status_code == 201 and again.json()["media"] == items[:1]  # a retry
    taken = upload(client, token, pid, ("c.jpg", png()))
    assert taken.status_code == 409 and taken.json()["error"] == "media_name_taken"
    nothing = client.post(f"/api/v1/projects/{pid}/media", headers=bearer(token),
                          json={"file": "cat.png"})
    assert nothing.status_code == 422 and "multipart/form-data" in nothing.json()["message"]
    imported = client.post(f"/api/v1/projects/{pid}/tasks", headers=bearer(token),
                           json=[{"data": {"image": "train/a.png"}},
                                 {"data": {"image": "train/missing.png"}}])
    assert imported.status_code == 422
    assert imported.json()["message"].startswith("row 2: 'image' is “train/missing.png”")
