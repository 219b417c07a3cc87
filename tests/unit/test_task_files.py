import pytest

from fairlabel.adapters.io.exporters import csv_lines, neutralise
from fairlabel.adapters.io.task_files import (
    format_for_content_type,
    format_for_filename,
    parse_tasks,
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
    (b"[1, 2", "json", 1, "invalid JSON"),
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
