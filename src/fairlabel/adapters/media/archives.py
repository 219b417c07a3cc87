"""Uploads read as files: plain images, and zips read member by member within limits.

A zip is refused as a whole, before anything in it is decompressed, when it holds more
members than an upload may, declares more unpacked bytes than an upload may carry, or names a
member outside itself (``..``, an absolute or a Windows path); while it is read, each member
is read to at most the per-file limit and one byte more, the unpacked total is counted (a
member may lie about its size), and a zip inside it is refused. Folders and the files
operating systems leave behind (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``) are skipped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.media import (
    MediaLimits,
    MediaRejected,
    MediaTooLarge,
    member_name,
    size_text,
)
from fairlabel.domain.messages import Msg
from fairlabel.services.ports.media import RawFile

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
LEFT_BEHIND = ("__MACOSX/",)
LEFT_BEHIND_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def is_zip(name: str, head: bytes) -> bool:
    return head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)) or name.lower().endswith(".zip")


def _left_behind(name: str) -> bool:
    return name.startswith(LEFT_BEHIND) or name.rsplit("/", 1)[-1] in LEFT_BEHIND_NAMES


def _members(archive: zipfile.ZipFile, zip_name: str,
             limits: MediaLimits) -> list[zipfile.ZipInfo]:
    """The members to read, after the checks that need no decompression."""
    members = [i for i in archive.infolist()
               if not i.is_dir() and not _left_behind(i.filename.replace("\\", "/"))]
    if len(members) > limits.max_files:
        raise MediaTooLarge(zip_name, Msg(
            "it holds {count} files; an upload may hold {limit} (FAIRLABEL_MEDIA_MAX_FILES): "
            "split it", {"count": len(members), "limit": limits.max_files}))
    declared = sum(i.file_size for i in members)
    if declared > limits.max_upload_bytes:
        raise MediaTooLarge(zip_name, Msg(
            "it unpacks to {size}; an upload may hold {limit} (FAIRLABEL_MEDIA_UPLOAD_MAX_BYTES): "
            "split it", {"size": size_text(declared),
                         "limit": size_text(limits.max_upload_bytes)}))
    for info in members:
        try:
            member_name(info.filename)
        except InvalidInput as error:
            raise MediaRejected(zip_name, error.msg) from None
        if info.flag_bits & 0x1:
            raise MediaRejected(zip_name, Msg(
                "the member “{member}” is encrypted: zip the images without a password",
                {"member": info.filename}))
    return members


def zip_files(file: BinaryIO, zip_name: str, limits: MediaLimits) -> Iterator[RawFile]:
    """The images of a zip, one at a time."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise MediaRejected(zip_name, Msg("it is not a zip file that can be read")) from None
    with archive:
        unpacked = 0
        for info in _members(archive, zip_name, limits):
            name = member_name(info.filename)
            try:
                with archive.open(info) as member:
                    data = member.read(limits.max_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError,
                    NotImplementedError) as error:
                member_path = zip_name + "/" + name
                raise MediaRejected(member_path, Msg(
                    "it cannot be unpacked ({error})", {"error": str(error)})) from None
            unpacked += len(data)
            if unpacked > limits.max_upload_bytes:
                raise MediaTooLarge(zip_name, Msg(
                    "it unpacks to more than an upload may hold, {limit}: split it",
                    {"limit": size_text(limits.max_upload_bytes)}))
            if is_zip(name, data[:4]):
                raise MediaRejected(name, Msg("a zip inside a zip is not read: put the images "
                                              "in one zip"))
            yield RawFile(name, data)


def read_file(file: BinaryIO, name: str, limits: MediaLimits) -> Iterator[RawFile]:
    """One uploaded file: the images of a zip, or the file itself (at most the per-file
    limit and one byte more, so that one over it is refused without being read whole)."""
    head = file.read(4)
    file.seek(0)
    if is_zip(name, head):
        yield from zip_files(file, name, limits)
    else:
        yield RawFile(name, file.read(limits.max_bytes + 1))

