"""Writing export records as JSON Lines or CSV, streamed line by line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

ExportFormat = Literal["jsonl", "csv"]
CSV_COLUMNS = ("task_id", "data", "answers", "majority", "answer_count", "consensus", "confidence",
               "settled", "gold")
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix a quote to cells a spreadsheet would run as formulas."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return neutralise(text)


_JSON_LINE = json.JSONEncoder(ensure_ascii=False, default=str)
"""What ``json.dumps(record, ensure_ascii=False, default=str)`` writes, built once: json.dumps
builds an encoder per call when given options."""


def jsonl_lines(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    encode = _JSON_LINE.encode
    for record in records:
        yield encode(record) + "\n"


def csv_lines(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        out = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return out

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for record in records:
        writer.writerow([
            str(record["task_id"]),
            _cell(record["data"]),
            _cell(record["answers"]),
            _cell(record["majority"]),
            str(len(record["answers"])),
            _cell(record["consensus"]),
            "" if record["confidence"] is None else f"{record['confidence']:.4f}",
            "true" if record["settled"] else "false",
            _cell(record["gold"]),
        ])
        yield flush()


def export_lines(records: Iterable[dict[str, Any]], fmt: ExportFormat) -> Iterator[str]:
    return jsonl_lines(records) if fmt == "jsonl" else csv_lines(records)
