"""Every page names its icon, and a browser asking for /favicon.ico directly gets it too."""

from __future__ import annotations

from xml.etree import ElementTree

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def test_pages_link_an_svg_icon_and_favicon_ico_answers_with_it(client: TestClient) -> None:
    link = BeautifulSoup(client.get("/login").text, "html.parser").find("link", rel="icon")
    assert link is not None and link["type"] == "image/svg+xml"
    linked = client.get(str(link["href"]))
    assert linked.status_code == 200
    assert ElementTree.fromstring(linked.content).tag == "{http://www.w3.org/2000/svg}svg"
    asked = client.get("/favicon.ico")
    assert asked.status_code == 200, asked.status_code
    assert asked.headers["content-type"].startswith("image/svg+xml")
    assert asked.content == linked.content
