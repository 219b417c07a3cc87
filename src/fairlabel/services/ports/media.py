"""The media capability: a project's images (rows), where their bytes are kept (a store),
and what decodes and re-encodes them (an image checker)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain.media import MediaItem


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file as uploaded: its name and (at most the limit and one more byte of) its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An image decoded and re-encoded without its metadata: what is kept."""

    data: bytes
    width: int
    height: int
    content_type: str
    sha256: str


@dataclass(frozen=True, slots=True)
class NewMedia:
    name: str
    sha256: str
    width: int
    height: int
    content_type: str
    bytes: int


class ImageChecker(Protocol):
    def check(self, data: bytes, *, max_pixels: int) -> CheckedImage:
        """Decode the image (PNG, JPEG or WebP, at most ``max_pixels``) and re-encode it
        without metadata; a domain error (InvalidInput, TooLarge) says why it cannot."""
        ...


class MediaStore(Protocol):
    """Bytes by their SHA-256, each content kept once."""

    def put(self, sha256: str, data: bytes) -> None: ...
    def open(self, sha256: str) -> Iterator[bytes] | None:
        """The content in chunks, or None when it is not kept."""
        ...


class Media(Protocol):
    def add_many(self, *, project_id: int, items: Sequence[NewMedia],
                 now: datetime) -> list[MediaItem]: ...
    def get(self, media_id: int) -> MediaItem | None: ...
    def by_names(self, project_id: int, names: Iterable[str]) -> dict[str, MediaItem]: ...
    def existing(self, project_id: int, ids: Iterable[int]) -> set[int]: ...
    def by_ids(self, project_id: int, ids: Iterable[int]) -> dict[int, MediaItem]:
        """The project's media items among ``ids`` (an export's images, a batch at a time)."""
        ...
    def of_project(self, project_id: int, *, limit: int) -> list[MediaItem]: ...
    def count(self, project_id: int) -> int: ...
    def leased_with(self, *, worker_id: int, project_id: int, ref: str,
                    now: datetime) -> bool:
        """Whether the worker holds a live lease on a task of the project showing ``ref``."""
        ...
    def contested_with(self, *, worker_id: int, project_id: int, ref: str) -> bool:
        """Whether a decision against the worker's answer to a task of the project showing
        ``ref`` is open to appeal or under an open appeal."""
        ...
    def appealed_with(self, *, project_id: int, ref: str) -> bool:
        """Whether an open appeal is about an answer to a task of the project showing
        ``ref``."""
        ...


class HasMedia(Protocol):
    """A transaction that reaches ``media``."""

    @property
    def media(self) -> Media: ...
