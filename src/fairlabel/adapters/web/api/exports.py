"""/api/v1/projects/{id}/export: the dataset in every format of ``adapters/io/exports``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from fairlabel.adapters.io.exports import FORMATS, ExportOptions, FormatName
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser
from fairlabel.adapters.web.paths import Id
from fairlabel.services import exports

router = APIRouter(prefix="/projects", tags=["projects"])

_DESCRIPTIONS = {
    "application/x-ndjson": "`jsonl`: one JSON record per task; `spans-jsonl`: one "
                            "`{text, spans, answers, meta}` per task.",
    "text/csv": "`csv`: a header, then one row per task.",
    "application/json": "`label-studio`: an array of Label Studio tasks; `coco`: one COCO "
                        "object-detection document.",
    "application/xml": "`label-studio-config`: the Label Studio labeling config.",
    "text/plain; charset=utf-8": "`conll`: one token and its BIO tag per line.",
    "application/vnd.apache.parquet": "`parquet`: an Apache Parquet file.",
}
EXPORT_TYPES = {media: {"schema": {"type": "string", "description": text}}
                for media, text in _DESCRIPTIONS.items()}


CHUNK_BYTES = 1 << 16
"""What the response sends at a time: a writer's pieces (often one per task) are gathered to
this size, since each piece the server pulls from a writer costs a hop to a thread."""


def _chunks(pieces: Iterator[str] | Iterator[bytes]) -> Iterator[bytes]:
    buffer = bytearray()
    for piece in pieces:
        buffer += piece.encode("utf-8") if isinstance(piece, str) else piece
        if len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


@router.get("/{project_id}/export", response_class=StreamingResponse,
            responses={200: {"description": "The dataset as `format` asks, as an attachment.",
                             "content": EXPORT_TYPES},
                       422: {"description": "The format does not fit the project's task "
                                            "type (the message lists the ones that do)."}})
def export_project(project_id: Id, request: Request, user: CurrentUser,
                   container: ContainerDep,
                   format: Annotated[FormatName, Query()] = "jsonl",
                   boxes: Annotated[Literal["all", "workers", "consensus"], Query()] = "all",
                   ) -> StreamingResponse:
    """The dataset, streamed (docs/formats.md describes each format):

    - `jsonl`, `csv`, `parquet` (every task type): one record per task with its data, every
      answer, the majority and the consensus of the project's method with its confidence;
    - `label-studio` (every type): Label Studio task JSON — each worker's answer an
      annotation, the consensus a prediction, uploaded images as URLs of this API;
      `label-studio-config`: the matching labeling config (XML);
    - `coco` (bounding boxes): COCO object detection, boxes in pixels; `boxes` keeps every
      worker's and the consensus boxes (`all`), or only one of them;
    - `spans-jsonl` and `conll` (spans): spans as spaCy and Prodigy read them; BIO tags.

    A format that does not fit the project's task type is refused with 422.
    """
    chosen = FORMATS[format]
    dataset = exports.export_dataset(
        container.db, user, project_id, media=chosen.media, check=chosen.check,
        now=container.clock() if chosen.consensus else None, refit=container.consensus_refit)
    options = ExportOptions(base_url=str(request.base_url), boxes=boxes, now=container.clock())
    filename = f"project-{project_id}.{chosen.extension}"
    return StreamingResponse(
        _chunks(chosen.writer(dataset.schema, dataset.records, options)),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
