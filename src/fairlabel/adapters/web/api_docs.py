"""The API's browsable documentation, ``/api/docs``: Swagger UI from an installed package
(``fastapi-offline`` ships its files), never from a CDN, so that the page works on a server
without internet access and loads nothing from other hosts.

The page has no inline script: ``static/api_docs.js`` starts Swagger UI, reading the address
of the OpenAPI document from the page. It therefore lives under the site's ordinary security
policy (``web/security.py``). No OAuth flow is offered (the API takes bearer tokens), so no
OAuth redirect page is served.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/docs"
ASSETS_URL = "/api/docs/assets"
ASSETS = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI's script and style sheet, as the package installed them."""


def page(title: str, openapi_url: str) -> str:
    """The page: Swagger UI's style sheet and script, and ours that starts it."""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)} · API</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
</head>
<body data-openapi="{escape(openapi_url)}">
  <main id="swagger-ui"></main>
  <script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
  <script src="/static/api_docs.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve the page and Swagger UI's files (create the app with ``docs_url=None``)."""
    if not (ASSETS / "swagger-ui-bundle.js").is_file():
        raise RuntimeError(f"Swagger UI's files are missing from {ASSETS}: reinstall the "
                           "fastapi-offline package (pip install --force-reinstall "
                           "fastapi-offline)")
    html = page(app.title, app.openapi_url or "/openapi.json")

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(html)

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs-assets")
