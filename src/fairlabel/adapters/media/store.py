"""The media store on a filesystem: each content kept once, as a file named by its SHA-256
under ``FAIRLABEL_MEDIA_DIR`` (``ab/cd/abcd…``), written to a temporary file beside it and
renamed into place, so that a reader never sees half a file and a crash leaves none. Several
app servers share the directory (a network filesystem); an object store can take this one's
place behind the same port (``services.ports.media.MediaStore``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fairlabel.domain.errors import Conflict
from fairlabel.domain.media import is_sha256

CHUNK = 64 * 1024


class StorageUnset(Conflict):
    code = "media_storage_unset"


class FileMediaStore:
    """``root``: the directory; None when the settings give none (then every use says how
    to set it)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if self.root is None:
            raise StorageUnset("this server keeps no media: its operator sets "
                               "FAIRLABEL_MEDIA_DIR, a directory that every app server shares")
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.exists():
            return  # the same content is kept already
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other servers
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> Iterator[bytes] | None:
        try:
            file = self.path(sha256).open("rb")
        except FileNotFoundError:
            return None
        return _chunks(file)


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK):
            yield chunk
