"""The Label Studio labeling config (XML) that matches a project's export.

Boxes, spans, pairwise and ranking projects have fixed task fields, so their config is fixed
by the schema. Choice, rating and free-text tasks hold any fields: the config shows each
field of a sample task (an ``image`` as an image, the others as text) and points the control
at the image if there is one, else at the first field (``target``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from fairlabel.adapters.io.label_studio.results import (
    CONTROL,
    IMAGE,
    PAIRWISE_OBJECTS,
    PROMPT,
    RANKING_ITEMS,
    RATIONALE,
    RESPONSES,
    TEXT,
)
from fairlabel.domain.label_schema import (
    IMAGE_FIELD,
    BoundingBoxes,
    LabelSchema,
    MultiChoice,
    Rating,
    SingleChoice,
    Spans,
)

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""A task field Label Studio can name as ``$field`` in a config."""
MAX_SHOWN_FIELDS = 20


def shown_fields(fields: Iterable[str]) -> list[str]:
    """The fields of a choice, rating or free-text task that the config shows."""
    return [f for f in fields if _FIELD.fullmatch(f)][:MAX_SHOWN_FIELDS]


def target(fields: Sequence[str]) -> str:
    """The object the control of a choice, rating or free-text task points at."""
    shown = shown_fields(fields)
    if IMAGE_FIELD in shown:
        return IMAGE_FIELD
    return shown[0] if shown else TEXT


def _tag(element: str, /, **attributes: object) -> str:
    attrs = "".join(f" {key.rstrip('_')}={quoteattr(str(value))}"
                    for key, value in attributes.items())
    return f"<{element}{attrs}/>"


def _labels(tag: str, to_name: str, labels: Iterable[str]) -> str:
    inner = "".join(f"\n    {_tag('Label', value=label)}" for label in labels)
    return f"  <{tag} name={quoteattr(CONTROL)} toName={quoteattr(to_name)}>{inner}\n  </{tag}>"


def _objects(fields: Sequence[str]) -> list[str]:
    shown = shown_fields(fields) or [TEXT]
    return [_tag("Image", name=f, value=f"${f}", zoom="true") if f == IMAGE_FIELD
            else _tag("Text", name=f, value=f"${f}") for f in shown]


def _body(schema: LabelSchema, fields: Sequence[str]) -> list[str]:
    if isinstance(schema, BoundingBoxes):
        return [_tag("Image", name=IMAGE, value=f"${IMAGE_FIELD}", zoom="true"),
                _labels("RectangleLabels", IMAGE, schema.labels)]
    if isinstance(schema, Spans):
        return [_labels("Labels", TEXT, schema.labels), _tag("Text", name=TEXT, value="$text")]
    rationale = _tag("TextArea", name=RATIONALE, toName=PROMPT, placeholder="Rationale",
                     maxSubmissions="1", editable="true")
    if schema.type == "ranking":
        return [_tag("Text", name=PROMPT, value="$prompt"),
                _tag("List", name=RESPONSES, value=f"${RANKING_ITEMS}", title="Responses"),
                _tag("Ranker", name=CONTROL, toName=RESPONSES), rationale]
    if schema.type == "pairwise":
        return [_tag("Text", name=PROMPT, value="$prompt"),
                _tag("Text", name="response_a", value="$response_a"),
                _tag("Text", name="response_b", value="$response_b"),
                _tag("Pairwise", name=CONTROL, toName=PAIRWISE_OBJECTS), rationale]
    return [*_objects(fields), _control(schema, target(fields))]


def _control(schema: LabelSchema, to_name: str) -> str:
    if isinstance(schema, SingleChoice | MultiChoice):
        kind = "single" if isinstance(schema, SingleChoice) else "multiple"
        inner = "".join(f"\n    {_tag('Choice', value=c)}" for c in schema.choices)
        return (f"  <Choices name={quoteattr(CONTROL)} toName={quoteattr(to_name)} "
                f"choice={quoteattr(kind)}>{inner}\n  </Choices>")
    if isinstance(schema, Rating):
        if schema.min == 1:
            return _tag("Rating", name=CONTROL, toName=to_name, maxRating=schema.max)
        return _tag("Number", name=CONTROL, toName=to_name, min=schema.min, max=schema.max)
    return _tag("TextArea", name=CONTROL, toName=to_name, maxSubmissions="1",
                editable="true")


def labeling_config(schema: LabelSchema, fields: Sequence[str] = ()) -> str:
    """The ``<View>`` that shows a task of ``schema`` and takes its answer in Label Studio.
    ``fields``: the data fields of a sample task (for choice, rating and free-text tasks)."""
    lines = [line if line.startswith("  ") else f"  {line}" for line in _body(schema, fields)]
    return "<View>\n" + "\n".join(lines) + "\n</View>\n"
