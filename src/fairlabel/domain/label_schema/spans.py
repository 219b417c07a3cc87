"""Text spans (named entities): stretches of a text, each with one of the schema's labels.

A span is ``{"start", "end", "label"}`` in Unicode code points of the task's ``text`` (Python
string indices: ``text[start:end]`` is the span), ``0 ≤ start < end ≤ len(text)``; spans do
not overlap (one may end where the next starts) and are stored by their start. ``[]`` means
that there is nothing to mark. A gold answer is met when the span-level F1 of the answer
against it (exact start, end and label) reaches the schema's ``gold_f1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    MAX_FREE_TEXT,
    InvalidAnswer,
    StructuredSchema,
    check_data_object,
    check_fields,
    check_text_field,
    parse_labels,
    share_field,
)
from fairlabel.domain.messages import Msg, shown

MAX_SPANS = 500
SPAN_FIELDS = {"start", "end", "label"}


def span_f1(answer: list[Mapping[str, Any]], expected: list[Mapping[str, Any]]) -> float:
    """Span-level F1 of an answer against the expected spans: a span counts when its start,
    end and label are all exact. Two empty lists agree fully (1.0)."""
    if not answer and not expected:
        return 1.0
    got = {(s["start"], s["end"], s["label"]) for s in answer}
    want = {(s["start"], s["end"], s["label"]) for s in expected}
    return 2 * len(got & want) / (len(got) + len(want))


def _offset(value: Any, name: str, number: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswer("span {number}: '{name}' must be a whole number (a character "
                            "position), got “{value}”", number=number, name=name,
                            value=shown(value))
    return value


@dataclass(frozen=True)
class Spans(StructuredSchema):
    """Spans marked in a text, each with one of the schema's labels."""

    type: ClassVar[str] = "spans"
    fields: ClassVar[frozenset[str]] = frozenset({"type", "labels", "gold_f1"})
    answer_needs_data: ClassVar[bool] = True
    labels: tuple[str, ...] = ()
    gold_f1: float = 0.8

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Spans:
        return cls(parse_labels(raw),
                   share_field(raw, "gold_f1", 0.8, low=0.0, high=1.0, low_open=True))

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        obj = check_data_object(data)
        check_text_field(obj, "text", what="spans", limit=MAX_FREE_TEXT)
        return dict(obj)

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        """The spans, checked (against the task's text when ``data`` is given) and sorted."""
        if not isinstance(answer, list):
            raise InvalidAnswer('answer must be a list of spans like [{"start": 0, "end": 5, '
                                '"label": "PER"}] (character positions in the text), or [] '
                                "when there is nothing to mark")
        if len(answer) > MAX_SPANS:
            raise InvalidAnswer("at most {limit} spans per answer, got {count}",
                                limit=MAX_SPANS, count=len(answer))
        text = data.get("text") if data is not None else None
        length = len(text) if isinstance(text, str) else None
        spans = sorted((self._span(span, number, length)
                        for number, span in enumerate(answer, start=1)),
                       key=lambda s: (s["start"], s["end"]))
        for before, after in pairwise(spans):
            if after["start"] < before["end"]:
                raise InvalidAnswer(
                    "spans overlap: {start}–{end} ({label}) and {next_start}–{next_end} "
                    "({next_label}); mark each character at most once", start=before["start"],
                    end=before["end"], label=before["label"], next_start=after["start"],
                    next_end=after["end"], next_label=after["label"])
        return spans

    def _span(self, span: Any, number: int, length: int | None) -> dict[str, Any]:
        if not isinstance(span, Mapping):
            raise InvalidAnswer("span {number} must be an object with start, end, label",
                                number=number)
        check_fields(span, SPAN_FIELDS, set(), Msg("span {number}", {"number": number}))
        start, end = _offset(span["start"], "start", number), _offset(span["end"], "end", number)
        label = span["label"]
        if label not in self.labels or not isinstance(label, str):
            raise InvalidAnswer("span {number}: label “{label}” is not one of {labels}",
                                number=number, label=shown(label),
                                labels=", ".join(self.labels))
        if not 0 <= start < end:
            raise InvalidAnswer("span {number}: needs 0 ≤ start < end, got start {start}, end "
                                "{end}", number=number, start=start, end=end)
        if length is not None and end > length:
            raise InvalidAnswer("span {number} ends at {end}, past the end of the text ({length} "
                                "characters)", number=number, end=end, length=length)
        return {"start": start, "end": end, "label": label}

    def grade(self, answer: Any, expected: Any) -> bool:
        """Right when the span-level F1 against the gold spans reaches ``gold_f1``."""
        return span_f1(answer, expected) >= self.gold_f1 - 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "labels": list(self.labels), "gold_f1": self.gold_f1}
