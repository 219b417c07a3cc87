"""Pairwise preference (RLHF): a prompt and two responses; the answer names the better one."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    InvalidAnswer,
    InvalidTaskData,
    LabelSchema,
    check_data_object,
    unique_majority,
)
from fairlabel.domain.messages import shown

PAIRWISE_FIELDS = ("prompt", "response_a", "response_b")
MAX_RATIONALE = 5000


def clean_rationale(answer: Mapping[str, Any]) -> str | None:
    """An answer's optional rationale, trimmed; None when absent or empty."""
    rationale = answer.get("rationale")
    if rationale is None:
        return None
    if not isinstance(rationale, str):
        raise InvalidAnswer("'rationale' must be a string")
    if len(rationale) > MAX_RATIONALE:
        raise InvalidAnswer("'rationale' is longer than {limit} characters",
                            limit=MAX_RATIONALE)
    return rationale.strip() or None


@dataclass(frozen=True)
class Pairwise(LabelSchema):
    """A prompt and two responses; the answer names the better one, with an optional rationale."""

    type: ClassVar[str] = "pairwise"
    max_rationale: int = MAX_RATIONALE

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        obj = check_data_object(data)
        for field in PAIRWISE_FIELDS:
            value = obj.get(field)
            if not isinstance(value, str) or not value.strip():
                raise InvalidTaskData(
                    "pairwise task data needs a non-empty string '{field}' (fields required: "
                    "{fields})", field=field, fields=", ".join(PAIRWISE_FIELDS))
        return dict(obj)

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        if not isinstance(answer, Mapping):
            raise InvalidAnswer(
                'answer must be an object like {"choice": "a", "rationale": "..."}'
            )
        extra = set(answer) - {"choice", "rationale"}
        if extra:
            raise InvalidAnswer("unknown answer fields {fields}; allowed: choice, rationale",
                                fields=", ".join(sorted(map(str, extra))))
        choice = answer.get("choice")
        if choice not in ("a", "b"):
            raise InvalidAnswer("'choice' must be \"a\" or \"b\", got “{choice}”",
                                choice=shown(choice))
        rationale = clean_rationale(answer)
        return {"choice": choice, "rationale": rationale} if rationale else {"choice": choice}

    def majority(self, answers: Sequence[Any]) -> Any:
        """The response preferred by more answers ("a" or "b"); None on a tie."""
        return unique_majority([a["choice"] for a in answers])

    def answer_key(self, answer: Any) -> Hashable:
        """Pairwise answers compare by the preferred response only (the rationale is free
        text)."""
        return answer["choice"]  # type: ignore[no-any-return]

    def key_to_answer(self, key: Any) -> Any:
        return {"choice": key}

    def classes(self) -> list[Any] | None:
        return ["a", "b"]

    def answer_from_text(self, text: str) -> Any:
        """``a`` or ``b``, or the JSON answer."""
        text = text.strip()
        if text in ("a", "b"):
            return {"choice": text}
        return super().answer_from_text(text)
