"""/api/v1 media: a requester uploads a project's images; whoever may see one reads it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from fairlabel.adapters.media.archives import read_file
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep, api_user, session_user
from fairlabel.adapters.web.paths import Id
from fairlabel.domain.accounts import User
from fairlabel.domain.errors import InvalidInput, NotFound, TooLarge
from fairlabel.domain.media import ImageFormat, MediaItem, MediaLimits
from fairlabel.services import media
from fairlabel.services.ports.media import RawFile

router = APIRouter(tags=["media"])

UPLOAD_BODY: dict[str, object] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "One or more images (PNG, JPEG, WebP), or zips of them."}}}}}}}
"""The upload's body, which the route reads itself (spooled to disk, counted)."""

IMAGE_TYPES = {f.value: {"schema": {"type": "string", "format": "binary"}}
               for f in ImageFormat}
IMAGE_POLICY = "default-src 'none'; sandbox"
"""An image opened on its own runs nothing, whatever a browser made of it."""


class MediaPublic(BaseModel):
    id: int
    ref: str = Field(description="How task data refers to it: `media:<id>`.")
    name: str = Field(description="The name it was uploaded under (a zip member: its path "
                                  "inside the zip); task data may refer to it by this name.")
    width: int
    height: int
    sha256: str = Field(description="Of the bytes kept (re-encoded without metadata).")
    content_type: str
    bytes: int

    @classmethod
    def of(cls, item: MediaItem) -> MediaPublic:
        return cls(id=item.id, ref=item.ref, name=item.name, width=item.width,
                   height=item.height, sha256=item.sha256, content_type=item.content_type,
                   bytes=item.bytes)


class MediaAdded(BaseModel):
    media: list[MediaPublic] = Field(description="Every image of the upload, in its order.")


class MediaListing(BaseModel):
    total: int = Field(description="How many images the project has.")
    media: list[MediaPublic] = Field(description="The latest first, at most `limit`.")


async def _form(request: Request, limits: MediaLimits) -> FormData:
    try:
        return await request.form(max_files=limits.max_files, max_fields=20)
    except HTTPException as error:
        if "files" in str(error.detail).lower():
            raise TooLarge("more than {limit} files in one upload (FAIRLABEL_MEDIA_MAX_FILES): "
                           "send them in several uploads, or as a zip",
                           limit=limits.max_files) from None
        raise InvalidInput("the upload could not be read as multipart/form-data: {reason}",
                           reason=str(error.detail)) from None


def _files(uploads: Sequence[UploadFile], limits: MediaLimits) -> Iterator[RawFile]:
    for upload in uploads:
        yield from read_file(upload.file, upload.filename or "", limits)


@router.post("/projects/{project_id}/media", status_code=status.HTTP_201_CREATED,
             response_model=MediaAdded, openapi_extra=UPLOAD_BODY)
async def add_media(project_id: Id, request: Request, user: CurrentUser,
                    container: ContainerDep, now: NowDep) -> MediaAdded:
    """Add images to a project (its requester): multipart/form-data with one or more `file`
    parts, each a PNG, JPEG or WebP image or a zip of them.

    All or nothing: one refused file refuses the upload, naming it. Each image is re-encoded
    without its metadata and kept once by content; an image already uploaded under the same
    name with the same content is given back as it is.
    """
    from fairlabel.adapters.media.images import PillowImages  # Pillow loads with an upload

    limits = container.media_limits
    form = await _form(request, limits)
    try:
        uploads = [v for k, v in form.multi_items() if k == "file" and isinstance(v, UploadFile)]
        if not uploads:
            raise InvalidInput("send the images as multipart/form-data 'file' parts (one or "
                               "more images, or one zip of them)")
        items = await run_in_threadpool(
            lambda: media.add_media(container.db, user, project_id, _files(uploads, limits),
                                    images=PillowImages(), store=container.media_store,
                                    limits=limits, now=now))
    finally:
        await form.close()
    return MediaAdded(media=[MediaPublic.of(i) for i in items])


@router.get("/projects/{project_id}/media", response_model=MediaListing)
def list_media(project_id: Id, user: CurrentUser, container: ContainerDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> MediaListing:
    """A project's images, the latest first (its requester)."""
    found = media.list_media(container.db, user, project_id, limit=limit)
    return MediaListing(total=found.total, media=[MediaPublic.of(i) for i in found.items])


async def caller_or_none(request: Request, container: ContainerDep) -> User | None:
    """The caller, or None for a request with no credentials at all (a token that is not
    valid is still 401)."""
    if request.headers.get("authorization") or session_user(request, container) is not None:
        return await api_user(request, container)
    return None


def _headers(item: MediaItem) -> dict[str, str]:
    return {"ETag": f'"{item.sha256}"', "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": IMAGE_POLICY,
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(item.name, safe='')}"}


@router.get("/media/{media_id}", response_class=StreamingResponse,
            responses={200: {"description": "The image.", "content": IMAGE_TYPES},
                       304: {"description": "Not modified (`If-None-Match`)."},
                       401: {"description": "A token that is not valid (no credentials at "
                                            "all: 404)."}})
def read_media(media_id: Id, request: Request, container: ContainerDep,
               user: Annotated[User | None, Depends(caller_or_none)]) -> Response:
    """An image: for its project's requester, a worker holding a live lease on a task that
    shows it, and moderators while an open appeal is about such a task. Anyone else, signed
    in or not: 404, as if it did not exist."""
    if user is None:
        raise NotFound("no media {media_id}", media_id=str(media_id))
    item = media.media_for(container.db, user, media_id, now=container.clock())
    headers = _headers(item)
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    chunks = media.media_bytes(container.media_store, item)
    return StreamingResponse(chunks, media_type=item.content_type,
                             headers={**headers, "Content-Length": str(item.bytes)})
