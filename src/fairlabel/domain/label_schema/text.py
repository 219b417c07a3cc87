"""Free text: writing and transcription."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    MAX_FREE_TEXT,
    InvalidAnswer,
    InvalidSchema,
    LabelSchema,
    int_field,
    unique_majority,
)


@dataclass(frozen=True)
class FreeText(LabelSchema):
    type: ClassVar[str] = "free_text"
    fields: ClassVar[frozenset[str]] = frozenset({"type", "max_length"})
    max_length: int = 2000

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LabelSchema:
        length = int_field(raw, "max_length", 2000)
        if not 1 <= length <= MAX_FREE_TEXT:
            raise InvalidSchema("max_length must be between 1 and {limit}", limit=MAX_FREE_TEXT)
        return cls(length)

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if not isinstance(answer, str):
            raise InvalidAnswer("answer must be a string, got {kind}", kind=type(answer).__name__)
        text = answer.strip()
        if not text:
            raise InvalidAnswer("answer is empty")
        if len(text) > self.max_length:
            raise InvalidAnswer("answer is {length} characters long; the limit is {limit}",
                                length=len(text), limit=self.max_length)
        return text

    def majority(self, answers: Sequence[Any]) -> Any:
        """The exact text written by more than half of the answers, else None."""
        top = unique_majority(answers)
        if top is None or sum(a == top for a in answers) * 2 <= len(answers):
            return None
        return top

    def answer_key(self, answer: Any) -> Hashable:
        """Free text compares after trimming, collapsing spaces and case folding."""
        return " ".join(str(answer).split()).casefold()

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "max_length": self.max_length}
