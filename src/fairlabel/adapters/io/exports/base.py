"""What every export writer shares: the records it reads, its options, JSON streaming.

A record is what ``services.exports`` yields per task: ``task_id``, ``data``, ``answers``
(``[{"worker", "answer"}]``), ``majority``, ``consensus``, ``confidence``, ``settled``,
``gold``, and — for the formats that need images' sizes — ``media``: the task's uploaded
images by reference (``{"media:12": {"id", "name", "width", "height"}}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fairlabel.domain.label_schema import IMAGE_FIELD, media_id

Record = Mapping[str, Any]
BoxSource = Literal["all", "workers", "consensus"]
MEDIA_PATH = "/api/v1/media/"
"""Where the API serves an uploaded image (``/api/v1/media/<id>``)."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """``base_url``: the server's address as the requester reached it (images in a Label
    Studio export become absolute URLs under it); ``boxes``: which boxes a COCO export
    holds; ``now``: when the export was made (written where a format records it)."""

    base_url: str = ""
    boxes: BoxSource = "all"
    now: datetime | None = None

    def image_url(self, ref: str) -> str:
        """An image reference as a URL the requester can fetch: an uploaded image's API
        address, or the external URL itself."""
        found = media_id(ref)
        if found is None:
            return ref
        return f"{self.base_url.rstrip('/')}{MEDIA_PATH}{found}"


@dataclass(frozen=True, slots=True)
class Image:
    """An image of a task: its reference, file name and size in pixels (None when unknown:
    an external URL)."""

    ref: str
    name: str
    width: int | None
    height: int | None

    @property
    def size(self) -> tuple[int, int] | None:
        if self.width is None or self.height is None:
            return None
        return self.width, self.height


def image_of(record: Record) -> Image | None:
    """The image a task shows, with its size when it is an uploaded one."""
    ref = record["data"].get(IMAGE_FIELD)
    if not isinstance(ref, str):
        return None
    info = (record.get("media") or {}).get(ref)
    if info is None:
        return Image(ref, ref.rsplit("/", 1)[-1] or ref, None, None)
    return Image(ref, str(info["name"]), int(info["width"]), int(info["height"]))


def dumps(value: Any) -> str:
    """Compact JSON, Unicode kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_array(items: Iterable[Any]) -> Iterator[str]:
    """A JSON array written element by element: ``[``, the items, ``]``."""
    yield "["
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + dumps(item)
        first = False
    yield "\n]\n"
