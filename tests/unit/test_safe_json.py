"""JSON as the platform accepts it (adapters/io/safe_json.py)."""

from __future__ import annotations

import json

import pytest

from fairlabel.adapters.io.safe_json import (
    MAX_DEPTH,
    MAX_STRING_CHARS,
    JsonRefused,
    loads,
    show,
    text_problem,
)


def refusal(text: str, **options: bool | str) -> JsonRefused:
    with pytest.raises(JsonRefused) as caught:
        loads(text, **options)  # type: ignore[arg-type]
    return caught.value


def test_ordinary_json_parses_as_json_does() -> None:
    text = ('{"text": "h\\u00e9 \\ud83d\\ude00", "n": -12, "x": 1.5e3, "ok": true, '
            '"none": null, "list": [1, [2, {"a": "b"}]], "path": "C:\\\\u0000"}')
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize(("text", "words"), [
    ('{"text": "a\\ud800b"}', "the text at text holds an unpaired surrogate (\\ud800): "
                              "send well-formed Unicode"),
    ('{"text": "\\udc00"}', "unpaired surrogate (\\udc00)"),
    ('{"text": "\\ude00\\ud83d"}', "unpaired surrogate (\\ude00)"),  # a pair the wrong way round
    ('{"a": {"b": ["x", "\\u0000"]}}', "the text at a.b[1] holds a NUL character (\\u0000)"),
    ('{"k\\u0000": 1}', "a field name at the top level holds a NUL character"),
    ('{"a": NaN}', "the number at a is NaN: JSON has no NaN or Infinity"),
    ('{"a": [Infinity]}', "the number at a[0] is Infinity"),
    ('{"a": -Infinity}', "is -Infinity"),
    ('{"a": 1e309}', "the number at a (1e309) is too large for a 64-bit float"),
    ('{"a": -1e400}', "too large"),
    ('{"a": %s}' % ("9" * 4301), "has 4301 digits; at most 100 characters"),
    ('{"a": -%s}' % ("9" * 101), "has 101 digits"),
    ('{"a": 0.%s}' % ("1" * 120), "has 122 characters"),
    ('{"my key": {"x": "\\ud800"}}', 'the text at ["my key"].x holds'),
    ('"\\ud800"', "the text at the top level holds"),
])
def test_what_the_platform_cannot_keep_is_refused_with_where_it_is(text: str,
                                                                    words: str) -> None:
    assert words in refusal(text).reason


def test_numbers_up_to_the_limit_are_kept() -> None:
    assert loads("9" * 100) == int("9" * 100)
    assert loads("1e308") == 1e308


def test_nesting_is_bounded() -> None:
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert "nested more than 32 levels deep" in refusal(
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).reason
    # Deep enough to exhaust the parser's stack: refused all the same, no RecursionError.
    assert "nested more than" in refusal("[" * 100_000 + "]" * 100_000).reason
    assert "nested more than" in refusal('{"a": ' * 5000 + "1" + "}" * 5000).reason


def test_strings_are_bounded() -> None:
    assert loads(json.dumps(["x" * MAX_STRING_CHARS])) == ["x" * MAX_STRING_CHARS]
    found = refusal(json.dumps({"t": "x" * (MAX_STRING_CHARS + 1)})).reason
    assert f"is {MAX_STRING_CHARS + 1} characters long; at most {MAX_STRING_CHARS}" in found
    assert "field name" in refusal(json.dumps({"k" * (MAX_STRING_CHARS + 1): 1})).reason


def test_rows_are_checked_one_by_one_and_named() -> None:
    caught = refusal('[{"data": {"text": "a"}}, {"data": {"text": "\\ud800"}}]', rows=True)
    assert caught.row == 2 and caught.reason.startswith("the text at data.text holds")
    caught = refusal('[{"data": 1}, "ok", {"data": %s}]' % ("[" * 200 + "]" * 200), rows=True)
    assert caught.row == 3 and "nested more than" in caught.reason
    caught = refusal('[1, 2, %s]' % ("[" * 100_000 + "]" * 100_000), rows=True)
    assert caught.row == 3
    # Row elements sit one level down: 32 levels inside a row are the most.
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert loads(f"[{inner}]", rows=True) is not None


def test_syntax_errors_stay_json_errors() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads('{"a": }')


def test_messages_never_carry_a_raw_surrogate_or_control_character() -> None:
    reason = refusal('{"\\ud800\\u0001": "\\u0000"}').reason
    reason.encode("utf-8")
    assert "\x00" not in reason and "\x01" not in reason
    assert show("a\ud800b\x00" + "x" * 50, 10) == "a\\ud800b\\u0000xxxxxx…"


def test_text_problem_checks_single_strings() -> None:
    assert text_problem("fine", "column 'text'") is None
    assert str(text_problem("a\x00", "column 'text'")) == (
        "the text at column 'text' holds a NUL character (\\u0000): remove it")
