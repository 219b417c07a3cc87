"""Label Studio results back into the platform's answers (the inverse of ``results.py``).

Results are matched by their ``type``, never by control names, so that annotations made with
any labeling config read: a bounding-box project takes ``rectanglelabels``, a spans project
``labels``, and so on (see ``results.py``); a ``textarea`` beside a pairwise or ranking answer
is its rationale. A result of another type is refused, naming it. The answer built here is
then checked by the project's schema like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairlabel.adapters.io.label_studio.offsets import code_point_offset
from fairlabel.adapters.io.label_studio.results import PAIRWISE_SIDES
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.messages import Msg, shown

_EXPECTED = {
    "single_choice": ("choices",), "multi_choice": ("choices",),
    "rating": ("rating", "number"), "free_text": ("textarea",),
    "pairwise": ("pairwise", "textarea"), "bounding_boxes": ("rectanglelabels",),
    "spans": ("labels",), "ranking": ("ranker", "textarea"),
}


def _value(result: Any, number: int) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(result, Mapping) or not isinstance(result.get("value"), Mapping):
        raise InvalidInput("result {number} must be an object with a 'type' and a 'value'",
                           number=number)
    return str(result.get("type")), result["value"]


def _result(number: int, kind: str) -> Msg:
    return Msg("result {number} ({kind})", {"number": number, "kind": kind})


def _one(value: Mapping[str, Any], key: str, what: Msg) -> Any:
    found = value.get(key)
    if not isinstance(found, list) or len(found) != 1:
        raise InvalidInput("{what} needs exactly one entry in '{key}', got {found}", what=what,
                           key=key, found=shown(found))
    return found[0]


def _number(value: Mapping[str, Any], key: str, what: Msg) -> float:
    found = value.get(key)
    if isinstance(found, bool) or not isinstance(found, int | float):
        raise InvalidInput("{what}: '{key}' must be a number, got {found}", what=what, key=key,
                           found=shown(found))
    return float(found)


def _box(value: Mapping[str, Any], number: int) -> dict[str, Any]:
    what = _result(number, "rectanglelabels")
    rotation = _number(value, "rotation", what) if "rotation" in value else 0.0
    if rotation % 360:
        raise InvalidInput("{what} is rotated; boxes here are upright: set rotation to 0",
                           what=what)
    return {"label": _one(value, "rectanglelabels", what),
            **{key: _number(value, key, what) / 100 for key in ("x", "y", "width", "height")}}


def _span(value: Mapping[str, Any], text: str, number: int) -> dict[str, Any]:
    what = _result(number, "labels")
    start, end = value.get("start"), value.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise InvalidInput("{what}: 'start' and 'end' must be whole numbers", what=what)
    assert isinstance(start, int) and isinstance(end, int)
    span = (code_point_offset(text, start), code_point_offset(text, end))
    shown = value.get("text")
    if isinstance(shown, str) and (span[0] is None or span[1] is None
                                   or text[span[0]:span[1]] != shown) \
            and text[start:end] == shown:
        span = (start, end)  # offsets already in code points (written by another tool)
    if span[0] is None or span[1] is None:
        raise InvalidInput("{what}: {start}–{end} does not fall on characters of the text "
                           "(Label Studio counts UTF-16 code units)", what=what, start=start,
                           end=end)
    return {"start": span[0], "end": span[1], "label": _one(value, "labels", what)}


def _order(value: Mapping[str, Any], number: int) -> list[int]:
    ranked = value.get("ranker")
    lists = list(ranked.values()) if isinstance(ranked, Mapping) else []
    if len(lists) != 1 or not isinstance(lists[0], list):
        raise InvalidInput("result {number} (ranker) must hold one list of response ids",
                           number=number)
    try:
        return [int(item) for item in lists[0]]
    except (TypeError, ValueError):
        raise InvalidInput("result {number} (ranker): response ids are the responses' numbers "
                           "from 0, got {found}", number=number, found=shown(lists[0])) from None


def _text(value: Mapping[str, Any], number: int) -> str:
    texts = value.get("text")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise InvalidInput("result {number} (textarea) must hold a list of texts",
                           number=number)
    return "\n".join(texts)


def from_results(schema: LabelSchema, results: Any, data: Mapping[str, Any]) -> Any:
    """The answer that Label Studio ``results`` stand for in a task of ``schema``."""
    if not isinstance(results, list):
        raise InvalidInput("an annotation's 'result' must be a list")
    kind = schema.type
    expected = _EXPECTED.get(kind, ())
    parts: dict[str, list[tuple[int, Mapping[str, Any]]]] = {k: [] for k in expected}
    for number, result in enumerate(results, start=1):
        found, value = _value(result, number)
        if found not in parts:
            raise InvalidInput("result {number} is of type “{found}”; a {kind} task takes "
                               "{expected} results", number=number, found=found, kind=kind,
                               expected=" / ".join(expected))
        parts[found].append((number, value))
    answer = _answer(kind, parts, data)
    rationale = [_text(v, n) for n, v in parts.get("textarea", [])]
    if kind in ("pairwise", "ranking") and rationale and rationale[0].strip():
        answer["rationale"] = rationale[0]
    return answer


def _single(parts: list[tuple[int, Mapping[str, Any]]], kind: str) -> tuple[int, Any]:
    if len(parts) != 1:
        raise InvalidInput("the annotation needs exactly one {kind} result, got {count}",
                           kind=kind, count=len(parts))
    return parts[0]


def _answer(kind: str, parts: dict[str, list[tuple[int, Mapping[str, Any]]]],
            data: Mapping[str, Any]) -> Any:
    if kind == "bounding_boxes":
        return [_box(v, n) for n, v in parts["rectanglelabels"]]
    if kind == "spans":
        return [_span(v, str(data.get("text", "")), n) for n, v in parts["labels"]]
    if kind == "ranking":
        number, value = _single(parts["ranker"], "ranker")
        return {"order": _order(value, number)}
    if kind == "pairwise":
        number, value = _single(parts["pairwise"], "pairwise")
        side = {v: k for k, v in PAIRWISE_SIDES.items()}.get(str(value.get("selected")))
        if side is None:
            raise InvalidInput("result {number} (pairwise): 'selected' must be left or right",
                               number=number)
        return {"choice": side}
    if kind in ("single_choice", "multi_choice"):
        chosen = [c for _, v in parts["choices"] for c in (v.get("choices") or [])]
        if kind == "multi_choice":
            return chosen
        if len(chosen) != 1:
            raise InvalidInput("a single-choice answer holds one choice, got {chosen}",
                               chosen=shown(chosen))
        return chosen[0]
    if kind == "rating":
        rated = [(n, v) for key in ("rating", "number") for n, v in parts[key]]
        number, value = _single(rated, "rating")
        return value.get("rating", value.get("number"))
    number, value = _single(parts["textarea"], "textarea")
    return _text(value, number)
