"""/api/docs works offline: Swagger UI comes from an installed package, served by this site,
under the site's own security policy (no inline script, no other host)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app


def test_the_api_docs_load_nothing_from_another_host(container: Container) -> None:
    with TestClient(create_app(container)) as client:
        response = client.get("/api/docs")
        assert response.status_code == 200, response.text
        assert "http://" not in response.text and "https://" not in response.text
        soup = BeautifulSoup(response.text, "html.parser")
        scripts = [s.get("src") for s in soup.find_all("script")]
        assert all(scripts), "no inline script: the page's policy forbids them"
        assets = [*scripts, *(link["href"] for link in soup.find_all("link"))]
        assert any(str(a).endswith("swagger-ui-bundle.js") for a in assets)
        for asset in assets:
            served = client.get(str(asset))
            assert served.status_code == 200, asset
            assert not re.search(r"""(src|href)=["']https?://""", served.text[:2000]), asset
        openapi = client.get(str(soup.body["data-openapi"]))  # type: ignore[index]
        assert openapi.status_code == 200 and openapi.json()["paths"]
        policy = response.headers["content-security-policy"]
        assert policy == client.get("/login").headers["content-security-policy"]
        assert "script-src 'self';" in policy and "http" not in policy
