"""Projects of every task type answered through the API, for the export and import tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from fairlabel.adapters.container import Container
from fairlabel.services import accounts
from tests.support.funding import fund
from tests.support.work import bearer, usd

Answer = Callable[[dict[str, Any]], Any]
"""What a worker answers to a task's data."""


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def upload(client: TestClient, token: str, project_id: int,
           files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Upload images; their media items by name."""
    response = client.post(f"/api/v1/projects/{project_id}/media", headers=bearer(token),
                           files=[("file", (name, data, "image/png"))
                                  for name, data in files.items()])
    assert response.status_code == 201, response.text
    return {m["name"]: m for m in response.json()["media"]}


def project(client: TestClient, token: str, schema: dict[str, Any], *, redundancy: int = 3,
            **quality: Any) -> int:
    body: dict[str, Any] = {"name": f"{schema['type']} project", "schema": schema,
                            "redundancy": redundancy, "pay_per_task": usd(5),
                            "lease_seconds": 600}
    if quality:
        body["quality"] = quality
    response = client.post("/api/v1/projects", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def launch(client: TestClient, container: Container, token: str, project_id: int,
           rows: list[Any]) -> None:
    """Import the rows, fund the project and open it."""
    imported = client.post(f"/api/v1/projects/{project_id}/tasks", json=rows,
                           headers=bearer(token))
    assert imported.status_code == 201, imported.text
    owner = accounts.user_for_token(container.db, token)
    assert owner is not None
    fund(container, owner, project_id, 100_000)
    launched = client.post(f"/api/v1/projects/{project_id}/launch", headers=bearer(token))
    assert launched.status_code == 200, launched.text


def work(client: TestClient, token: str, project_id: int, answer: Answer) -> int:
    """The worker answers every task served to them; how many they answered."""
    done = 0
    while True:
        lease = client.get(f"/api/v1/projects/{project_id}/next", headers=bearer(token))
        if lease.status_code == 204:
            return done
        assert lease.status_code == 200, lease.text
        body = lease.json()
        submitted = client.post(f"/api/v1/assignments/{body['assignment_id']}/submit",
                                json={"answer": answer(body["task"]["data"])},
                                headers=bearer(token))
        assert submitted.status_code == 201, submitted.text
        done += 1


def export(client: TestClient, token: str, project_id: int, fmt: str,
           **params: str) -> bytes:
    response = client.get(f"/api/v1/projects/{project_id}/export",
                          params={"format": fmt, **params}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.content
