"""Transaction-level step: the image references of an import, checked against the project's
media (one lookup per import, not one per row)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Protocol

from fairlabel.domain.media import IMAGE_FIELD, ProjectMedia, image_refs
from fairlabel.services.ports.media import HasMedia

LOOKUP_BATCH = 500
"""Names or ids per statement (well under every database's limit of bound parameters)."""


class ImageRefsTx(HasMedia, Protocol):
    """The transaction of ``project_media``."""


def task_data(row: Any) -> Any:
    """A row's task data: rows are ``{"data": {...}}`` (with ``gold`` or ``gold_text`` for a
    gold task) or the data itself."""
    if isinstance(row, dict) and "data" in row and set(row) <= {"data", "gold", "gold_text"}:
        return row["data"]
    return row


def _batches(values: Iterable[Any]) -> Iterable[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        yield ordered[start:start + LOOKUP_BATCH]


def project_media(tx: ImageRefsTx, project_id: int, rows: Sequence[Any],
                  hosts: Collection[str] | None) -> ProjectMedia:
    """The project's media that the rows name, by id and by name."""
    ids: set[int] = set()
    names: set[str] = set()
    for row in rows:
        row_ids, row_names = image_refs(task_data(row))
        ids |= row_ids
        names |= row_names
    known: set[int] = set()
    for chunk in _batches(ids):
        known |= tx.media.existing(project_id, chunk)
    by_name: dict[str, int] = {}
    for chunk in _batches(names):
        by_name.update({name: item.id for name, item in
                        tx.media.by_names(project_id, chunk).items()})
    return ProjectMedia(known, by_name, hosts)


def resolve_row(media: ProjectMedia, row: Any) -> Any:
    """The row with its image reference resolved (an uploaded name becomes ``media:<id>``);
    the row itself when nothing changes."""
    data = task_data(row)
    if not isinstance(data, dict) or IMAGE_FIELD not in data:
        return row
    value = data[IMAGE_FIELD]
    resolved = media.resolve(value)
    if resolved is value:
        return row
    new_data = {**data, IMAGE_FIELD: resolved}
    return {**row, "data": new_data} if data is not row else new_data
