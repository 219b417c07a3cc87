"""The export formats: which task types each fits, its media type, and its writer.

Every writer takes the project's schema, the records (streamed by ``services.exports``) and
the ``ExportOptions``, and yields the file in pieces, so an export's memory does not grow
with the project. The formats are described in docs/formats.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from fairlabel.adapters.io.exporters import csv_lines, jsonl_lines
from fairlabel.adapters.io.exports.base import BoxSource, ExportOptions, Record
from fairlabel.adapters.io.exports.coco import coco_lines
from fairlabel.adapters.io.exports.parquet import parquet_chunks
from fairlabel.adapters.io.exports.spans import conll_lines, spans_jsonl_lines
from fairlabel.adapters.io.label_studio.config import labeling_config
from fairlabel.adapters.io.label_studio.export import label_studio_lines
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import LabelSchema

FormatName = Literal["jsonl", "csv", "label-studio", "label-studio-config", "coco",
                     "spans-jsonl", "conll", "parquet"]
Writer = Callable[[LabelSchema, Iterable[Record], ExportOptions], Iterator[str] | Iterator[bytes]]


def _config(schema: LabelSchema, records: Iterable[Record],
            options: ExportOptions) -> Iterator[str]:
    first = next(iter(records), None)
    yield labeling_config(schema, list(first["data"]) if first else [])


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """``types``: the task types it fits (None: every type); ``media``: whether its writer
    needs the sizes and names of the tasks' uploaded images; ``consensus``: whether it
    carries the consensus (refreshed before the export when it does)."""

    name: FormatName
    label: str
    media_type: str
    extension: str
    writer: Writer
    types: frozenset[str] | None = None
    media: bool = False
    consensus: bool = True

    def check(self, schema: LabelSchema) -> None:
        """Refuse a project whose task type the format cannot hold, saying what can."""
        if self.types is None or schema.type in self.types:
            return
        fitting = ", ".join(f.name for f in FORMATS.values() if f.fits(schema.type))
        raise InvalidInput(
            "the {format} export holds {types} projects; this project is {kind}. Export it as "
            "one of: {fitting}", code="format_does_not_fit", format=self.name,
            types=" / ".join(sorted(self.types)), kind=schema.type, fitting=fitting)

    def fits(self, kind: str) -> bool:
        return self.types is None or kind in self.types


def _json_lines(schema: LabelSchema, records: Iterable[Record],
                options: ExportOptions) -> Iterator[str]:
    return jsonl_lines(records)


def _csv(schema: LabelSchema, records: Iterable[Record], options: ExportOptions) -> Iterator[str]:
    return csv_lines(records)


_SPANS = frozenset({"spans"})
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("jsonl", "JSON Lines", "application/x-ndjson", "jsonl", _json_lines),
    ExportFormat("csv", "CSV", "text/csv", "csv", _csv),
    ExportFormat("label-studio", "Label Studio tasks", "application/json",
                 "label-studio.json", label_studio_lines, media=True),
    ExportFormat("label-studio-config", "Label Studio labeling config", "application/xml",
                 "label-studio.xml", _config, consensus=False),
    ExportFormat("coco", "COCO", "application/json", "coco.json", coco_lines,
                 frozenset({"bounding_boxes"}), media=True),
    ExportFormat("spans-jsonl", "Spans JSONL (spaCy, Prodigy)", "application/x-ndjson",
                 "spans.jsonl", spans_jsonl_lines, _SPANS),
    ExportFormat("conll", "CoNLL (BIO)", "text/plain; charset=utf-8", "conll", conll_lines,
                 _SPANS),
    ExportFormat("parquet", "Parquet", "application/vnd.apache.parquet", "parquet",
                 parquet_chunks),
)}
"""Every export format by its name (the ``format`` of the export route)."""


def formats_for(kind: str) -> list[ExportFormat]:
    """The formats that fit a task type, in the order above."""
    return [f for f in FORMATS.values() if f.fits(kind)]

__all__ = ["FORMATS", "BoxSource", "ExportFormat", "ExportOptions", "FormatName", "Record",
           "formats_for"]
