"""Rating scales: a whole number between a schema's lowest and highest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    InvalidAnswer,
    InvalidSchema,
    LabelSchema,
    int_field,
)
from fairlabel.domain.messages import shown

MAX_RATING_STEPS = 100


@dataclass(frozen=True)
class Rating(LabelSchema):
    type: ClassVar[str] = "rating"
    fields: ClassVar[frozenset[str]] = frozenset({"type", "min", "max"})
    min: int = 1
    max: int = 5

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LabelSchema:
        low, high = int_field(raw, "min", 1), int_field(raw, "max", 5)
        if not low < high or high - low > MAX_RATING_STEPS:
            raise InvalidSchema("rating needs min < max and at most {steps} steps, got "
                                "{low}..{high}", steps=MAX_RATING_STEPS, low=low, high=high)
        return cls(low, high)

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise InvalidAnswer("answer must be a whole number, got “{answer}”",
                                answer=shown(answer))
        if not self.min <= answer <= self.max:
            raise InvalidAnswer("answer must be between {low} and {high}, got {answer}",
                                low=self.min, high=self.max, answer=answer)
        return answer

    def classes(self) -> list[Any] | None:
        return list(range(self.min, self.max + 1))

    def answer_from_text(self, text: str) -> Any:
        """A rating written as a number."""
        text = text.strip()
        try:
            return int(text)
        except ValueError:
            return text

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "min": self.min, "max": self.max}
