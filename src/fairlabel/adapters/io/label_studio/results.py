"""Answers as Label Studio results: one function per task type, in Label Studio's own shapes.

| task type        | Label Studio control (result ``type``)                                   |
| ---------------- | ------------------------------------------------------------------------ |
| single_choice    | ``Choices`` (``choices``, one value)                                     |
| multi_choice     | ``Choices`` with ``choice="multiple"`` (``choices``)                     |
| rating           | ``Rating`` (``rating``) when the scale starts at 1, else ``Number``      |
| free_text        | ``TextArea`` (``textarea``)                                              |
| pairwise         | ``Pairwise`` (``pairwise``: ``left`` is response a) + ``TextArea``       |
| bounding_boxes   | ``RectangleLabels`` (``rectanglelabels``, percent of the image)          |
| spans            | ``Labels`` on a ``Text`` (``labels``, offsets in UTF-16 code units)      |
| ranking          | ``Ranker`` on a ``List`` (``ranker``, ids best first) + ``TextArea``     |

The control and object names are fixed (``CONTROL``, ``RATIONALE``, ``IMAGE``, ``TEXT``,
``RESPONSES``), so that the labeling config of ``config.py`` matches every result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairlabel.adapters.io.label_studio.offsets import utf16_offset
from fairlabel.domain.label_schema import LabelSchema, Rating

CONTROL = "label"
"""The name of the control that holds the answer."""
RATIONALE = "rationale"
"""The text area that holds a pairwise or ranking answer's rationale."""
IMAGE = "image"
TEXT = "text"
PROMPT = "prompt"
RESPONSES = "responses"
"""The ``List`` object of a ranking task, over ``RANKING_ITEMS``."""
RANKING_ITEMS = "ranking_items"
"""The data field a ranking task gains in the export: its responses as the ``List`` tag reads
them (``{"id", "title", "body"}``); derived from ``responses``, dropped again on import."""
PAIRWISE_OBJECTS = "response_a,response_b"
PAIRWISE_SIDES = {"a": "left", "b": "right"}


def ranking_items(responses: list[str]) -> list[dict[str, str]]:
    """The responses as Label Studio's ``List`` tag shows them; ids are the indices."""
    return [{"id": str(i), "title": f"Response {i + 1}", "body": text}
            for i, text in enumerate(responses)]


def _result(kind: str, value: dict[str, Any], to_name: str, *, number: int = 0,
            from_name: str = CONTROL) -> dict[str, Any]:
    return {"id": f"r{number}", "type": kind, "from_name": from_name, "to_name": to_name,
            "value": value}


def _rationale(answer: Mapping[str, Any], to_name: str) -> list[dict[str, Any]]:
    text = answer.get("rationale")
    if not text:
        return []
    return [_result("textarea", {"text": [text]}, to_name, number=1, from_name=RATIONALE)]


def _boxes(answer: list[dict[str, Any]],
           size: tuple[int, int] | None) -> list[dict[str, Any]]:
    results = []
    for number, box in enumerate(answer):
        result = _result("rectanglelabels", {
            "x": box["x"] * 100, "y": box["y"] * 100, "width": box["width"] * 100,
            "height": box["height"] * 100, "rotation": 0, "rectanglelabels": [box["label"]]},
            IMAGE, number=number)
        if size is not None:
            result["original_width"], result["original_height"] = size
            result["image_rotation"] = 0
        results.append(result)
    return results


def _spans(answer: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [_result("labels", {
        "start": utf16_offset(text, span["start"]), "end": utf16_offset(text, span["end"]),
        "text": text[span["start"]:span["end"]], "labels": [span["label"]]},
        TEXT, number=number) for number, span in enumerate(answer)]


def to_results(schema: LabelSchema, answer: Any, data: Mapping[str, Any], *, target: str,
               size: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """A stored answer as Label Studio results. ``target`` is the object a choice, rating or
    free-text control points at; ``size`` the image's pixel width and height, when known."""
    kind = schema.type
    if kind == "bounding_boxes":
        return _boxes(answer, size)
    if kind == "spans":
        return _spans(answer, str(data.get("text", "")))
    if kind == "ranking":
        return [_result("ranker", {"ranker": {CONTROL: [str(i) for i in answer["order"]]}},
                        RESPONSES), *_rationale(answer, PROMPT)]
    if kind == "pairwise":
        return [_result("pairwise", {"selected": PAIRWISE_SIDES[answer["choice"]]},
                        PAIRWISE_OBJECTS), *_rationale(answer, PROMPT)]
    if kind == "single_choice":
        return [_result("choices", {"choices": [answer]}, target)]
    if kind == "multi_choice":
        return [_result("choices", {"choices": list(answer)}, target)] if answer else []
    if kind == "rating":
        assert isinstance(schema, Rating)
        if schema.min == 1:
            return [_result("rating", {"rating": answer}, target)]
        return [_result("number", {"number": answer}, target)]
    return [_result("textarea", {"text": [answer]}, target)]
