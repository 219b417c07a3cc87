"""A project as Label Studio task JSON: one task per platform task, streamed.

Each task holds its ``data`` (an uploaded image as an absolute URL of the API, a ranking
task's responses also as ``ranking_items`` for Label Studio's ``List`` tag), its gold answer
as a ground-truth annotation, every worker's answer as an annotation whose ``completed_by``
is the worker's pseudonym as an e-mail address under ``WORKER_DOMAIN``, and the consensus as
a prediction scored by its confidence. ``meta`` keeps the platform's task id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fairlabel.adapters.io.exports.base import ExportOptions, Record, image_of, json_array
from fairlabel.adapters.io.label_studio.config import target
from fairlabel.adapters.io.label_studio.results import RANKING_ITEMS, ranking_items, to_results
from fairlabel.domain.label_schema import IMAGE_FIELD, LabelSchema

WORKER_DOMAIN = "workers.fairlabel.invalid"
"""The domain of the addresses that name workers (``w_3fa2…@workers.fairlabel.invalid``):
reserved, so no mail can ever reach one."""
MODEL_VERSION = "fairlabel-consensus"


def worker_email(pseudonym: str) -> str:
    return f"{pseudonym}@{WORKER_DOMAIN}"


def _data(record: Record, options: ExportOptions) -> dict[str, Any]:
    data = dict(record["data"])
    if isinstance(data.get(IMAGE_FIELD), str):
        data[IMAGE_FIELD] = options.image_url(data[IMAGE_FIELD])
    responses = data.get("responses")
    if isinstance(responses, list) and "prompt" in data:
        data[RANKING_ITEMS] = ranking_items([str(r) for r in responses])
    return data


def _task(schema: LabelSchema, record: Record, options: ExportOptions,
          to_name: str) -> dict[str, Any]:
    image = image_of(record)
    size = image.size if image else None

    def results(answer: Any) -> list[dict[str, Any]]:
        return to_results(schema, answer, record["data"], target=to_name, size=size)

    annotations = []
    if record["gold"] is not None:
        annotations.append({"result": results(record["gold"]), "ground_truth": True,
                            "was_cancelled": False})
    annotations += [{"completed_by": {"email": worker_email(a["worker"])},
                     "result": results(a["answer"]), "ground_truth": False,
                     "was_cancelled": False} for a in record["answers"]]
    task: dict[str, Any] = {"data": _data(record, options), "annotations": annotations,
                            "predictions": [], "meta": {"fairlabel_task_id": record["task_id"]}}
    if record["consensus"] is not None:
        prediction: dict[str, Any] = {"model_version": MODEL_VERSION,
                                      "result": results(record["consensus"])}
        if record["confidence"] is not None:
            prediction["score"] = round(float(record["confidence"]), 6)
        task["predictions"].append(prediction)
    return task


def label_studio_lines(schema: LabelSchema, records: Iterable[Record],
                       options: ExportOptions) -> Iterator[str]:
    """The export: a JSON array of Label Studio tasks, one line each."""
    to_name: str | None = None

    def tasks() -> Iterator[dict[str, Any]]:
        nonlocal to_name
        for record in records:
            if to_name is None:
                to_name = target(list(record["data"]))
            yield _task(schema, record, options, to_name)

    return json_array(tasks())
