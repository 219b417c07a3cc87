"""Bounding boxes on an image: each box a label and a rectangle in fractions of the image.

A stored box is ``{"label", "x", "y", "width", "height"}``: its left and top edges and its size
as fractions of the image's width and height, each rounded to 6 decimals, inside the image
(a box overshooting an edge by at most ``EDGE_TOLERANCE`` is clamped to it). The boxes of an
answer are stored left to right (their order carries no meaning); ``[]`` means that there is
nothing to mark. A gold answer is met when the boxes match the expected ones one-to-one, each
with the same label and an intersection over union of at least the schema's ``gold_iou``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    IMAGE_FIELD,
    InvalidAnswer,
    InvalidTaskData,
    StructuredSchema,
    check_data_object,
    check_fields,
    check_image_ref,
    is_number,
    parse_labels,
    share_field,
)
from fairlabel.domain.messages import Msg, shown

MAX_BOXES = 200
DECIMALS = 6
EDGE_TOLERANCE = 1e-9
BOX_FIELDS = {"label", "x", "y", "width", "height"}
_SMALLEST = 10.0 ** -DECIMALS


def box_iou(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def max_matching(edges: Sequence[Sequence[int]], right_size: int) -> int:
    """The size of a maximum matching of a bipartite graph (left vertex i may match each
    right vertex in ``edges[i]``), by augmenting paths (Kuhn's algorithm)."""
    match_of_right: list[int | None] = [None] * right_size

    def augment(left: int, seen: list[bool]) -> bool:
        for right in edges[left]:
            if seen[right]:
                continue
            seen[right] = True
            holder = match_of_right[right]
            if holder is None or augment(holder, seen):
                match_of_right[right] = left
                return True
        return False

    return sum(augment(left, [False] * right_size) for left in range(len(edges)))


def _span(start: Any, size: Any, axis: str, number: int) -> tuple[float, float]:
    """One axis of a box: its start and size, checked, clamped to the image and rounded."""
    names = ("x", "width") if axis == "x" else ("y", "height")
    for name, value in zip(names, (start, size), strict=True):
        if not is_number(value):
            raise InvalidAnswer("box {number}: '{name}' must be a finite number, got “{value}”",
                                number=number, name=name, value=shown(value))
    if size <= 0:
        raise InvalidAnswer("box {number}: '{name}' must be more than 0, got {value}",
                            number=number, name=names[1], value=float(size))
    if start < -EDGE_TOLERANCE or start + size > 1 + EDGE_TOLERANCE:
        raise InvalidAnswer(
            "box {number} leaves the image: {start_name} = {start}, {size_name} = {size}; "
            "a box needs 0 ≤ {start_name} and {start_name} + {size_name} ≤ 1 (fractions of "
            "the image's width and height)", number=number, start_name=names[0],
            start=float(start), size_name=names[1], size=float(size))
    begin = round(max(float(start), 0.0), DECIMALS)
    end = min(float(start) + float(size), 1.0)
    # Rounding is monotonic and 1 - begin has 6 decimals: begin + length stays ≤ 1.
    length = round(end - begin, DECIMALS)
    if length < _SMALLEST:
        raise InvalidAnswer("box {number} is too thin: its {name} is under {smallest} of the "
                            "image", number=number, name=names[1], smallest=_SMALLEST)
    return begin, length


@dataclass(frozen=True)
class BoundingBoxes(StructuredSchema):
    """Boxes drawn on an image, each with one of the schema's labels."""

    type: ClassVar[str] = "bounding_boxes"
    fields: ClassVar[frozenset[str]] = frozenset({"type", "labels", "gold_iou"})
    labels: tuple[str, ...] = ()
    gold_iou: float = 0.5

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> BoundingBoxes:
        return cls(parse_labels(raw),
                   share_field(raw, "gold_iou", 0.5, low=0.0, high=1.0, low_open=True))

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        obj = dict(check_data_object(data))
        if IMAGE_FIELD not in obj:
            raise InvalidTaskData("bounding_boxes task data needs an 'image': \"media:<id>\" "
                                  "of an uploaded image, its file name, or an https:// URL")
        obj[IMAGE_FIELD] = check_image_ref(obj[IMAGE_FIELD])
        return obj

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if not isinstance(answer, list):
            raise InvalidAnswer('answer must be a list of boxes like [{"label": "car", "x": '
                                '0.1, "y": 0.2, "width": 0.3, "height": 0.4}] (fractions of '
                                "the image), or [] when there is nothing to mark")
        if len(answer) > MAX_BOXES:
            raise InvalidAnswer("at most {limit} boxes per answer, got {count}",
                                limit=MAX_BOXES, count=len(answer))
        boxes = [self._box(box, number) for number, box in enumerate(answer, start=1)]
        return sorted(boxes, key=lambda b: (b["x"], b["y"], b["width"], b["height"],
                                            b["label"]))

    def _box(self, box: Any, number: int) -> dict[str, Any]:
        if not isinstance(box, Mapping):
            raise InvalidAnswer("box {number} must be an object with label, x, y, width, "
                                "height", number=number)
        check_fields(box, BOX_FIELDS, set(), Msg("box {number}", {"number": number}))
        if box["label"] not in self.labels or not isinstance(box["label"], str):
            raise InvalidAnswer("box {number}: label “{label}” is not one of {labels}",
                                number=number, label=shown(box["label"]),
                                labels=", ".join(self.labels))
        x, width = _span(box["x"], box["width"], "x", number)
        y, height = _span(box["y"], box["height"], "y", number)
        return {"label": box["label"], "x": x, "y": y, "width": width, "height": height}

    def grade(self, answer: Any, expected: Any) -> bool:
        """Right when every expected box is matched one-to-one by an answer box of the same
        label with IoU ≥ ``gold_iou``, and no answer box is left over."""
        if len(answer) != len(expected):
            return False
        edges = [[j for j, got in enumerate(answer)
                  if got["label"] == want["label"] and box_iou(got, want) >= self.gold_iou]
                 for want in expected]
        return max_matching(edges, len(answer)) == len(expected)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "labels": list(self.labels), "gold_iou": self.gold_iou}
