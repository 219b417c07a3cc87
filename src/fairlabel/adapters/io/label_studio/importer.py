"""Label Studio task JSON into the platform's task rows (``{"data"}``, ``{"data", "gold"}``).

A Label Studio task is ``{"data": {...}, "annotations": [...], "predictions": [...], ...}``
(or, as Label Studio also takes, the data object alone). Its data is kept, but for:

- the image: an address of this server's media API (``/api/v1/media/12``) becomes
  ``"media:12"``; an image Label Studio stored (``/data/upload/<project>/<8 hex>-street.png``,
  ``/data/local-files/?d=dir/street.png``) becomes its file name, which the import resolves
  to the project's uploaded image of that name; any other URL stays (it must be an https://
  URL on a host the operator allows);
- ``ranking_items``, which the platform's own Label Studio export adds to ranking tasks.

With ``gold``, annotations become gold answers: the ground-truth ones (Label Studio's
``"ground_truth": true``) when the file marks any, else each task's first annotation;
cancelled annotations are skipped. Predictions are never read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from fairlabel.adapters.io.exports.base import MEDIA_PATH
from fairlabel.adapters.io.label_studio.answers import from_results
from fairlabel.adapters.io.label_studio.results import RANKING_ITEMS
from fairlabel.adapters.io.task_files import parse_tasks
from fairlabel.domain.errors import ImportRejected, InvalidInput
from fairlabel.domain.label_schema import IMAGE_FIELD, LabelSchema

_MEDIA = re.compile(re.escape(MEDIA_PATH) + r"([1-9][0-9]{0,17})/?")
_UPLOAD_PREFIX = re.compile(r"[0-9a-f]{8}-(.+)")


def _file_name(path: str) -> str:
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def image_ref(value: str, *, own_host: str | None = None) -> str:
    """An image address of a Label Studio task as a platform image reference."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    ours = not parts.netloc or (own_host is not None and parts.netloc == own_host)
    found = _MEDIA.fullmatch(parts.path)
    if found and ours:
        return f"media:{found.group(1)}"
    if "/data/upload/" in parts.path:
        name = _file_name(parts.path)
        stripped = _UPLOAD_PREFIX.fullmatch(name)
        return stripped.group(1) if stripped else name
    if parts.path.rstrip("/").endswith("/data/local-files"):
        local = parse_qs(parts.query).get("d")
        if local:
            return _file_name(local[0])
    return value


def _data(schema: LabelSchema, task: Mapping[str, Any], own_host: str | None) -> dict[str, Any]:
    data = task.get("data", task)
    if not isinstance(data, Mapping):
        raise InvalidInput("'data' must be an object, got {kind}", kind=type(data).__name__)
    out = dict(data)
    if schema.type == "ranking":
        out.pop(RANKING_ITEMS, None)
    if isinstance(out.get(IMAGE_FIELD), str):
        out[IMAGE_FIELD] = image_ref(out[IMAGE_FIELD], own_host=own_host)
    return out


def _annotations(task: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = task.get("annotations") if "data" in task else None
    if found is None:
        return []
    if not isinstance(found, list) or not all(isinstance(a, Mapping) for a in found):
        raise InvalidInput("'annotations' must be a list of objects")
    return [a for a in found if not a.get("was_cancelled")]


def _marks_ground_truth(tasks: Sequence[Any]) -> bool:
    return any(isinstance(task, Mapping) and isinstance(task.get("annotations"), list)
               and any(isinstance(a, Mapping) and a.get("ground_truth") is True
                       and not a.get("was_cancelled") for a in task["annotations"])
               for task in tasks)


def _row(schema: LabelSchema, task: Any, *, gold: bool, ground_truth: bool,
         own_host: str | None) -> dict[str, Any]:
    if not isinstance(task, Mapping):
        raise InvalidInput("a Label Studio task is an object, got {kind}",
                           kind=type(task).__name__)
    data = _data(schema, task, own_host)
    if not gold:
        return {"data": data}
    annotations = _annotations(task)
    if ground_truth:
        annotations = [a for a in annotations if a.get("ground_truth") is True]
    if not annotations:
        return {"data": data}
    try:
        answer = from_results(schema, annotations[0].get("result"), data)
    except InvalidInput as error:
        raise InvalidInput("its gold annotation: {reason}", reason=error.msg) from None
    return {"data": data, "gold": answer}


def rows_from_label_studio(schema: LabelSchema, tasks: Sequence[Any], *, gold: bool,
                           own_host: str | None = None) -> list[dict[str, Any]]:
    """The rows of a Label Studio task list, in order; a bad task rejects the whole list,
    naming its row (from 1). ``own_host``: this server's ``host[:port]``, whose media
    addresses are read back as media references."""
    ground_truth = gold and _marks_ground_truth(tasks)
    rows = []
    for number, task in enumerate(tasks, start=1):
        try:
            rows.append(_row(schema, task, gold=gold, ground_truth=ground_truth,
                             own_host=own_host))
        except InvalidInput as error:
            raise ImportRejected(number, error.msg) from None
    return rows


def read_label_studio(content: bytes | bytearray, schema: LabelSchema, *, gold: bool,
                      own_host: str | None = None) -> list[dict[str, Any]]:
    """A Label Studio JSON file (a task list) as rows, read as safely as any JSON import."""
    return rows_from_label_studio(schema, parse_tasks(content, "json"), gold=gold,
                                  own_host=own_host)
