import re

import pytest

from fairlabel.adapters.io.exporters import csv_lines, neutralise
from fairlabel.adapters.io.task_files import (
    detect_delimiter,
    format_for_content_type,
    format_for_filename,
    parse_tasks,
    read_tasks,
)
from fairlabel.domain.errors import ImportRejected, InvalidInput


def test_the_three_formats_parse_to_rows() -> None:
    assert parse_tasks(b'[{"data": {"text": "a"}}]', "json") == [{"data": {"text": "a"}}]
    assert parse_tasks(b'{"text": "a"}\n\n{"text": "b"}\n', "jsonl") == [{"text": "a"},
                                                                       {"text": "b"}]
    assert parse_tasks("\ufefftext,id\nhé,1\n".encode(), "csv") == [{"text": "hé", "id": "1"}]


@pytest.mark.parametrize(("content", "fmt", "row", "reason"), [
    (b'{"text": "a"}\n{"text": \n', "jsonl", 2, "invalid JSON"),
    (b'{"text": "a"}', "json", 1, "array"),
    (b"[1, 2", "json", 2, "invalid JSON"),  # read as a stream: the row it stopped in
    (b"text,id\na,1\nb\n", "csv", 2, "as many cells"),
    (b"text,text\na,b\n", "csv", 1, "repeats"),
    (b"ok\n\xff\xfe\n", "csv", 2, "UTF-8"),
])
def test_a_bad_row_is_named_with_its_number(content: bytes, fmt: str, row: int,
                                           reason: str) -> None:
    with pytest.raises(ImportRejected, match=reason) as caught:
        parse_tasks(content, fmt)  # type: ignore[arg-type]
    assert caught.value.row == row
    assert "Nothing was imported" in caught.value.message


def test_formats_from_names_and_content_types() -> None:
    assert format_for_filename("x.NDJSON") == "jsonl"
    assert format_for_content_type("text/csv; charset=utf-8") == "csv"
    assert format_for_content_type(None) == "json"
    with pytest.raises(InvalidInput, match="cannot tell"):
        format_for_filename("x.txt")
    with pytest.raises(InvalidInput, match="unsupported content type"):
        format_for_content_type("text/plain")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


def test_csv_export_neutralises_answers_and_data() -> None:
    lines = "".join(csv_lines([{"task_id": 1, "data": {"t": 1},
                                "answers": [], "majority": "=HYPERLINK(\"x\")",
                                "consensus": "@SUM(1)", "confidence": 0.5, "settled": False,
                                "gold": None}]))
    assert "'=HYPERLINK" in lines and "'@SUM(1)" in lines
    assert lines.splitlines()[0] == ("task_id,data,answers,majority,answer_count,consensus,"
                                     "confidence,settled,gold")
    assert lines.splitlines()[1].endswith(",0.5000,false,")


def test_csv_gold_column_becomes_the_expected_answer() -> None:
    rows = parse_tasks(b"text,_gold\nnice,positive\nmeh,\n", "csv")
    assert rows == [{"data": {"text": "nice"}, "gold_text": "positive"},
                    {"data": {"text": "meh"}}]


# --- Text rules, CSV dialects, what was read (hardening) ----------------------------------


@pytest.mark.parametrize(("content", "fmt", "row", "reason"), [
    (b'[{"data": {"text": "ok"}}, {"data": {"text": "\\ud800"}}]', "json", 2,
     "the text at data.text holds an unpaired surrogate (\\ud800): send well-formed Unicode"),
    (b'{"text": "ok"}\n{"text": "\\u0000"}\n', "jsonl", 2, "NUL character"),
    (b'[{"data": {"score": NaN}}]', "json", 1, "the number at data.score is NaN"),
    (b'{"score": 1e999}\n', "jsonl", 1, "too large for a 64-bit float"),
    (b'[{"data": {"n": ' + b"1" * 4400 + b"}}]", "json", 1, "4400 digits"),
    (b'[{"x": 1}, {"data": {"x": ' + b"[" * 2000 + b"]" * 2000 + b"}}]", "json", 2,
     "nested more than 32 levels deep"),
    (b"text,id\na\x00b,1\n", "csv", 1, "the text at column “text” holds a NUL character"),
    (b'text,id\nok,1\n"not closed,2\nthree,3\n', "csv", 2, "never closed"),
    (b'text,id\n"closed" and more,1\n', "csv", 1, "after its closing quote"),
    (b"text;id\na;1;extra\n", "csv", 1, "separated by a semicolon"),
])
def test_text_numbers_and_quoting_the_platform_cannot_keep_are_refused(
        content: bytes, fmt: str, row: int, reason: str) -> None:
    with pytest.raises(ImportRejected, match=re.escape(reason)) as caught:
        parse_tasks(content, fmt)  # type: ignore[arg-type]
    assert caught.value.row == row


@pytest.mark.parametrize(("text", "delimiter"), [
    ("text,label\nHello; there,positive\n", ","),
    ("text;label\n\"Hello, world\";positive\nAnother, sentence;negative\n", ";"),
    ("text;label\nHello, world, again;positive\n", ";"),
    ("text\tlabel\nHello, world; yes\tpositive\n", "\t"),
    ("text\nhello\n", ","),                      # one column
    ("\"a,b\";c\n1;2\n", ";"),                   # delimiters inside quotes separate nothing
    ("a,b;c\n1,2;3\n4,5;6\n", ","),             # both in the header: the sniffer decides
])
def test_the_delimiter_is_detected(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_a_semicolon_csv_reads_as_columns_and_says_so() -> None:
    read = read_tasks(b"text;lang;_gold\nJa, gut;de;pos\nNein;de;\n", "csv")
    assert read.rows == [{"data": {"text": "Ja, gut", "lang": "de"}, "gold_text": "pos"},
                         {"data": {"text": "Nein", "lang": "de"}}]
    assert read.columns == ["text", "lang"] and read.delimiter == ";"


def test_json_imports_name_the_fields_of_their_task_data() -> None:
    read = read_tasks(b'[{"data": {"a": 1, "b": 2}, "gold": "x"}, {"c": 3, "a": 4}, 5]', "json")
    assert read.columns == ["a", "b", "c"] and read.delimiter is None
    assert read_tasks(b'{"t": 1}\n{"u": 2}\n', "jsonl").columns == ["t", "u"]
