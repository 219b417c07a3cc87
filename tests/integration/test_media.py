"""Media through the use cases on a real database (SQLite and PostgreSQL) and a real store:
uploads all or nothing, each content kept once, names resolved at import."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from PIL import Image

from fairlabel.adapters.container import Container
from fairlabel.adapters.media.images import PillowImages
from fairlabel.adapters.media.store import FileMediaStore
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import (
    Conflict,
    ImportRejected,
    NotFound,
    PermissionDenied,
    TooLarge,
)
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.media import MediaItem, MediaRejected, MediaTooLarge
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import ending, media, projects
from fairlabel.services.ports.media import RawFile
from tests.conftest import Accounts
from tests.support.funding import fund
from tests.support.images import HTML_AS_PNG, png


def image_project(container: Container, requester: User) -> int:
    """Image classification: a choice task whose data shows an image."""
    return projects.create_project(container.db, requester, ProjectTerms(
        "Pets", "Which animal is it?",
        parse_schema({"type": "single_choice", "choices": ["cat", "dog"]}),
        2, Money(5, "USD"), 600), policy=container.charter, now=container.clock()).id


def add(container: Container, user: User, project_id: int, *files: tuple[str, bytes]
        ) -> list[MediaItem]:
    return media.add_media(container.db, user, project_id,
                           [RawFile(name, data) for name, data in files],
                           images=PillowImages(), store=container.media_store,
                           limits=container.media_limits, now=container.clock())


def kept_files(container: Container) -> list[Path]:
    store = container.media_store
    assert isinstance(store, FileMediaStore) and store.root is not None
    return [p for p in store.root.rglob("*") if p.is_file()]


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_each_content_is_kept_once_and_a_retried_upload_gives_the_same_items(
        container: Container, requester: User) -> None:
    pid = image_project(container, requester)
    red, blue = png(color=(200, 0, 0)), png(color=(0, 0, 200))
    first = add(container, requester, pid, ("a.png", red), ("b.png", red), ("c.png", blue))
    assert [m.name for m in first] == ["a.png", "b.png", "c.png"]
    assert first[0].sha256 == first[1].sha256 != first[2].sha256
    files = kept_files(container)
    assert sorted(f.name for f in files) == sorted({first[0].sha256, first[2].sha256})
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o644 for f in files)
    assert not [p for p in files if p.name.startswith(".incoming-")]
    again = add(container, requester, pid, ("a.png", red), ("d.png", blue))
    assert again[0] == first[0]
    assert again[1].id not in {m.id for m in first}
    assert media.list_media(container.db, requester, pid).total == 4
    assert len(kept_files(container)) == 2
    kept = b"".join(media.media_bytes(container.media_store, first[0]))
    with Image.open(io.BytesIO(kept)) as image:
        assert (image.format, image.size) == ("PNG", (first[0].width, first[0].height))


def test_an_upload_is_all_or_nothing(container: Container, requester: User) -> None:
    pid = image_project(container, requester)
    with pytest.raises(MediaRejected, match=r"fake\.png: the file is not a PNG"):
        add(container, requester, pid, ("good.png", png()), ("fake.png", HTML_AS_PNG))
    with pytest.raises(MediaRejected, match="two files of this upload have this name"):
        add(container, requester, pid, ("x.png", png()), ("x.png", png(color=(1, 1, 1))))
    assert media.list_media(container.db, requester, pid).total == 0
    add(container, requester, pid, ("cat.png", png()))
    with pytest.raises(Conflict, match="another image of this name"):
        add(container, requester, pid, ("new.png", png()), ("cat.png", png(color=(9, 9, 9))))
    assert [m.name for m in media.list_media(container.db, requester, pid).items] == ["cat.png"]


def test_limits_of_an_upload(container: Container, requester: User) -> None:
    pid = image_project(container, requester)
    limits = container.media_limits
    with pytest.raises(MediaTooLarge, match="FAIRLABEL_MEDIA_MAX_BYTES"):
        add(container, requester, pid, ("big.png", b"\x89PNG" + b"\x00" * limits.max_bytes))
    many = [(f"{i}.png", png()) for i in range(limits.max_files + 1)]
    with pytest.raises(TooLarge, match="FAIRLABEL_MEDIA_MAX_FILES"):
        add(container, requester, pid, *many)
    assert media.list_media(container.db, requester, pid).total == 0


def test_only_the_projects_requester_adds_and_lists(container: Container, people: Accounts,
                                                    requester: User) -> None:
    pid = image_project(container, requester)
    other = people.make(Role.REQUESTER)[0]
    with pytest.raises(NotFound):
        add(container, other, pid, ("a.png", png()))
    with pytest.raises(NotFound):
        media.list_media(container.db, other, pid)
    with pytest.raises(PermissionDenied):
        add(container, people.make(Role.WORKER)[0], pid, ("a.png", png()))
    assert kept_files(container) == []  # refused before any file was decoded or kept


def test_an_ended_project_takes_no_images(container: Container, requester: User) -> None:
    pid = image_project(container, requester)
    projects.import_tasks(container.db, requester, pid,
                          [{"image": m.ref} for m in add(container, requester, pid,
                                                          ("a.png", png()))],
                          max_rows=10, now=container.clock())
    fund(container, requester, pid, 10_000)
    projects.launch_project(container.db, requester, pid, now=container.clock(),
                            policy=container.charter)
    ending.end_project(container.db, requester, pid, reason="The data set is complete now.",
                       mode=ending.parse_mode("immediate"), policy=container.charter,
                       now=container.clock())
    with pytest.raises(Conflict, match="ended"):
        add(container, requester, pid, ("b.png", png()))


def test_an_import_turns_names_into_references_and_refuses_unknown_ones(
        container: Container, people: Accounts, requester: User) -> None:
    pid = image_project(container, requester)
    cat, dog = add(container, requester, pid, ("cat.png", png()),
                   ("train/dog.png", png(color=(0, 90, 0))))
    other_pid = image_project(container, requester)
    elsewhere = add(container, requester, other_pid, ("bird.png", png(color=(5, 5, 5))))[0]
    now = container.clock()
    rows = [{"image": "cat.png"}, {"data": {"image": "train/dog.png", "note": "x"}},
            {"image": cat.ref}, {"data": {"image": "cat.png"}, "gold": "cat"}]
    assert projects.import_tasks(container.db, requester, pid, rows, max_rows=10,
                                 now=now) == 4
    with container.db.read() as tx:
        stored = [r.data for r in tx.tasks.export_rows(pid)]
    assert stored == [{"image": cat.ref}, {"image": dog.ref, "note": "x"}, {"image": cat.ref},
                      {"image": cat.ref}]
    for bad, reason in ((elsewhere.ref, "not an image of this project"),
                        ("bird.png", "no image of that name"),
                        ("media:999999", "not an image of this project")):
        with pytest.raises(ImportRejected, match=reason) as refused:
            projects.import_tasks(container.db, requester, pid,
                                  [{"image": "cat.png"}, {"image": bad}], max_rows=10, now=now)
        assert refused.value.row == 2
    with pytest.raises(ImportRejected, match="FAIRLABEL_IMAGE_HOSTS") as refused:
        projects.import_tasks(container.db, requester, pid,
                              [{"image": "https://elsewhere.org/x.png"}], max_rows=10, now=now,
                              image_hosts=["images.example.org"])
    assert refused.value.row == 1
    assert projects.import_tasks(container.db, requester, pid,
                                 [{"image": "https://images.example.org/x.png"}], max_rows=10,
                                 now=now, image_hosts=["images.example.org"]) == 1
    with container.db.read() as tx:
        assert len(list(tx.tasks.export_rows(pid))) == 5  # the refused imports added nothing
