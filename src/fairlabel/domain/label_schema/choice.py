"""Single and multiple choice: text or image classification."""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    IMAGE_FIELD,
    MAX_LABELS,
    InvalidAnswer,
    InvalidSchema,
    LabelSchema,
    check_data_object,
    check_image_ref,
    parse_labels,
)
from fairlabel.domain.messages import shown

MAX_CHOICES = MAX_LABELS


def parse_choices(raw: Mapping[str, Any]) -> tuple[str, ...]:
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise InvalidSchema("'choices' must be a list of at least two strings")
    return parse_labels(raw, "choices")


def data_with_image(data: Any) -> dict[str, Any]:
    """Task data of a choice task: any object; an ``image`` field, when given, is an image
    reference shown above the choices (an empty one is dropped)."""
    obj = dict(check_data_object(data))
    if IMAGE_FIELD in obj:
        image = obj[IMAGE_FIELD]
        if image is None or (isinstance(image, str) and not image.strip()):
            del obj[IMAGE_FIELD]
            if not obj:
                check_data_object(obj)
        else:
            obj[IMAGE_FIELD] = check_image_ref(image)
    return obj


@dataclass(frozen=True)
class _Choice(LabelSchema):
    fields: ClassVar[frozenset[str]] = frozenset({"type", "choices"})
    choices: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LabelSchema:
        return cls(parse_choices(raw))

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        return data_with_image(data)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "choices": list(self.choices)}


@dataclass(frozen=True)
class SingleChoice(_Choice):
    type: ClassVar[str] = "single_choice"

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if answer not in self.choices or not isinstance(answer, str):
            raise InvalidAnswer("answer must be one of {choices}, got “{answer}”",
                                choices=", ".join(self.choices), answer=shown(answer))
        return answer

    def classes(self) -> list[Any] | None:
        return list(self.choices)


@dataclass(frozen=True)
class MultiChoice(_Choice):
    type: ClassVar[str] = "multi_choice"

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if not isinstance(answer, list):
            raise InvalidAnswer("answer must be a list of choices from {choices}, got “{answer}”",
                                choices=", ".join(self.choices), answer=shown(answer))
        unknown = [a for a in answer if not isinstance(a, str) or a not in self.choices]
        if unknown:
            raise InvalidAnswer("“{unknown}” not among the choices {choices}",
                                unknown=", ".join(map(shown, unknown)),
                                choices=", ".join(self.choices))
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

    def answer_key(self, answer: Any) -> Hashable:
        """Multiple choices compare by the set chosen (canonical order)."""
        return json.dumps(list(answer))

    def key_to_answer(self, key: Any) -> Any:
        return json.loads(key)

    def answer_from_text(self, text: str) -> Any:
        """Several choices separated by ``|`` (or a JSON list)."""
        text = text.strip()
        if not text.startswith("["):
            return [part.strip() for part in text.split("|") if part.strip()]
        return super().answer_from_text(text)
