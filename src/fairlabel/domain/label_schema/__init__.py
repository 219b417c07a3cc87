"""Label schemas: what a task shows, what an answer must look like, how answers compare and
how a gold answer is graded — one module per family of task types.

A schema is chosen per project. It validates the task data on import, validates every answer
on submission (returning the canonical form that is stored), grades an answer against a gold
answer, and defines the majority answer used in exports (structured types — boxes, spans,
rankings — have none: their consensus comes from the aggregation library). All functions are
pure. The task types and their answer formats are described in docs/task-types.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairlabel.domain.label_schema.base import (
    IMAGE_FIELD,
    MAX_FREE_TEXT,
    MAX_LABEL_LENGTH,
    MAX_LABELS,
    InvalidAnswer,
    InvalidSchema,
    InvalidTaskData,
    LabelSchema,
    StructuredSchema,
    check_image_ref,
    media_id,
)
from fairlabel.domain.label_schema.boxes import MAX_BOXES, BoundingBoxes, box_iou
from fairlabel.domain.label_schema.choice import MAX_CHOICES, MultiChoice, SingleChoice
from fairlabel.domain.label_schema.pairwise import PAIRWISE_FIELDS, Pairwise
from fairlabel.domain.label_schema.ranking import (
    MAX_RESPONSES,
    MIN_RESPONSES,
    Ranking,
    kendall_tau,
)
from fairlabel.domain.label_schema.rating import Rating
from fairlabel.domain.label_schema.spans import MAX_SPANS, Spans, span_f1
from fairlabel.domain.label_schema.text import FreeText
from fairlabel.domain.messages import shown

MAX_CHOICE_LENGTH = MAX_LABEL_LENGTH

SCHEMA_TYPES: dict[str, type[LabelSchema]] = {
    kind.type: kind for kind in (SingleChoice, MultiChoice, Rating, FreeText, Pairwise,
                                 BoundingBoxes, Spans, Ranking)
}
"""Every task type by its name, in the order the documentation lists them."""


def parse_schema(raw: Any) -> LabelSchema:
    """Build a schema from its JSON form, or raise InvalidSchema saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise InvalidSchema('schema must be an object such as {"type": "single_choice", ...}')
    kind = raw.get("type")
    cls = SCHEMA_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidSchema("unknown schema type “{kind}”; use one of {types}",
                            kind=shown(kind), types=", ".join(SCHEMA_TYPES))
    schema = cls.parse(raw)
    extra = set(raw) - cls.fields
    if extra:
        raise InvalidSchema("unknown fields for {kind}: {fields}; allowed: {allowed}",
                            kind=kind, fields=", ".join(sorted(map(str, extra))),
                            allowed=", ".join(sorted(cls.fields)))
    return schema


__all__ = [
    "IMAGE_FIELD",
    "MAX_BOXES",
    "MAX_CHOICES",
    "MAX_CHOICE_LENGTH",
    "MAX_FREE_TEXT",
    "MAX_LABELS",
    "MAX_RESPONSES",
    "MAX_SPANS",
    "MIN_RESPONSES",
    "PAIRWISE_FIELDS",
    "SCHEMA_TYPES",
    "BoundingBoxes",
    "FreeText",
    "InvalidAnswer",
    "InvalidSchema",
    "InvalidTaskData",
    "LabelSchema",
    "MultiChoice",
    "Pairwise",
    "Ranking",
    "Rating",
    "SingleChoice",
    "Spans",
    "StructuredSchema",
    "box_iou",
    "check_image_ref",
    "kendall_tau",
    "media_id",
    "parse_schema",
    "span_f1",
]
