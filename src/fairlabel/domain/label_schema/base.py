"""The base of every label schema, its errors, and the checks the task types share.

A schema validates the task data on import, validates every answer on submission (returning
the canonical form that is stored), grades an answer against a gold answer, and says how
answers compare (their key) for the consensus methods. All functions are pure.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.media import IMAGE_FIELD as IMAGE_FIELD
from fairlabel.domain.media import media_id as media_id
from fairlabel.domain.messages import Msg, shown

MAX_LABELS = 50
MAX_LABEL_LENGTH = 200
MAX_FREE_TEXT = 100_000
MAX_URL_LENGTH = 2048


class InvalidSchema(InvalidInput):
    code = "invalid_schema"


class InvalidAnswer(InvalidInput):
    code = "invalid_answer"


class InvalidTaskData(InvalidInput):
    code = "invalid_task_data"


def unique_majority(values: Sequence[Any]) -> Any:
    """The value given by more answers than any other; None when the top is tied or empty.

    Values are compared by their canonical JSON form so that lists and dicts can be counted.
    """
    if not values:
        return None
    counts = Counter(json.dumps(v, sort_keys=True) for v in values)
    ranked = counts.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return json.loads(ranked[0][0])


def check_data_object(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidTaskData("task data must be a JSON object, got {kind}",
                              kind=type(data).__name__)
    if not data:
        raise InvalidTaskData("task data is empty: give at least one field, e.g. 'text'")
    return data


def check_text_field(data: Mapping[str, Any], field: str, *, what: str,
                     limit: int = MAX_FREE_TEXT) -> str:
    """A required non-empty string of the task data, at most ``limit`` characters."""
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidTaskData("{kind} task data needs a non-empty string '{field}'", kind=what,
                              field=field)
    if len(value) > limit:
        raise InvalidTaskData("'{field}' is {length} characters long; the limit is {limit}",
                              field=field, length=len(value), limit=limit)
    return value


def check_image_ref(value: Any) -> str:
    """An image reference: ``"media:<id>"`` (a media item of the project) or an ``https://``
    URL. Whether the URL's host is allowed is for the operator's settings to say."""
    if not isinstance(value, str) or not value:
        raise InvalidTaskData("'{field}' must be a string such as \"media:12\" or an https:// "
                              "URL, got “{value}”", field=IMAGE_FIELD, value=shown(value))
    if media_id(value) is not None:
        return value
    if value.startswith("media:"):
        raise InvalidTaskData("'{field}' “{value}” is not a media reference: write \"media:\" "
                              "and the number of an uploaded image, e.g. \"media:12\"",
                              field=IMAGE_FIELD, value=shown(value, 40))
    if len(value) > MAX_URL_LENGTH:
        raise InvalidTaskData("the image URL is {length} characters long; the limit is {limit}",
                              length=len(value), limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme != "https" or not host or any(
            c.isspace() or ord(c) < 32 for c in value):
        raise InvalidTaskData("'{field}' “{value}” is neither a media reference (\"media:12\", "
                              "or an uploaded file's name) nor an https:// URL",
                              field=IMAGE_FIELD, value=shown(value, 60))
    if parts.username is not None or parts.password is not None:
        raise InvalidTaskData("the image URL may not carry a user name or password")
    return value


def parse_labels(raw: Mapping[str, Any], field: str = "labels") -> tuple[str, ...]:
    """A schema's labels (or choices): distinct non-empty strings, at most ``MAX_LABELS``."""
    labels = raw.get(field)
    if not isinstance(labels, list) or not labels:
        raise InvalidSchema("'{field}' must be a non-empty list of strings", field=field)
    if len(labels) > MAX_LABELS:
        raise InvalidSchema("at most {limit} {field} are allowed, got {count}", limit=MAX_LABELS,
                            field=field, count=len(labels))
    for label in labels:
        if not isinstance(label, str) or not label.strip():
            raise InvalidSchema("every entry of '{field}' must be a non-empty string, got "
                                "“{label}”", field=field, label=shown(label))
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidSchema("an entry of '{field}', “{label}”, is longer than {limit} "
                                "characters", field=field, label=shown(label, 30),
                                limit=MAX_LABEL_LENGTH)
    if len(set(labels)) != len(labels):
        raise InvalidSchema("{field} must be distinct", field=field)
    return tuple(labels)


def int_field(raw: Mapping[str, Any], name: str, default: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSchema("'{name}' must be a whole number, got “{value}”", name=name,
                            value=shown(value))
    return value


def share_field(raw: Mapping[str, Any], name: str, default: float, *,
                low: float, high: float, low_open: bool) -> float:
    """A number of the schema in [low, high] (or (low, high] when ``low_open``)."""
    value = raw.get(name, default)
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    if not is_number(value):
        raise InvalidSchema("'{name}' must be a number in {interval}, got “{value}”", name=name,
                            interval=interval, value=shown(value))
    number = float(value)
    if number > high or number < low or (low_open and number == low):
        raise InvalidSchema("'{name}' must be in {interval}, got {value}", name=name,
                            interval=interval, value=number)
    return number


def is_number(value: Any) -> bool:
    """A finite int or float (``True`` and ``False`` are not numbers here)."""
    return (not isinstance(value, bool) and isinstance(value, int | float)
            and math.isfinite(value))


def check_fields(answer: Mapping[str, Any], required: set[str], optional: set[str],
                 what: Msg) -> None:
    """An answer object has every required field and nothing unknown."""
    extra = set(answer) - required - optional
    if extra:
        raise InvalidAnswer("unknown fields {fields} in {what}; allowed: {allowed}",
                            fields=", ".join(sorted(map(str, extra))), what=what,
                            allowed=", ".join(sorted(required | optional)))
    missing = required - set(answer)
    if missing:
        raise InvalidAnswer("{what} lacks {fields}", what=what,
                            fields=", ".join(sorted(missing)))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class LabelSchema:
    """Base of all schemas. Subclasses set ``type`` and ``fields`` and implement ``parse``
    and ``validate_answer``; the other rules have defaults that suit categorical answers."""

    type: ClassVar[str] = ""
    fields: ClassVar[frozenset[str]] = frozenset({"type"})
    structured: ClassVar[bool] = False
    """Answers are structures (boxes, spans, orders): no categorical consensus applies."""
    answer_needs_data: ClassVar[bool] = False
    """Validating an answer needs the task's data (span bounds, the number of responses)."""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LabelSchema:
        return cls()

    def validate_answer(self, answer: Any,
                        data: Mapping[str, Any] | None = None) -> Any:  # pragma: no cover
        raise NotImplementedError

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        return dict(check_data_object(data))

    def majority(self, answers: Sequence[Any]) -> Any:
        return unique_majority(answers)

    def answer_key(self, answer: Any) -> Hashable:
        """The part of an answer that gold and consensus compare (hashable)."""
        return answer  # type: ignore[no-any-return]

    def key_to_answer(self, key: Any) -> Any:
        """The stored form of a consensus key (the inverse of ``answer_key``)."""
        return key

    def classes(self) -> list[Any] | None:
        """Every possible answer key, when the schema fixes them."""
        return None

    def answer_from_text(self, text: str) -> Any:
        """An answer written as text (a CSV cell): JSON where the text is JSON."""
        text = text.strip()
        if text.startswith(("{", "[")):
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text

    def grade(self, answer: Any, expected: Any) -> bool:
        """Whether an answer is right against a gold answer (both canonical)."""
        return bool(self.answer_key(answer) == self.answer_key(expected))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type}


@dataclass(frozen=True)
class StructuredSchema(LabelSchema):
    """Answers that are structures: compared by their canonical JSON, never by a majority
    (their consensus comes from the aggregation library), graded by a measure."""

    structured: ClassVar[bool] = True

    def majority(self, answers: Sequence[Any]) -> Any:
        return None

    def answer_key(self, answer: Any) -> Hashable:
        return canonical_json(answer)

    def key_to_answer(self, key: Any) -> Any:
        return json.loads(key)

    def answer_from_text(self, text: str) -> Any:
        """A structured answer in a CSV cell is JSON."""
        try:
            return json.loads(text)
        except ValueError:
            return text.strip()
