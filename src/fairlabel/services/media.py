"""Use cases for media: add images to a project, list them, and give one to whoever may see
it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.errors import Conflict, DomainError, InvalidInput, NotFound, TooLarge
from fairlabel.domain.media import (
    MediaItem,
    MediaLimits,
    MediaRejected,
    MediaTooLarge,
    check_name,
    check_size,
    media_ref,
)
from fairlabel.domain.messages import Msg
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.services.ports.media import (
    HasMedia,
    ImageChecker,
    MediaStore,
    NewMedia,
    RawFile,
)
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasProjects
from fairlabel.services.steps.access import own_project


class AddMediaTx(HasProjects, HasMedia, Commits, Protocol):
    """The transaction of ``add_media``."""


class ListMediaTx(HasProjects, HasMedia, Protocol):
    """The transaction of ``list_media``, ``media_for``."""


@dataclass(frozen=True, slots=True)
class MediaList:
    total: int
    items: list[MediaItem]  # the latest first


def _open_for_media(project: Project) -> None:
    if project.status is ProjectStatus.ENDED or project.ended_at is not None:
        raise Conflict("the project has ended: it takes no more images", code="project_ended")


def _about(name: str, error: DomainError) -> DomainError:
    """The error of one file, naming it, as the error of the whole upload."""
    if isinstance(error, TooLarge):
        return MediaTooLarge(name, error.msg)
    return MediaRejected(name, error.msg)


def _checked(files: Iterable[RawFile], images: ImageChecker, store: MediaStore,
             limits: MediaLimits, progress: Callable[[str], None] | None) -> list[NewMedia]:
    """Check, re-encode and store every file (each content once); what the rows will say."""
    kept: dict[str, NewMedia] = {}
    for number, raw in enumerate(files, start=1):
        if number > limits.max_files:
            raise TooLarge("more than {limit} images in one upload (FAIRLABEL_MEDIA_MAX_FILES): "
                           "send them in several uploads. Nothing was added.",
                           limit=limits.max_files)
        try:
            name = check_name(raw.name)
            check_size(len(raw.data), limits.max_bytes)
            image = images.check(raw.data, max_pixels=limits.max_pixels)
        except DomainError as error:
            raise _about(raw.name or "a file without a name", error) from None
        before = kept.get(name)
        if before is not None and before.sha256 != image.sha256:
            raise MediaRejected(name, Msg("two files of this upload have this name"))
        store.put(image.sha256, image.data)
        kept[name] = NewMedia(name, image.sha256, image.width, image.height,
                              image.content_type, len(image.data))
        if progress is not None:
            progress(name)
    if not kept:
        raise InvalidInput("the upload holds no file: send one or more 'file' parts, or one "
                           "zip of images")
    return list(kept.values())


def add_media(db: Database[AddMediaTx], user: User, project_id: int, files: Iterable[RawFile],
              *, images: ImageChecker, store: MediaStore, limits: MediaLimits, now: datetime,
              progress: Callable[[str], None] | None = None) -> list[MediaItem]:
    """Add images to the requester's project: every file, or none if one is refused.

    Each is decoded and re-encoded without its metadata (GPS, camera, comments) and kept once
    by the SHA-256 of what is kept. A name already in the project with the same content gives
    back the item it names (an upload can be retried); with other content, it is refused.
    """
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:  # before any decoding: someone else's project costs nothing
        _open_for_media(own_project(tx, user, project_id))
    checked = _checked(files, images, store, limits, progress)
    with db.write() as tx:
        _open_for_media(own_project(tx, user, project_id, for_update=True))
        present = tx.media.by_names(project_id, [m.name for m in checked])
        for new in checked:
            old = present.get(new.name)
            if old is not None and old.sha256 != new.sha256:
                raise Conflict("{name}: the project already has another image of this name "
                               "({ref}): rename the file. Nothing was added.",
                               code="media_name_taken", name=new.name, ref=media_ref(old.id))
        added = tx.media.add_many(project_id=project_id, now=now,
                                  items=[m for m in checked if m.name not in present])
        tx.commit()
    by_name = {**present, **{m.name: m for m in added}}
    return [by_name[m.name] for m in checked]


def list_media(db: Database[ListMediaTx], user: User, project_id: int, *,
               limit: int = 100) -> MediaList:
    """The project's images, the latest first (its requester)."""
    with db.read() as tx:
        own_project(tx, user, project_id)
        return MediaList(tx.media.count(project_id), tx.media.of_project(project_id,
                                                                         limit=limit))


def _may_see(tx: ListMediaTx, user: User, item: MediaItem, now: datetime) -> bool:
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.REQUESTER:
        project = tx.projects.get(item.project_id)
        return project is not None and project.requester_id == user.id
    if user.role is Role.WORKER:
        return (tx.media.leased_with(worker_id=user.id, project_id=item.project_id,
                                     ref=item.ref, now=now)
                or tx.media.contested_with(worker_id=user.id, project_id=item.project_id,
                                           ref=item.ref))
    if user.role is Role.MODERATOR:
        return tx.media.appealed_with(project_id=item.project_id, ref=item.ref)
    return False


def media_for(db: Database[ListMediaTx], user: User, media_id: int, *,
              now: datetime) -> MediaItem:
    """A media item, for its project's requester (and admins), a worker holding a live lease
    on a task that shows it or whose answer to such a task is the subject of a decision they
    may still appeal or have appealed (until the appeal is resolved), and moderators while an
    open appeal is about such a task. To everyone else it does not exist."""
    with db.read() as tx:
        item = tx.media.get(media_id)
        if item is not None and _may_see(tx, user, item, now):
            return item
    raise NotFound("no media {media_id}", media_id=str(media_id))


def media_bytes(store: MediaStore, item: MediaItem) -> Iterator[bytes]:
    """The kept bytes of a media item, in chunks."""
    chunks = store.open(item.sha256)
    if chunks is None:
        raise NotFound("the file of {ref} ({name}) is missing from the media storage "
                       "(FAIRLABEL_MEDIA_DIR): the operator can restore it from a backup, or "
                       "the requester upload it again", ref=item.ref, name=item.name)
    return chunks
