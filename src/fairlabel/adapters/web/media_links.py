"""How pages show a task's image: the Jinja filter ``media_src``.

``"media:12"`` becomes ``/api/v1/media/12`` (served only to those who may see it); an
``https://`` address stays when its host is one the operator allows
(``FAIRLABEL_IMAGE_HOSTS``); anything else is None, and the page shows nothing. The labeling
page's script applies the same rule (``static/label/dom.js: mediaSrc``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from fairlabel.domain.media import allowed_image_url, media_id

MEDIA_PATH = "/api/v1/media/{id}"


def image_src(ref: object, hosts: Collection[str]) -> str | None:
    """The address an ``<img>`` may load for an image reference, or None."""
    found = media_id(ref)
    if found is not None:
        return MEDIA_PATH.format(id=found)
    if isinstance(ref, str) and allowed_image_url(ref, hosts):
        return ref
    return None


@pass_context
def media_src(context: Context, ref: Any) -> str | None:
    """The filter: the hosts allowed are those of the app that renders the page."""
    request = context.get("request")
    hosts: Collection[str] = getattr(getattr(request, "app", None), "image_hosts", ())
    return image_src(ref, hosts)
