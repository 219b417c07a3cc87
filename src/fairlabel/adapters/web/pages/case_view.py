"""What ``_task_view.html`` draws of a case (services.cases.Case): the task as the worker saw
it, laid out by task type, with their answer marked in it, and answers described in words
(the worker's, and for moderators the consensus and the gold answer)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.i18n.context import ngettext
from fairlabel.domain.label_schema import IMAGE_FIELD
from fairlabel.services.cases import Case

TINTS = 9
"""Label colours (``tint-0`` … ``tint-8`` in style.css); each label is also written out."""

# The task data fields each type lays out itself; the others are listed as they are.
LAID_OUT = {
    "pairwise": {"prompt", "response_a", "response_b"},
    "spans": {"text"},
    "ranking": {"prompt", "responses"},
}


@dataclass(frozen=True, slots=True)
class Option:
    """A choice, a step of a rating scale or a side of a pair, and who picked it."""

    value: str
    chosen: bool
    expected: bool = False
    consensus: bool = False


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the task's text, marked with a label or not."""

    text: str
    label: str | None = None
    tint: int = 0


@dataclass(frozen=True, slots=True)
class Box:
    number: int
    label: str
    tint: int
    left: float  # percentages of the image's width and height
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Ranked:
    place: int  # 1 is the best
    number: int  # the response's number as the worker saw it (from 1)
    text: str


@dataclass(slots=True)
class CaseView:
    case: Case
    kind: str
    image: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    ranked: list[Ranked] = field(default_factory=list)
    prompt: str | None = None
    written: str | None = None  # a free-text answer
    rationale: str | None = None
    answer_words: str = ""
    expected_words: str | None = None
    consensus_words: str | None = None

    @property
    def confidence(self) -> float | None:
        return self.case.confidence


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _tint(labels: Sequence[str], label: Any) -> int:
    return labels.index(label) % TINTS if label in labels else TINTS - 1


def span_pieces(text: str, spans: Any, labels: Sequence[str]) -> list[Piece]:
    """The text cut at the spans' edges (code points, as stored), each span marked."""
    pieces: list[Piece] = []
    at = 0
    marked = sorted((s for s in spans if isinstance(s, Mapping)) if isinstance(spans, list)
                    else [], key=lambda s: (s.get("start", 0), s.get("end", 0)))
    for span in marked:
        start, end = span.get("start"), span.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not at <= start < end:
            continue
        if start > at:
            pieces.append(Piece(text[at:start]))
        label = str(span.get("label", ""))
        pieces.append(Piece(text[start:end], label, _tint(labels, label)))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


def _boxes(answer: Any, labels: Sequence[str]) -> list[Box]:
    found = []
    for number, box in enumerate(answer if isinstance(answer, list) else [], start=1):
        try:
            found.append(Box(number, str(box["label"]), _tint(labels, box["label"]),
                             100 * float(box["x"]), 100 * float(box["y"]),
                             100 * float(box["width"]), 100 * float(box["height"])))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _response_name(number: int) -> str:
    return _("Response {number}").format(number=number)


def describe(kind: str, answer: Any, data: Mapping[str, Any]) -> str:
    """An answer in words, for the reader (choices and labels as the project wrote them)."""
    if answer is None:
        return "—"
    try:
        if kind == "multi_choice":
            return ", ".join(f"“{a}”" for a in answer) if answer else _("nothing ticked")
        if kind == "single_choice":
            return f"“{answer}”"
        if kind == "rating":
            return formats.number(answer)
        if kind == "free_text":
            return f"“{answer}”"
        if kind == "pairwise":
            side = answer.get("choice") if isinstance(answer, Mapping) else answer
            return _("Response A") if side == "a" else _("Response B")
        if kind == "bounding_boxes":
            count = ngettext("{num} box", "{num} boxes", len(answer)).format(num=len(answer))
            names = ", ".join(str(b["label"]) for b in answer)
            return _("{count}: {labels}").format(count=count, labels=names) if answer \
                else _("nothing marked")
        if kind == "spans":
            text = str(data.get("text", ""))
            return "; ".join(_("{label}: “{text}”").format(
                label=s["label"], text=text[s["start"]:s["end"]]) for s in answer) \
                if answer else _("nothing marked")
        if kind == "ranking":
            order = answer.get("order") if isinstance(answer, Mapping) else answer
            return " > ".join(_response_name(int(n) + 1) for n in order or [])
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    return _text(answer)


def _choices(view: CaseView, values: Sequence[Any], multiple: bool) -> None:
    case = view.case

    def picked(answer: Any, value: Any) -> bool:
        if answer is None:
            return False
        return value in answer if multiple and isinstance(answer, list) else answer == value

    view.options = [Option(_text(v), picked(case.answer, v), picked(case.expected, v),
                           picked(case.consensus, v)) for v in values]


def _side(answer: Any) -> Any:
    return answer.get("choice") if isinstance(answer, Mapping) else answer


def present(case: Case) -> CaseView:
    """Lay a case out for ``_task_view.html``."""
    schema, data = case.schema, case.data
    kind = schema.type
    view = CaseView(case, kind)
    image = data.get(IMAGE_FIELD)
    view.image = image if isinstance(image, str) and case.shows_media else None
    skip = LAID_OUT.get(kind, set()) | {IMAGE_FIELD}
    view.fields = [(str(k), _text(v)) for k, v in data.items() if k not in skip]
    labels: Sequence[str] = getattr(schema, "labels", ())
    if kind in ("single_choice", "multi_choice"):
        _choices(view, getattr(schema, "choices", ()), kind == "multi_choice")
    elif kind == "rating":
        _choices(view, range(getattr(schema, "min", 1), getattr(schema, "max", 5) + 1), False)
    elif kind == "free_text":
        view.written = _text(case.answer)
    elif kind == "pairwise":
        view.prompt = _text(data.get("prompt", ""))
        side, expected, agreed = _side(case.answer), _side(case.expected), _side(case.consensus)
        view.options = [Option(_text(data.get(f"response_{s}", "")), side == s, expected == s,
                               agreed == s) for s in ("a", "b")]
    elif kind == "spans":
        view.pieces = span_pieces(str(data.get("text", "")), case.answer, labels)
    elif kind == "bounding_boxes":
        view.boxes = _boxes(case.answer, labels)
    elif kind == "ranking":
        view.prompt = _text(data.get("prompt", ""))
        responses = data.get("responses") or []
        order = case.answer.get("order") if isinstance(case.answer, Mapping) else None
        view.ranked = [Ranked(place, int(n) + 1, _text(responses[int(n)]))
                       for place, n in enumerate(order or [], start=1)
                       if isinstance(n, int) and 0 <= n < len(responses)]
    if isinstance(case.answer, Mapping) and case.answer.get("rationale"):
        view.rationale = _text(case.answer["rationale"])
    view.answer_words = describe(kind, case.answer, data)
    if case.expected is not None:
        view.expected_words = describe(kind, case.expected, data)
    if case.consensus is not None:
        view.consensus_words = describe(kind, case.consensus, data)
    return view


def present_all(found: Mapping[int, Case]) -> dict[int, CaseView]:
    return {decision_id: present(case) for decision_id, case in found.items()}
