"""JSON as the platform accepts it: well-formed Unicode, no NUL, finite numbers of sane size,
bounded nesting and string lengths.

Python's ``json`` accepts more than the rest of the platform can keep: ``NaN`` and
``Infinity`` (PostgreSQL's JSONB refuses them), ``"\\ud800"`` (a lone surrogate, which no
UTF-8 encoder can write back out: every worker served such a task and every export would
fail), ``"\\u0000"`` (PostgreSQL text cannot hold NUL), integers of thousands of digits
(Python refuses to convert more than 4,300) and nesting deep enough to exhaust the
interpreter's stack. :func:`loads` parses once and refuses all of these with a message that
says what is wrong and where; the API's entrance (``web/limits.py``) and task files
(``task_files.py``) both use it, and :func:`text_problem` checks single strings (CSV cells).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fairlabel.domain.messages import N_, Msg, Value

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects (a task's data is rarely deeper than 3)."""
MAX_NUMBER_CHARS = 100
"""Longest number literal, sign, point and exponent included."""
MAX_STRING_CHARS = 100_000
"""Longest string (or object key), in characters: the length of the longest free-text
answer (``domain.label_schema.MAX_FREE_TEXT``)."""

_SUSPECT = re.compile(r"\\u(?:0000|[dD][89abcdefABCDEF])")
"""Escapes that may decode to NUL or a surrogate: the only way either can reach a string,
since strict UTF-8 decoding refuses encoded surrogates and JSON refuses raw control
characters inside strings."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonRefused(ValueError):
    """The JSON cannot be accepted. ``msg`` says what and where (``reason`` in English);
    ``row`` is the 1-based element of the top-level array it was found in, when
    :func:`loads` checked rows."""

    def __init__(self, msg: Msg, *, row: int | None = None) -> None:
        super().__init__(str(msg))
        self.msg = msg
        self.reason = str(msg)
        self.row = row


class _Refused:
    """Stands in for a number that was refused while parsing; reported by the check, which
    knows where it is."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, **params: Value) -> None:
        self.template = template  # its {where} is filled in once the check knows where
        self.params = params

    def said(self, where: Value) -> Msg:
        return Msg(self.template, {**self.params, "where": where})


def _constant(name: str) -> _Refused:
    return _Refused(N_("the number at {where} is {name}: JSON has no NaN or Infinity; send a "
                       "finite number or null"), name=name)


def _integer(literal: str) -> int | _Refused:
    if len(literal) > MAX_NUMBER_CHARS:
        digits = len(literal.lstrip("-"))
        return _Refused(N_("the number at {where} has {digits} digits; at most {limit} "
                           "characters are accepted (send very large numbers as text)"),
                        digits=digits, limit=MAX_NUMBER_CHARS)
    return int(literal)


def _float(literal: str) -> float | _Refused:
    if len(literal) > MAX_NUMBER_CHARS:
        return _Refused(N_("the number at {where} has {length} characters; at most {limit} "
                           "are accepted (send very precise numbers as text)"),
                        length=len(literal), limit=MAX_NUMBER_CHARS)
    value = float(literal)
    if not math.isfinite(value):
        return _Refused(N_("the number at {where} ({literal}) is too large for a 64-bit float; "
                           "send a smaller number or text"), literal=literal)
    return value


def show(text: str, limit: int = 40) -> str:
    """A piece of text safe to put in a message: surrogates, NUL and other control
    characters as ``\\uXXXX`` escapes, cut after ``limit`` characters."""
    cut = text[:limit]
    shown = "".join(f"\\u{ord(c):04x}" if (ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF)
                    else c for c in cut)
    return shown + ("…" if len(text) > limit else "")


def _step(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(show(key), ensure_ascii=False)}]"


def _path(trail: tuple[Any, ...] | None, root: str) -> Value:
    """Where a value is: its path (``data.items[2]``), or the root's name, for the catalogs
    (``N_("the row")``)."""
    keys: list[str | int] = []
    while trail is not None:
        keys.append(trail[0])
        trail = trail[1]
    path = ""
    for key in reversed(keys):
        path = _step(path, key)
    return show(path, 80) if path else Msg(root)


def _text_problem(text: str, subject: Msg) -> Msg | None:
    if len(text) > MAX_STRING_CHARS:
        return Msg("{subject} is {length} characters long; at most {limit} are accepted",
                   {"subject": subject, "length": len(text), "limit": MAX_STRING_CHARS})
    if "\x00" in text:
        return Msg("{subject} holds a NUL character (\\u0000): remove it", {"subject": subject})
    found = _SURROGATE.search(text)
    if found:
        escape = f"\\u{ord(found.group()):04x}"
        return Msg("{subject} holds an unpaired surrogate ({escape}): send well-formed Unicode",
                   {"subject": subject, "escape": escape})
    return None


def text_problem(text: str, where: Value) -> Msg | None:
    """What is wrong with one string (None: nothing). ``where`` names it in the message."""
    return _text_problem(text, Msg("the text at {where}", {"where": where}))


def _problem(value: Any, root: str, depth: int, *, contents: bool, lengths: bool
             ) -> Msg | None:
    """The first problem found in ``value``, or None.

    ``contents`` false skips the NUL and surrogate checks (the text held no escape that could
    produce either), ``lengths`` false the length of strings (the text was shorter than the
    limit). Iterative, so that no nesting the parser accepted can exhaust the stack; a
    problem's place is rebuilt from the trail of keys only when there is one.
    """
    limit = MAX_STRING_CHARS if lengths else None
    strings = contents or lengths

    def bad(text: str) -> bool:  # isascii() is a flag read: most text needs no search
        return (limit is not None and len(text) > limit) or (contents and (
            "\x00" in text or (not text.isascii() and _SURROGATE.search(text) is not None)))

    stack: list[tuple[Any, int, tuple[Any, ...] | None]] = [(value, depth, None)]
    while stack:
        item, level, trail = stack.pop()
        kind = type(item)
        if kind is dict or kind is list:
            if level >= MAX_DEPTH:
                return Msg("the JSON is nested more than {limit} levels deep (at {where})",
                           {"limit": MAX_DEPTH, "where": _path(trail, root)})
            if kind is dict and strings:
                for key in item:
                    if bad(key):
                        return _text_problem(key, Msg("a field name at {where}",
                                                      {"where": _path(trail, root)}))
            for key, child in (item.items() if kind is dict else enumerate(item)):
                child_kind = type(child)
                if child_kind is str:
                    if strings and bad(child):
                        return text_problem(child, _path((key, trail), root))
                elif child_kind is dict or child_kind is list or child_kind is _Refused:
                    stack.append((child, level + 1, (key, trail)))
        elif kind is str:
            if strings and bad(item):
                return text_problem(item, _path(trail, root))
        elif isinstance(item, _Refused):
            return item.said(_path(trail, root))
    return None


def _parse(text: str) -> Any:
    return json.loads(text, parse_constant=_constant, parse_int=_integer,
                      parse_float=_float)


_DECODER = json.JSONDecoder(parse_constant=_constant, parse_int=_integer, parse_float=_float)


def decode_at(text: str, start: int) -> tuple[Any, int]:
    """The JSON value that starts at ``start`` in ``text`` (no whitespace before it) and where
    it ends: an element of an array read piece by piece. Syntax errors raise
    ``json.JSONDecodeError``; nesting too deep to parse :class:`JsonRefused`. Check the value
    with :func:`row_problem`."""
    try:
        return _DECODER.raw_decode(text, start)
    except RecursionError:
        raise JsonRefused(Msg("the JSON is nested more than {limit} levels deep",
                              {"limit": MAX_DEPTH})) from None


def row_problem(row: Any, text: str, start: int, end: int) -> Msg | None:
    """What is wrong with a row :func:`decode_at` read from ``text[start:end]`` (None:
    nothing), checked as :func:`loads` checks the rows of an array."""
    return _problem(row, N_("the row"), 1,
                    contents=_SUSPECT.search(text, start, end) is not None,
                    lengths=end - start > MAX_STRING_CHARS)


def may_hold_nul_or_surrogates(text: str) -> bool:
    """Whether JSON text holds an escape that could decode to NUL or a surrogate."""
    return _SUSPECT.search(text) is not None


def loads(text: str, *, rows: bool = False, root: str = N_("the top level"),
          suspect: bool | None = None) -> Any:
    """Parse ``text`` and refuse what the platform cannot keep (:class:`JsonRefused`).

    ``rows``: the text is expected to hold an array of records; each element is checked on
    its own, a problem names its element (``JsonRefused.row``, from 1) and its place within.
    ``root`` names the whole value in messages. ``suspect``: what
    :func:`may_hold_nul_or_surrogates` said of a text that holds this one (JSON Lines: asked
    once of the file, not of each line). Syntax errors raise ``json.JSONDecodeError`` as
    ``json.loads`` does.
    """
    try:
        value = _parse(text)
    except RecursionError:
        raise JsonRefused(Msg("the JSON is nested more than {limit} levels deep",
                              {"limit": MAX_DEPTH}),
                          row=_deep_row(text) if rows else None) from None
    contents = may_hold_nul_or_surrogates(text) if suspect is None else suspect
    lengths = len(text) > MAX_STRING_CHARS
    if rows and isinstance(value, list):
        for index, row in enumerate(value):
            found = _problem(row, N_("the row"), 1, contents=contents, lengths=lengths)
            if found:
                raise JsonRefused(found, row=index + 1)
        return value
    found = _problem(value, root, 0, contents=contents, lengths=lengths)
    if found:
        raise JsonRefused(found)
    return value


def _deep_row(text: str) -> int | None:
    """The element of a top-level array where nesting first passes the limit (for the message
    about a document too deep to parse; only runs on that error)."""
    depth, row, in_string, escaped = 0, 1, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH + 1:
                return row
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1:
            row += 1
    return None
