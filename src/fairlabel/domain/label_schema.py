"""Label schemas: what a task shows, what an answer must look like, and the majority answer.

A schema is chosen per project. It validates the task data on import, validates every answer
on submission (returning the canonical form that is stored), and defines the majority answer
used in exports. All functions are pure.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.errors import InvalidInput

MAX_CHOICES = 50
MAX_CHOICE_LENGTH = 200
MAX_FREE_TEXT = 100_000
PAIRWISE_FIELDS = ("prompt", "response_a", "response_b")


class InvalidSchema(InvalidInput):
    code = "invalid_schema"


class InvalidAnswer(InvalidInput):
    code = "invalid_answer"


class InvalidTaskData(InvalidInput):
    code = "invalid_task_data"


def _unique_majority(values: Sequence[Any]) -> Any:
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


def _check_data_object(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidTaskData(f"task data must be a JSON object, got {type(data).__name__}")
    if not data:
        raise InvalidTaskData("task data is empty: give at least one field, e.g. 'text'")
    return data


@dataclass(frozen=True)
class LabelSchema:
    """Base of all schemas. Subclasses set ``type`` and implement the three rules."""

    type: ClassVar[str] = ""

    def validate_answer(self, answer: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        return dict(_check_data_object(data))

    def majority(self, answers: Sequence[Any]) -> Any:
        return _unique_majority(answers)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type}


def _parse_choices(raw: Mapping[str, Any]) -> tuple[str, ...]:
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise InvalidSchema("'choices' must be a list of at least two strings")
    if len(choices) > MAX_CHOICES:
        raise InvalidSchema(f"at most {MAX_CHOICES} choices are allowed, got {len(choices)}")
    for choice in choices:
        if not isinstance(choice, str) or not choice.strip():
            raise InvalidSchema(f"every choice must be a non-empty string, got {choice!r}")
        if len(choice) > MAX_CHOICE_LENGTH:
            raise InvalidSchema(f"choice {choice[:30]!r}… is longer than {MAX_CHOICE_LENGTH}")
    if len(set(choices)) != len(choices):
        raise InvalidSchema("choices must be distinct")
    return tuple(choices)


@dataclass(frozen=True)
class SingleChoice(LabelSchema):
    type: ClassVar[str] = "single_choice"
    choices: tuple[str, ...] = ()

    def validate_answer(self, answer: Any) -> Any:
        if answer not in self.choices or not isinstance(answer, str):
            raise InvalidAnswer(
                f"answer must be one of {list(self.choices)}, got {answer!r}"
            )
        return answer

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "choices": list(self.choices)}


@dataclass(frozen=True)
class MultiChoice(LabelSchema):
    type: ClassVar[str] = "multi_choice"
    choices: tuple[str, ...] = ()

    def validate_answer(self, answer: Any) -> Any:
        if not isinstance(answer, list):
            raise InvalidAnswer(
                f"answer must be a list of choices from {list(self.choices)}, got {answer!r}"
            )
        unknown = [a for a in answer if not isinstance(a, str) or a not in self.choices]
        if unknown:
            raise InvalidAnswer(
                f"{unknown!r} not among the choices {list(self.choices)}"
            )
        if len(set(answer)) != len(answer):
            raise InvalidAnswer("a choice may appear only once in the answer")
        # Canonical form: in the schema's order, so equal answers compare equal.
        return [c for c in self.choices if c in answer]

    def majority(self, answers: Sequence[Any]) -> Any:
        """Each choice selected by more than half of the answers (None if no answers)."""
        if not answers:
            return None
        half = len(answers) / 2
        return [c for c in self.choices if sum(c in a for a in answers) > half]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "choices": list(self.choices)}


@dataclass(frozen=True)
class Rating(LabelSchema):
    type: ClassVar[str] = "rating"
    min: int = 1
    max: int = 5

    def validate_answer(self, answer: Any) -> Any:
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise InvalidAnswer(f"answer must be a whole number, got {answer!r}")
        if not self.min <= answer <= self.max:
            raise InvalidAnswer(f"answer must be between {self.min} and {self.max}, got {answer}")
        return answer

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class FreeText(LabelSchema):
    type: ClassVar[str] = "free_text"
    max_length: int = 2000

    def validate_answer(self, answer: Any) -> Any:
        if not isinstance(answer, str):
            raise InvalidAnswer(f"answer must be a string, got {type(answer).__name__}")
        text = answer.strip()
        if not text:
            raise InvalidAnswer("answer is empty")
        if len(text) > self.max_length:
            raise InvalidAnswer(
                f"answer is {len(text)} characters long; the limit is {self.max_length}"
            )
        return text

    def majority(self, answers: Sequence[Any]) -> Any:
        """The exact text written by more than half of the answers, else None."""
        top = _unique_majority(answers)
        if top is None or sum(a == top for a in answers) * 2 <= len(answers):
            return None
        return top

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "max_length": self.max_length}


@dataclass(frozen=True)
class Pairwise(LabelSchema):
    """A prompt and two responses; the answer names the better one, with an optional rationale."""

    type: ClassVar[str] = "pairwise"
    max_rationale: int = 5000

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        obj = _check_data_object(data)
        for field in PAIRWISE_FIELDS:
            value = obj.get(field)
            if not isinstance(value, str) or not value.strip():
                raise InvalidTaskData(
                    f"pairwise task data needs a non-empty string '{field}' "
                    f"(fields required: {', '.join(PAIRWISE_FIELDS)})"
                )
        return dict(obj)

    def validate_answer(self, answer: Any) -> Any:
        if not isinstance(answer, Mapping):
            raise InvalidAnswer(
                'answer must be an object like {"choice": "a", "rationale": "..."}'
            )
        extra = set(answer) - {"choice", "rationale"}
        if extra:
            raise InvalidAnswer(
                f"unknown answer fields {sorted(extra)}; allowed: choice, rationale")
        choice = answer.get("choice")
        if choice not in ("a", "b"):
            raise InvalidAnswer(f"'choice' must be \"a\" or \"b\", got {choice!r}")
        rationale = answer.get("rationale")
        if rationale is None:
            return {"choice": choice}
        if not isinstance(rationale, str):
            raise InvalidAnswer("'rationale' must be a string")
        if len(rationale) > self.max_rationale:
            raise InvalidAnswer(f"'rationale' is longer than {self.max_rationale} characters")
        rationale = rationale.strip()
        return {"choice": choice, "rationale": rationale} if rationale else {"choice": choice}

    def majority(self, answers: Sequence[Any]) -> Any:
        """The response preferred by more answers ("a" or "b"); None on a tie."""
        return _unique_majority([a["choice"] for a in answers])


def _int_field(raw: Mapping[str, Any], name: str, default: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSchema(f"'{name}' must be a whole number, got {value!r}")
    return value


def parse_schema(raw: Any) -> LabelSchema:
    """Build a schema from its JSON form, or raise InvalidSchema saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise InvalidSchema('schema must be an object such as {"type": "single_choice", ...}')
    kind = raw.get("type")
    allowed = {"type"}
    schema: LabelSchema
    if kind == "single_choice":
        schema, allowed = SingleChoice(_parse_choices(raw)), {"type", "choices"}
    elif kind == "multi_choice":
        schema, allowed = MultiChoice(_parse_choices(raw)), {"type", "choices"}
    elif kind == "rating":
        low, high = _int_field(raw, "min", 1), _int_field(raw, "max", 5)
        if not low < high or high - low > 100:
            raise InvalidSchema(f"rating needs min < max and at most 100 steps, got {low}..{high}")
        schema, allowed = Rating(low, high), {"type", "min", "max"}
    elif kind == "free_text":
        length = _int_field(raw, "max_length", 2000)
        if not 1 <= length <= MAX_FREE_TEXT:
            raise InvalidSchema(f"max_length must be between 1 and {MAX_FREE_TEXT}")
        schema, allowed = FreeText(length), {"type", "max_length"}
    elif kind == "pairwise":
        schema = Pairwise()
    else:
        raise InvalidSchema(
            f"unknown schema type {kind!r}; use one of "
            "single_choice, multi_choice, rating, free_text, pairwise"
        )
    extra = set(raw) - allowed
    if extra:
        raise InvalidSchema(f"unknown fields for {kind}: {sorted(extra)}")
    return schema
