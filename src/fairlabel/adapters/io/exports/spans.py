"""A spans project as JSON Lines (spaCy, Prodigy) and as CoNLL BIO tags, streamed.

Both carry one set of spans per task, its *reference*: the gold answer of a gold task, else
the consensus, else none yet (``[]``, with ``meta.source`` ``"none"``).

``spans-jsonl``: one line per task, ``{"text", "spans": [{"start", "end", "label"}],
"answers": [{"worker", "spans"}], "meta": {"task_id", "source", "confidence"}}``; offsets
are in Unicode code points, which is what Python (and so spaCy's ``Doc.char_span``) counts.

``conll``: the text's whitespace-separated tokens, one per line with its tag after a space —
``B-<label>`` on the first token a span touches, ``I-<label>`` on the next ones, ``O``
elsewhere — and a blank line after each task; tasks in the order of their ids. A span that
starts or ends inside a token tags the whole token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fairlabel.adapters.io.exports.base import ExportOptions, Record, dumps
from fairlabel.domain.label_schema import LabelSchema

_TOKEN = re.compile(r"\S+")


def reference(record: Record) -> tuple[list[dict[str, Any]], str]:
    """The spans that stand for a task and where they come from."""
    if isinstance(record["gold"], list):
        return record["gold"], "gold"
    if isinstance(record["consensus"], list):
        return record["consensus"], "consensus"
    return [], "none"


def spans_jsonl_lines(schema: LabelSchema, records: Iterable[Record],
                      options: ExportOptions) -> Iterator[str]:
    for record in records:
        spans, source = reference(record)
        yield dumps({
            "text": record["data"].get("text", ""),
            "spans": spans,
            "answers": [{"worker": a["worker"], "spans": a["answer"]}
                        for a in record["answers"]],
            "meta": {"task_id": record["task_id"], "source": source,
                     "confidence": record["confidence"]},
        }) + "\n"


def bio_tags(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each whitespace token of ``text`` with its BIO tag."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    tags = ["O"] * len(tokens)
    for span in spans:
        inside = [i for i, (start, end, _) in enumerate(tokens)
                  if start < span["end"] and span["start"] < end]
        for position, i in enumerate(inside):
            if tags[i] == "O":
                tags[i] = ("B-" if position == 0 else "I-") + span["label"]
    return [(token, tag) for (_, _, token), tag in zip(tokens, tags, strict=True)]


def conll_lines(schema: LabelSchema, records: Iterable[Record],
                options: ExportOptions) -> Iterator[str]:
    for record in records:
        spans, _ = reference(record)
        tagged = bio_tags(str(record["data"].get("text", "")), spans)
        yield "".join(f"{token} {tag}\n" for token, tag in tagged) + "\n"
