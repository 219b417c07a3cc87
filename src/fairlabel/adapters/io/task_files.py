"""Reading task files: a JSON array, JSON Lines or CSV, into a list of rows.

Parsing errors name the row (counting from 1, the CSV header not counted) and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from fairlabel.domain.errors import ImportRejected, InvalidInput

Format = Literal["json", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "csv")
_CONTENT_TYPES: dict[str, Format] = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
}


def format_for_content_type(content_type: str | None) -> Format:
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind not in _CONTENT_TYPES:
        raise InvalidInput(
            f"unsupported content type {kind!r}; send application/json (an array), "
            "application/x-ndjson (JSON Lines) or text/csv"
        )
    return _CONTENT_TYPES[kind]


def format_for_filename(name: str) -> Format:
    lowered = name.lower()
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"),
                        (".csv", "csv")):
        if lowered.endswith(suffix):
            return fmt  # type: ignore[return-value]
    raise InvalidInput(f"cannot tell the format of {name!r}: name it .json, .jsonl or .csv")


def _text(content: bytes | bytearray) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportRejected(line, "the file is not valid UTF-8 text") from None


def parse_tasks(content: bytes | bytearray, fmt: Format) -> list[Any]:
    text = _text(content)
    if fmt == "json":
        return _parse_json(text)
    if fmt == "jsonl":
        return _parse_jsonl(text)
    return _parse_csv(text)


def _parse_json(text: str) -> list[Any]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected(1, f"invalid JSON at line {error.lineno}: {error.msg}") from None
    if not isinstance(rows, list):
        raise ImportRejected(1, "a JSON file must hold an array of tasks")
    return rows


def _parse_jsonl(text: str) -> list[Any]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ImportRejected(number, f"invalid JSON: {error.msg}") from None
    return rows


GOLD_COLUMN = "_gold"
"""A CSV column holding the expected answer of gold tasks (empty for ordinary tasks)."""


def _parse_csv(text: str) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or any(not (f or "").strip() for f in reader.fieldnames):
        raise ImportRejected(1, "the CSV needs a header row naming every column")
    if len(set(reader.fieldnames)) != len(reader.fieldnames):
        raise ImportRejected(1, "the CSV header repeats a column name")
    rows = []
    try:
        for number, record in enumerate(reader, start=1):
            if None in record or any(v is None for v in record.values()):
                raise ImportRejected(number, "the row does not have as many cells as the header")
            cells = dict(record)
            if GOLD_COLUMN in cells:
                gold = cells.pop(GOLD_COLUMN)
                rows.append({"data": cells, "gold_text": gold} if gold.strip()
                            else {"data": cells})
            else:
                rows.append(cells)
    except csv.Error as error:
        raise ImportRejected(reader.line_num, f"CSV error: {error}") from None
    return rows
