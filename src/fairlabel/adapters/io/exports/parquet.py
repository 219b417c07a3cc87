"""Any project as Apache Parquet, written with pyarrow one row group at a time.

Columns: ``task_id`` (int64), ``data`` (the task data as JSON text), ``answers`` (a list of
``{"worker", "answer"}`` structs, the answer as JSON text), ``consensus`` (JSON text, null
until there is one), ``confidence`` (float64, null likewise), ``gold`` (the expected answer
of a gold task as JSON text, else null). JSON text keeps one column type for every task
type; ``json.loads`` (or ``pyarrow.compute``/DuckDB's JSON functions) reads it back.

Rows are gathered ``ROW_GROUP`` at a time into a row group, whose bytes are handed on as soon
as pyarrow has written them: the export holds one row group, never the whole file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from fairlabel.adapters.io.exports.base import ExportOptions, Record, dumps
from fairlabel.domain.label_schema import LabelSchema

if TYPE_CHECKING:
    import pyarrow as pa

ROW_GROUP = 2000


def arrow_schema() -> pa.Schema:
    """The file's columns (pyarrow, and numpy with it, load on the first Parquet export)."""
    import pyarrow as pa

    fields: list[pa.Field[Any]] = [
        pa.field("task_id", pa.int64(), nullable=False),
        pa.field("data", pa.string(), nullable=False),
        pa.field("answers", pa.list_(pa.struct([pa.field("worker", pa.string()),
                                                pa.field("answer", pa.string())])),
                 nullable=False),
        pa.field("consensus", pa.string()),
        pa.field("confidence", pa.float64()),
        pa.field("gold", pa.string()),
    ]
    return pa.schema(fields)


class _Sink(io.RawIOBase):
    """A write-only file that keeps what was written until it is taken."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._buffer += view
        self._position += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        out = bytes(self._buffer)
        self._buffer.clear()
        return out


def _json(value: Any) -> str | None:
    return None if value is None else dumps(value)


def _columns(rows: list[Record]) -> dict[str, list[Any]]:
    return {
        "task_id": [r["task_id"] for r in rows],
        "data": [dumps(r["data"]) for r in rows],
        "answers": [[{"worker": a["worker"], "answer": dumps(a["answer"])}
                     for a in r["answers"]] for r in rows],
        "consensus": [_json(r["consensus"]) for r in rows],
        "confidence": [None if r["confidence"] is None else float(r["confidence"])
                       for r in rows],
        "gold": [_json(r["gold"]) for r in rows],
    }


def parquet_chunks(schema: LabelSchema, records: Iterable[Record],
                   options: ExportOptions) -> Iterator[bytes]:
    """The export: a Parquet file, in pieces of about one row group each."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = _Sink()
    metadata = {b"fairlabel.schema": json.dumps(schema.to_dict()).encode()}
    schema_with_metadata = arrow_schema().with_metadata(metadata)
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema_with_metadata,
                              compression="zstd")
    try:
        rows: list[Record] = []
        for record in records:
            rows.append(record)
            if len(rows) >= ROW_GROUP:
                writer.write_table(pa.table(_columns(rows), schema=schema_with_metadata))
                rows.clear()
                yield sink.take()
        if rows:
            writer.write_table(pa.table(_columns(rows), schema=schema_with_metadata))
    finally:
        writer.close()
    yield sink.take()
