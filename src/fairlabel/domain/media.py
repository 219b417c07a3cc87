"""Media rules: which images are kept, how they are named, how task data refers to them.

Images (PNG, JPEG, WebP) are uploaded to a project and kept once per content. Task data
refers to one as ``"image": "media:<id>"``, or by the name it was uploaded under, which an
import resolves to its ``media:<id>``; an ``https://`` address is shown only when its host is
one the operator allows. Decoding images is the adapters' work (Pillow); what they may be —
size, pixels, names, references — is decided here. All functions are pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from fairlabel.domain.errors import InvalidInput, TooLarge
from fairlabel.domain.messages import N_, Msg, shown

MAX_NAME_LENGTH = 255
MAX_URL_LENGTH = 2048
IMAGE_FIELD = "image"
MEDIA_PREFIX = "media:"
_MEDIA_REF = re.compile(r"media:([1-9][0-9]{0,17})")
_DRIVE = re.compile(r"[A-Za-z]:")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MIB = 1024 * 1024
MAX_BYTES = 20 * MIB
MAX_PIXELS = 50_000_000
MAX_FILES = 1000
MAX_UPLOAD_BYTES = 200 * MIB


class ImageFormat(StrEnum):
    """The formats kept, by their content type."""

    PNG = "image/png"
    JPEG = "image/jpeg"
    WEBP = "image/webp"


ACCEPTED = "PNG, JPEG or WebP"


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """The bounds of an upload (the settings FAIRLABEL_MEDIA_*)."""

    max_bytes: int = MAX_BYTES
    """Largest file, and largest member of a zip."""
    max_pixels: int = MAX_PIXELS
    """Most pixels of an image (width × height): a decompression bomb stops here."""
    max_files: int = MAX_FILES
    """Most images in one upload (the members of its zips included)."""
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    """Largest upload body; also the most a zip may hold once unpacked."""


@dataclass(frozen=True, slots=True)
class MediaItem:
    """An image of a project, as kept."""

    id: int
    project_id: int
    name: str
    sha256: str
    width: int
    height: int
    content_type: str
    bytes: int
    created_at: datetime

    @property
    def ref(self) -> str:
        return media_ref(self.id)


class MediaRejected(InvalidInput):
    """One file of an upload was refused, and with it the whole upload."""

    code = "media_rejected"

    def __init__(self, name: str, reason: Msg) -> None:
        super().__init__(N_("{name}: {reason}. Nothing was added; fix or remove this file "
                            "and upload again."), name=name, reason=reason)
        self.name = name

    @property
    def details(self) -> dict[str, object]:
        return {"file": self.name}


class MediaTooLarge(TooLarge):
    """One file of an upload is over a limit, and the whole upload is refused."""

    def __init__(self, name: str, reason: Msg) -> None:
        super().__init__(N_("{name}: {reason}. Nothing was added."), name=name, reason=reason)
        self.name = name

    @property
    def details(self) -> dict[str, object]:
        return {"file": self.name}


def media_ref(media_id: int) -> str:
    """How task data refers to a media item: ``"media:12"``."""
    return f"{MEDIA_PREFIX}{media_id}"


def media_id(ref: object) -> int | None:
    """The media item a reference names (``"media:12"`` → 12), or None."""
    found = _MEDIA_REF.fullmatch(ref) if isinstance(ref, str) else None
    return int(found.group(1)) if found else None


def shows_media(data: Mapping[str, Any], item_id: int) -> bool:
    """Whether a task's data shows the media item (as its image)."""
    return data.get(IMAGE_FIELD) == media_ref(item_id)


def size_text(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB else f"{size} bytes"


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge("the file is over {limit}, the limit per file "
                       "(FAIRLABEL_MEDIA_MAX_BYTES): make it smaller", limit=size_text(limit))
    if size == 0:
        raise InvalidInput("the file is empty")


def check_pixels(width: int, height: int, limit: int) -> None:
    """Refuse an image with more pixels than the limit before it is decoded (a small file can
    declare a huge image: a decompression bomb)."""
    if width <= 0 or height <= 0:
        raise InvalidInput("the image is {width} × {height} pixels: it has no pixels",
                           width=width, height=height)
    if width * height > limit:
        raise TooLarge("the image is {width} × {height} pixels ({megapixels} megapixels); the "
                       "limit is {limit} megapixels (FAIRLABEL_MEDIA_MAX_PIXELS): scale it down",
                       width=width, height=height, megapixels=round(width * height / 1e6, 1),
                       limit=limit / 1e6)


def _check_part(part: str, whole: str) -> None:
    if part in ("", ".", ".."):
        raise InvalidInput("the name “{name}” leaves its folder or has an empty part ('..', "
                           "'.', '//' or a leading '/'): give a plain relative path",
                           name=shown(whole))


def check_name(name: str) -> str:
    """A kept name: at most 255 characters, no control or format characters, a relative path
    of plain parts (``cat.png`` or ``train/cat.png``). Returns it NFC-normalised."""
    name = unicodedata.normalize("NFC", name)
    if not name.strip():
        raise InvalidInput("a file has no name: give every file a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("the name “{name}” is {length} characters long; the limit is "
                           "{limit}", name=shown(name, 40), length=len(name),
                           limit=MAX_NAME_LENGTH)
    bad = next((c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs")), None)
    if bad is not None:
        char = f"U+{ord(bad):04X}"
        raise InvalidInput("the name “{name}” holds the invisible character {char}: rename "
                           "the file", name=shown(name), char=char)
    if "\\" in name or _DRIVE.match(name):
        raise InvalidInput("the name “{name}” is a Windows path: use '/' between folders",
                           name=shown(name))
    for part in name.split("/"):
        _check_part(part, name)
    return name


def file_name(raw: str) -> str:
    """The name of an uploaded file: what follows its last folder separator, checked."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return check_name(base.strip())


def member_name(raw: str) -> str:
    """The name of a zip member: its path inside the zip, which may not leave it."""
    return check_name(raw.replace("\\", "/"))


def is_sha256(value: str) -> bool:
    return _SHA256.fullmatch(value) is not None


def allowed_image_url(url: str, hosts: Collection[str]) -> bool:
    """Whether an image address may be shown: ``https://``, no credentials, and a host the
    operator allows (FAIRLABEL_IMAGE_HOSTS)."""
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return False
    return host in {h.strip().lower() for h in hosts}


def _classify(value: str) -> tuple[str, Any]:
    """What an image reference is: ``("id", 12)``, ``("name", "cat.png")``, ``("url", …)``,
    or ``("other", …)`` for a malformed ``media:`` reference (the schema says why)."""
    found = media_id(value)
    if found is not None:
        return "id", found
    if value.startswith(MEDIA_PREFIX):
        return "other", value
    if value.lower().startswith(("https://", "http://")):
        return "url", value
    return "name", unicodedata.normalize("NFC", value)


@dataclass(frozen=True, slots=True)
class ProjectMedia:
    """What an import checks image references against: the project's media ids named by the
    rows, its names, and the hosts the operator allows (None: addresses are not checked)."""

    known_ids: Set[int]
    by_name: Mapping[str, int]
    hosts: Collection[str] | None = None

    def resolve(self, value: Any) -> Any:
        """The reference an import stores: a ``media:<id>`` of this project, an allowed
        address, or an uploaded name turned into its ``media:<id>``. A value that is no
        string is left for the schema to refuse."""
        if not isinstance(value, str):
            return value
        kind, found = _classify(value)
        if kind == "id" and found not in self.known_ids:
            raise InvalidInput("'{field}' is {value}, which is not an image of this project: "
                               "upload the image to this project first", field=IMAGE_FIELD,
                               value=value)
        if kind == "url" and self.hosts is not None and not allowed_image_url(value,
                                                                                self.hosts):
            raise InvalidInput("the image address “{address}” is not on a host the operator "
                               "allows (FAIRLABEL_IMAGE_HOSTS, over https): upload the image "
                               "instead", address=shown(value))
        if kind != "name":
            return value
        item = self.by_name.get(found)
        if item is None:
            raise InvalidInput("'{field}' is “{value}”, and no image of that name was uploaded "
                               "to this project: upload it first, or write \"media:<id>\"",
                               field=IMAGE_FIELD, value=shown(value))
        return media_ref(item)


def image_refs(data: Any) -> tuple[set[int], set[str]]:
    """The media ids and the names a task's data refers to (for one lookup per import)."""
    value = data.get(IMAGE_FIELD) if isinstance(data, Mapping) else None
    if not isinstance(value, str):
        return set(), set()
    kind, found = _classify(value)
    return ({found} if kind == "id" else set()), ({found} if kind == "name" else set())
