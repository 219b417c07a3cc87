"""Reading task files: a JSON array, JSON Lines or CSV, as a stream of rows (one row in
memory at a time: :func:`stream_tasks`) or into a list (:func:`read_tasks`).

Parsing errors name the row (counting from 1, the CSV header not counted) and the reason.
JSON is read through ``safe_json`` (well-formed Unicode, no NUL, finite numbers, bounded
nesting and strings); CSV cells are held to the same text rules, the delimiter is detected
(comma, semicolon or tab) and quoting must be well formed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, TextIO

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


MAX_ROW_BYTES = 4 * 1024 * 1024
"""Longest row (a JSON Lines or CSV line, a JSON array's element): a file is read one row at
a time, and this bounds the memory one row takes."""
_CHUNK = 1024 * 1024  # characters of a JSON array read at a time
_SURROGATE = re.compile("[\ud800-\udfff]")  # where undecodable bytes were (surrogateescape)
_NOT_SPACE = re.compile(r"[^ \t\n\r]")


def _not_utf8(line: int) -> ImportRejected:
    return ImportRejected(line, Msg("the file is not valid UTF-8 text"))


def _too_long(row: int) -> ImportRejected:
    return ImportRejected(row, Msg("the row is over {limit} bytes long; make its data smaller "
                                   "(upload images as media rather than inline)",
                                   {"limit": MAX_ROW_BYTES}))


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


class TaskStream:
    """The rows of a task file, read and checked one at a time as they are iterated (once):
    a large file never sits in memory as a list. A bad row raises ``ImportRejected`` when
    it is reached. ``rows_read`` and ``columns`` (see :class:`TaskFile`) tell what was read
    so far."""

    def __init__(self, rows: Iterator[Any], columns: list[str] | None = None,
                 delimiter: str | None = None,
                 text: io.TextIOWrapper | None = None) -> None:
        self._rows = rows
        self._columns: dict[str, None] = dict.fromkeys(columns or ())
        self._seen = columns is None  # JSON: gather the fields of the rows' data
        self.delimiter = delimiter
        self.rows_read = 0
        self._text = text

    @property
    def columns(self) -> list[str]:
        return list(self._columns)[:MAX_COLUMNS]

    def __iter__(self) -> Iterator[Any]:
        try:
            for row in self._rows:
                self.rows_read += 1
                if self._seen and len(self._columns) < MAX_COLUMNS:
                    _add_columns(self._columns, row)
                yield row
        finally:
            if self._text is not None:
                self._text.detach()  # the caller's file stays open
                self._text = None


def stream_tasks(source: IO[bytes], fmt: Format) -> TaskStream:
    """Read a task file from ``source`` (bytes read from where it stands; a CSV's first lines
    are read now, to detect the delimiter). Text must be well-formed UTF-8 without NUL; JSON
    numbers finite and short, nesting and strings bounded (``safe_json``); CSV quoting well
    formed; no row over ``MAX_ROW_BYTES``."""
    text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="surrogateescape",
                            newline="")
    if fmt == "csv":
        rows, columns, delimiter = _csv_rows(text)
        return TaskStream(rows, columns, delimiter, text)
    return TaskStream(_json_rows(text) if fmt == "json" else _jsonl_rows(text), text=text)


def parse_tasks(content: bytes | bytearray, fmt: Format) -> list[Any]:
    return read_tasks(content, fmt).rows


def read_tasks(content: bytes | bytearray, fmt: Format) -> TaskFile:
    """Read a whole task file into a list (see :func:`stream_tasks`)."""
    stream = stream_tasks(io.BytesIO(content), fmt)
    rows = list(stream)
    return TaskFile(rows, stream.columns, stream.delimiter)


def data_columns(rows: Iterable[Any]) -> list[str]:
    """The fields of the rows' task data, as ``services.projects`` reads a row: the object
    under ``data`` (with ``gold`` beside it), or the row itself."""
    columns: dict[str, None] = {}
    for row in rows:
        _add_columns(columns, row)
        if len(columns) >= MAX_COLUMNS:
            break
    return list(columns)[:MAX_COLUMNS]


def _add_columns(columns: dict[str, None], row: Any) -> None:
    if not isinstance(row, dict):
        return
    data = row.get("data") if "data" in row and row.keys() <= _WRAPPED else row
    if isinstance(data, dict) and not columns.keys() >= data.keys():
        columns.update(dict.fromkeys(data))


_WRAPPED = frozenset({"data", "gold", "gold_text"})


def _lines(text: TextIO) -> Iterator[str]:
    """The text's lines with their ends, each well-formed UTF-8 and at most MAX_ROW_BYTES."""
    number = 0
    while line := text.readline(MAX_ROW_BYTES + 1):
        number += 1
        if not line.isascii():
            if _SURROGATE.search(line):
                raise _not_utf8(number)
            if len(line.encode("utf-8")) > MAX_ROW_BYTES:
                raise _too_long(number)
        elif len(line) > MAX_ROW_BYTES:
            raise _too_long(number)
        yield line


def _jsonl_rows(text: TextIO) -> Iterator[Any]:
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            yield safe_json.loads(line, root=N_("the row"))
        except json.JSONDecodeError as error:
            raise ImportRejected(number, Msg("invalid JSON: {error}",
                                             {"error": error.msg})) from None
        except safe_json.JsonRefused as error:
            raise ImportRejected(number, error.msg) from None


class _JsonArray:
    """A JSON array's text, read a chunk at a time; ``buffer[at:]`` is what is left to read."""

    def __init__(self, text: TextIO) -> None:
        self.text = text
        self.buffer = ""
        self.at = 0
        self.lines = 0  # line breaks before the buffer
        self.ended = False

    def more(self) -> bool:
        if self.ended:
            return False
        chunk = self.text.read(_CHUNK)
        if not chunk:
            self.ended = True
            return False
        self.lines += self.buffer.count("\n", 0, self.at)
        self.buffer = self.buffer[self.at:]
        self.at = 0
        if not chunk.isascii() and (bad := _SURROGATE.search(chunk)):
            raise _not_utf8(self.line(len(self.buffer)) + chunk.count("\n", 0, bad.start()))
        self.buffer += chunk
        return True

    def line(self, at: int) -> int:
        return self.lines + self.buffer.count("\n", 0, at) + 1

    def next_char(self) -> str:
        """The next character that is not whitespace ("" at the end), skipping to it."""
        while (found := _NOT_SPACE.search(self.buffer, self.at)) is None:
            self.at = len(self.buffer)
            if not self.more():
                return ""
        self.at = found.start()
        return self.buffer[self.at]

    def invalid(self, row: int, at: int, error: str) -> ImportRejected:
        return ImportRejected(row, Msg("invalid JSON at line {line}: {error}",
                                       {"line": self.line(at), "error": error}))

    def value(self, row: int) -> Any:
        self.next_char()
        while True:
            start = self.at
            try:
                value, end = safe_json.decode_at(self.buffer, start)
            except json.JSONDecodeError as error:
                cut = (error.pos >= len(self.buffer) - 16
                       or error.msg.startswith("Unterminated string"))
                if cut and self._grow(row, start):
                    continue
                raise self.invalid(row, error.pos, error.msg) from None
            except safe_json.JsonRefused as error:
                raise ImportRejected(row, error.msg) from None
            if end == len(self.buffer) and self._grow(row, start):
                continue  # a number may go on in the next chunk
            problem = safe_json.row_problem(value, self.buffer, start, end)
            if problem:
                raise ImportRejected(row, problem)
            self.at = end
            return value

    def _grow(self, row: int, start: int) -> bool:
        if len(self.buffer) - start > MAX_ROW_BYTES:
            raise _too_long(row)
        return self.more()


def _json_rows(text: TextIO) -> Iterator[Any]:
    array = _JsonArray(text)
    first = array.next_char()
    if first != "[":
        if first:
            raise ImportRejected(1, Msg("a JSON file must hold an array of tasks"))
        raise array.invalid(1, array.at, "Expecting value")
    array.at += 1
    row = 0
    if array.next_char() == "]":
        array.at += 1
    else:
        while True:
            row += 1
            yield array.value(row)
            after = array.next_char()
            array.at += 1
            if after == "]":
                break
            if after != ",":
                raise array.invalid(row, array.at - 1, "Expecting ',' delimiter")
    if array.next_char():
        raise array.invalid(max(row, 1), array.at, "Extra data")


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


def _csv_rows(text: TextIO) -> tuple[Iterator[Any], list[str], str]:
    start = text.tell()
    head = text.read(16384)
    if head and not head.endswith("\n"):
        head += text.readline()
    delimiter = detect_delimiter(head)
    text.seek(start)
    reader = csv.DictReader(_lines(text), delimiter=delimiter, strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise ImportRejected(1, _csv_reason(error, 1, delimiter)) from None
    if not fieldnames or any(not (f or "").strip() for f in fieldnames):
        raise ImportRejected(1, Msg("the CSV needs a header row naming every column"))
    if len(set(fieldnames)) != len(fieldnames):
        raise ImportRejected(1, Msg("the CSV header repeats a column name"))
    for name in fieldnames:
        problem = safe_json.text_problem(name, Msg("the header, column “{column}”",
                                                   {"column": safe_json.show(name)}))
        if problem:
            raise ImportRejected(1, problem)
    return _csv_records(reader, delimiter), [f for f in fieldnames if f != GOLD_COLUMN], delimiter


def _csv_records(reader: csv.DictReader[str], delimiter: str) -> Iterator[Any]:
    number = 0
    while True:
        line = reader.line_num + 1
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportRejected(number, _csv_reason(error, line, delimiter)) from None
        if None in record or any(v is None for v in record.values()):
            raise ImportRejected(number, Msg(
                "the row does not have as many cells as the header (cells are separated by a "
                "{delimiter})", {"delimiter": Msg(_NAMES[delimiter])}))
        cells = dict(record)
        for name, value in cells.items():
            if "\x00" in value or len(value) > safe_json.MAX_STRING_CHARS:
                problem = safe_json.text_problem(value, Msg("column “{column}”",
                                                            {"column": safe_json.show(name)}))
                if problem:
                    raise ImportRejected(number, problem)
        if GOLD_COLUMN in cells:
            gold = cells.pop(GOLD_COLUMN)
            yield {"data": cells, "gold_text": gold} if gold.strip() else {"data": cells}
        else:
            yield cells
