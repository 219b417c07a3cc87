"""Reading task files: a JSON array, JSON Lines or CSV, into a list of rows.

Parsing errors name the row (counting from 1, the CSV header not counted) and the reason.
JSON is read through ``safe_json`` (well-formed Unicode, no NUL, finite numbers, bounded
nesting and strings); CSV cells are held to the same text rules, the delimiter is detected
(comma, semicolon or tab) and quoting must be well formed.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Literal

from fairlabel.adapters.io import safe_json
from fairlabel.domain.errors import ImportRejected, InvalidInput
from fairlabel.domain.messages import N_, Msg

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
        raise InvalidInput("unsupported content type “{kind}”; send application/json (an "
                           "array), application/x-ndjson (JSON Lines) or text/csv", kind=kind)
    return _CONTENT_TYPES[kind]


def format_for_filename(name: str) -> Format:
    lowered = name.lower()
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"),
                        (".csv", "csv")):
        if lowered.endswith(suffix):
            return fmt  # type: ignore[return-value]
    raise InvalidInput("cannot tell the format of “{name}”: name it .json, .jsonl or .csv",
                       name=name)


def _text(content: bytes | bytearray) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportRejected(line, Msg("the file is not valid UTF-8 text")) from None


@dataclass(frozen=True, slots=True)
class TaskFile:
    """What a task file held: its rows, the data fields they hold (a CSV's header without
    ``_gold``; the fields of JSON tasks' data in first-seen order, at most ``MAX_COLUMNS``)
    and, for CSV, the delimiter detected."""

    rows: list[Any]
    columns: list[str]
    delimiter: str | None = None


MAX_COLUMNS = 100
"""Most data fields an import's answer names (JSON rows may each have fields of their own)."""


def parse_tasks(content: bytes | bytearray, fmt: Format) -> list[Any]:
    return read_tasks(content, fmt).rows


def read_tasks(content: bytes | bytearray, fmt: Format) -> TaskFile:
    """Read a task file. Text must be well-formed UTF-8 without NUL; JSON numbers finite and
    short, nesting and strings bounded (``safe_json``); CSV quoting well formed."""
    text = _text(content)
    if fmt == "csv":
        return _parse_csv(text)
    rows = _parse_json(text) if fmt == "json" else _parse_jsonl(text)
    return TaskFile(rows, data_columns(rows))


def data_columns(rows: list[Any]) -> list[str]:
    """The fields of the rows' task data, as ``services.projects`` reads a row: the object
    under ``data`` (with ``gold`` beside it), or the row itself."""
    columns: dict[str, None] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        data = row.get("data") if "data" in row and row.keys() <= _WRAPPED else row
        if isinstance(data, dict) and not columns.keys() >= data.keys():
            columns.update(dict.fromkeys(data))
            if len(columns) >= MAX_COLUMNS:
                break
    return list(columns)[:MAX_COLUMNS]


_WRAPPED = frozenset({"data", "gold", "gold_text"})


def _parse_json(text: str) -> list[Any]:
    try:
        rows = safe_json.loads(text, rows=True)
    except json.JSONDecodeError as error:
        raise ImportRejected(1, Msg("invalid JSON at line {line}: {error}",
                                    {"line": error.lineno, "error": error.msg})) from None
    except safe_json.JsonRefused as error:
        raise ImportRejected(error.row or 1, error.msg) from None
    if not isinstance(rows, list):
        raise ImportRejected(1, Msg("a JSON file must hold an array of tasks"))
    return rows


def _parse_jsonl(text: str) -> list[Any]:
    rows = []
    suspect = safe_json.may_hold_nul_or_surrogates(text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(safe_json.loads(line, root=N_("the row"), suspect=suspect))
        except json.JSONDecodeError as error:
            raise ImportRejected(number, Msg("invalid JSON: {error}",
                                             {"error": error.msg})) from None
        except safe_json.JsonRefused as error:
            raise ImportRejected(number, error.msg) from None
    return rows


GOLD_COLUMN = "_gold"
"""A CSV column holding the expected answer of gold tasks (empty for ordinary tasks)."""

DELIMITERS = (",", ";", "\t")
"""The delimiters a CSV may use: comma, semicolon (spreadsheets set to a language that writes
decimal commas), tab."""
_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab")}


def detect_delimiter(text: str) -> str:
    """The CSV's delimiter: what ``csv.Sniffer`` (restricted to ``DELIMITERS``) finds in the
    first lines, if the header row holds it; else the one the header holds most often; a
    comma when the header holds none (one column)."""
    header = _outside_quotes(text[: text.find("\n") if "\n" in text else len(text)])
    present = [d for d in DELIMITERS if d in header]
    if len(present) <= 1:
        return present[0] if present else ","
    sample = text[:16384]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(present)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in present:
        return sniffed
    return max(present, key=header.count)  # a tie goes to the earlier in DELIMITERS


def _outside_quotes(line: str) -> str:
    """The line without its quoted parts (delimiters inside quotes separate nothing)."""
    return "".join(line.split('"')[::2])


def _csv_reason(error: csv.Error, line: int, delimiter: str) -> Msg:
    text = str(error)
    if "unexpected end of data" in text:
        return Msg("a quote opened on line {line} or after is never closed, so the rest of the "
                   "file would be one cell: close it (a quote inside a quoted cell is written "
                   'twice, "")', {"line": line})
    if "expected after" in text:
        return Msg("a quoted cell on line {line} or after goes on after its closing quote: "
                   "quote the whole cell and write a quote inside it twice (\"\"); cells here "
                   "are separated by a {delimiter}",
                   {"line": line, "delimiter": Msg(_NAMES[delimiter])})
    return Msg("CSV error on line {line} or after: {error}", {"line": line, "error": text})


def _parse_csv(text: str) -> TaskFile:
    delimiter = detect_delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise ImportRejected(1, _csv_reason(error, 1, delimiter)) from None
    if not fieldnames or any(not (f or "").strip() for f in fieldnames):
        raise ImportRejected(1, Msg("the CSV needs a header row naming every column"))
    if len(set(fieldnames)) != len(fieldnames):
        raise ImportRejected(1, Msg("the CSV header repeats a column name"))
    # Decoded UTF-8 holds no surrogates; NUL, and cells over the length limit, only if the
    # text does.
    check = "\x00" in text or len(text) > safe_json.MAX_STRING_CHARS
    if check:
        for name in fieldnames:
            problem = safe_json.text_problem(name, Msg("the header, column “{column}”",
                                                       {"column": safe_json.show(name)}))
            if problem:
                raise ImportRejected(1, problem)
    rows = []
    number = 0
    while True:
        line = reader.line_num + 1
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportRejected(number, _csv_reason(error, line, delimiter)) from None
        if None in record or any(v is None for v in record.values()):
            raise ImportRejected(number, Msg(
                "the row does not have as many cells as the header (cells are separated by a "
                "{delimiter})", {"delimiter": Msg(_NAMES[delimiter])}))
        cells = dict(record)
        if check:
            for name, value in cells.items():
                problem = safe_json.text_problem(value, Msg("column “{column}”",
                                                            {"column": safe_json.show(name)}))
                if problem:
                    raise ImportRejected(number, problem)
        if GOLD_COLUMN in cells:
            gold = cells.pop(GOLD_COLUMN)
            rows.append({"data": cells, "gold_text": gold} if gold.strip()
                        else {"data": cells})
        else:
            rows.append(cells)
    return TaskFile(rows, [f for f in fieldnames if f != GOLD_COLUMN], delimiter)
