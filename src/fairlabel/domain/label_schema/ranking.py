"""Ranking (RLHF): a prompt and 2 to 9 responses; the answer orders them, best first.

The answer is ``{"order": [indices of the responses, best first], "rationale": "..."}``: the
order is a permutation of ``range(len(responses))``; the rationale is optional (at most 5,000
characters, trimmed, left out when empty). A gold answer is met when Kendall's tau between
the answer's order and the expected one reaches the schema's ``gold_tau``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fairlabel.domain.label_schema.base import (
    MAX_FREE_TEXT,
    InvalidAnswer,
    InvalidTaskData,
    StructuredSchema,
    canonical_json,
    check_data_object,
    check_fields,
    check_text_field,
    share_field,
)
from fairlabel.domain.label_schema.pairwise import clean_rationale
from fairlabel.domain.messages import Msg, shown

MIN_RESPONSES = 2
MAX_RESPONSES = 9


def kendall_tau(order: Sequence[int], expected: Sequence[int]) -> float:
    """Kendall's tau between two orders of the same items (1: the same order, -1: reversed)."""
    position = {item: i for i, item in enumerate(expected)}
    ranks = [position[item] for item in order]
    n = len(ranks)
    if n < 2:
        return 1.0
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if ranks[i] < ranks[j])
    pairs = n * (n - 1) // 2
    return (2 * concordant - pairs) / pairs


def _responses(data: Mapping[str, Any]) -> list[str]:
    responses = data.get("responses")
    if (not isinstance(responses, list)
            or not MIN_RESPONSES <= len(responses) <= MAX_RESPONSES):
        raise InvalidTaskData("ranking task data needs 'responses': a list of {low} to {high} "
                              "strings", low=MIN_RESPONSES, high=MAX_RESPONSES)
    for number, response in enumerate(responses, start=1):
        if not isinstance(response, str) or not response.strip():
            raise InvalidTaskData("response {number} must be a non-empty string", number=number)
        if len(response) > MAX_FREE_TEXT:
            raise InvalidTaskData("response {number} is {length} characters long; the limit is "
                                  "{limit}", number=number, length=len(response),
                                  limit=MAX_FREE_TEXT)
    return responses


@dataclass(frozen=True)
class Ranking(StructuredSchema):
    """A prompt and several responses, ordered from best to worst."""

    type: ClassVar[str] = "ranking"
    fields: ClassVar[frozenset[str]] = frozenset({"type", "gold_tau"})
    answer_needs_data: ClassVar[bool] = True
    gold_tau: float = 0.6

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Ranking:
        return cls(share_field(raw, "gold_tau", 0.6, low=-1.0, high=1.0, low_open=False))

    def validate_task_data(self, data: Any) -> dict[str, Any]:
        obj = check_data_object(data)
        check_text_field(obj, "prompt", what="ranking")
        _responses(obj)
        return dict(obj)

    def validate_answer(self, answer: Any, data: Mapping[str, Any] | None = None) -> Any:
        """The order, checked against the task's responses when ``data`` is given."""
        if not isinstance(answer, Mapping):
            raise InvalidAnswer('answer must be an object like {"order": [2, 0, 1], '
                                '"rationale": "..."}: the responses\' numbers from 0, best first')
        check_fields(answer, {"order"}, {"rationale"}, Msg("the answer"))
        order = answer["order"]
        responses = data.get("responses") if data is not None else None
        count = len(responses) if isinstance(responses, list) else None
        if not isinstance(order, list) or not MIN_RESPONSES <= len(order) <= MAX_RESPONSES:
            if count:
                raise InvalidAnswer("'order' must be a list of {count} response numbers, best "
                                    "first", count=count)
            raise InvalidAnswer("'order' must be a list of the response numbers, best first")
        if any(isinstance(i, bool) or not isinstance(i, int) for i in order):
            raise InvalidAnswer("'order' holds response numbers (whole numbers from 0), got "
                                "{order}", order=shown(order))
        size = count if count is not None else len(order)
        if sorted(order) != list(range(size)):
            raise InvalidAnswer("'order' must list each of the {size} responses once, by their "
                                "numbers 0 to {last}, best first; got {order}", size=size,
                                last=size - 1, order=shown(order))
        rationale = clean_rationale(answer)
        return {"order": list(order), "rationale": rationale} if rationale else {
            "order": list(order)}

    def answer_key(self, answer: Any) -> Hashable:
        """Rankings compare by their order only (the rationale is free text)."""
        return canonical_json(answer["order"])

    def key_to_answer(self, key: Any) -> Any:
        return {"order": super().key_to_answer(key)}

    def grade(self, answer: Any, expected: Any) -> bool:
        """Right when Kendall's tau between the orders reaches ``gold_tau``."""
        if len(answer["order"]) != len(expected["order"]):
            return False
        return kendall_tau(answer["order"], expected["order"]) >= self.gold_tau - 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "gold_tau": self.gold_tau}
