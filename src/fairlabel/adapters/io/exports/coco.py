"""A bounding-box project as COCO object detection JSON, streamed.

``categories`` are the schema's labels (ids from 1, in the schema's order); ``images`` one
per task (``id`` = the task's id; ``file_name``, ``width`` and ``height`` of the uploaded
image); ``annotations`` every box in pixels: ``bbox`` ``[x, y, width, height]`` from the
top-left corner, ``area``, ``iscrowd`` 0, the rectangle as a polygon in ``segmentation``,
and ``source``: ``"worker"`` (with the worker's pseudonym in ``worker``) or ``"consensus"``
(with the task's confidence in ``score``). ``ExportOptions.boxes`` keeps only one source.

COCO counts in pixels, so a box needs its image's size: an image given by an external URL
has none here (``width`` and ``height`` are null) and its boxes are left out — the Label
Studio and Parquet exports hold them, in fractions of the image.

The annotations are written as the tasks stream by; the images, one short line per task,
wait in a temporary file (spilled to disk past ``SPOOL_BYTES``) and follow them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from fairlabel.adapters.io.exports.base import ExportOptions, Image, Record, dumps, image_of
from fairlabel.domain.label_schema import BoundingBoxes, LabelSchema

SPOOL_BYTES = 1 << 20
COPY_CHUNK = 1 << 16


def _image(record: Record, image: Image | None, options: ExportOptions) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": record["task_id"],
                             "file_name": image.name if image else None,
                             "width": image.width if image else None,
                             "height": image.height if image else None}
    if image is not None and image.size is None:
        entry["coco_url"] = options.image_url(image.ref)
    return entry


def _box(box: dict[str, Any], size: tuple[int, int]) -> dict[str, Any]:
    width, height = size
    x, y = round(box["x"] * width, 2), round(box["y"] * height, 2)
    w, h = round(box["width"] * width, 2), round(box["height"] * height, 2)
    return {"bbox": [x, y, w, h], "area": round(w * h, 2), "iscrowd": 0,
            "segmentation": [[x, y, round(x + w, 2), y, round(x + w, 2), round(y + h, 2), x,
                              round(y + h, 2)]]}


def _boxes(record: Record, options: ExportOptions) -> Iterator[tuple[dict[str, Any],
                                                                     dict[str, Any]]]:
    """Each box of the task with what says where it comes from."""
    if options.boxes != "consensus":
        for answer in record["answers"]:
            for box in answer["answer"]:
                yield box, {"source": "worker", "worker": answer["worker"]}
    if options.boxes != "workers" and isinstance(record["consensus"], list):
        extra: dict[str, Any] = {"source": "consensus"}
        if record["confidence"] is not None:
            extra["score"] = round(float(record["confidence"]), 6)
        for box in record["consensus"]:
            yield box, extra


def _header(schema: BoundingBoxes, now: datetime) -> str:
    info = {"description": "fairlabel export", "version": "1.0",
            "date_created": now.isoformat(timespec="seconds")}
    categories = [{"id": i, "name": label, "supercategory": "none"}
                  for i, label in enumerate(schema.labels, start=1)]
    return (f'{{"info":{dumps(info)},"licenses":[],\n"categories":{dumps(categories)},\n'
            '"annotations":[')


def coco_lines(schema: LabelSchema, records: Iterable[Record],
               options: ExportOptions) -> Iterator[str]:
    """The export: one COCO JSON object, written in pieces."""
    assert isinstance(schema, BoundingBoxes)
    category = {label: i for i, label in enumerate(schema.labels, start=1)}
    yield _header(schema, options.now or datetime.now(UTC))
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+",
                                       encoding="utf-8") as images:
        next_id, first_image = 1, True
        for record in records:
            image = image_of(record)
            images.write(("\n" if first_image else ",\n") + dumps(_image(record, image,
                                                                         options)))
            first_image = False
            if image is None or image.size is None:
                continue
            lines = []
            for box, extra in _boxes(record, options):
                lines.append(dumps({"id": next_id, "image_id": record["task_id"],
                                    "category_id": category[box["label"]],
                                    **_box(box, image.size), **extra}))
                next_id += 1
            if lines:
                yield ("\n" if next_id - len(lines) == 1 else ",\n") + ",\n".join(lines)
        yield '\n],\n"images":['
        images.seek(0)
        while chunk := images.read(COPY_CHUNK):
            yield chunk
    yield "\n]}\n"
