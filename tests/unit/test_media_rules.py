"""Media rules (domain/media.py): names, sizes, pixels, references and their resolution."""

from __future__ import annotations

import pytest

from fairlabel.domain.errors import InvalidInput, TooLarge
from fairlabel.domain.media import (
    ProjectMedia,
    allowed_image_url,
    check_name,
    check_pixels,
    check_size,
    file_name,
    image_refs,
    media_id,
    media_ref,
    member_name,
    shows_media,
)


def test_a_reference_names_a_media_item_by_its_id() -> None:
    assert media_ref(12) == "media:12"
    assert media_id("media:12") == 12
    for not_one in ("media:0", "media:012", "media:-1", "media:12 ", "Media:12", "media:",
                    "media:1e3", 12, None):
        assert media_id(not_one) is None
    assert shows_media({"image": "media:12", "text": "x"}, 12)
    assert not shows_media({"image": "media:120"}, 12)
    assert not shows_media({"picture": "media:12"}, 12)


@pytest.mark.parametrize("raw, kept", [
    ("cat.png", "cat.png"),
    ("C:\\Users\\me\\Pictures\\cat.png", "cat.png"),
    ("/home/me/cat.png", "cat.png"),
    ("  Cafe\u0301.jpg ", "Café.jpg"),  # NFC
])
def test_an_uploaded_files_name_is_its_last_part(raw: str, kept: str) -> None:
    assert file_name(raw) == kept


@pytest.mark.parametrize("raw", ["../evil.png", "a/../../evil.png", "/etc/passwd",
                                 "a//b.png", "./a.png", "C:/x.png"])
def test_a_zip_member_may_not_leave_the_zip(raw: str) -> None:
    with pytest.raises(InvalidInput):
        member_name(raw)


def test_a_zip_member_keeps_its_folder_and_backslashes_become_slashes() -> None:
    assert member_name("train/cats/1.png") == "train/cats/1.png"
    assert member_name("train\\1.png") == "train/1.png"


@pytest.mark.parametrize("name", ["", "   ", "a" * 256, "evil\u202egnp.exe", "tab\there.png",
                                  "nul\x00.png"])
def test_names_are_bounded_and_visible(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_name(name)


def test_sizes_and_pixels_are_bounded() -> None:
    check_size(10, 10)
    with pytest.raises(TooLarge, match="FAIRLABEL_MEDIA_MAX_BYTES"):
        check_size(11, 10)
    with pytest.raises(InvalidInput, match="empty"):
        check_size(0, 10)
    check_pixels(5000, 10_000, 50_000_000)
    with pytest.raises(TooLarge, match="10000 × 10000 pixels"):
        check_pixels(10_000, 10_000, 50_000_000)
    with pytest.raises(InvalidInput):
        check_pixels(0, 10, 50_000_000)


def test_image_addresses_only_over_https_from_allowed_hosts() -> None:
    hosts = [" Images.Example.org "]
    assert allowed_image_url("https://images.example.org/cat.png", hosts)
    assert allowed_image_url("https://IMAGES.example.org/cat.png?x=1", hosts)
    for url in ("http://images.example.org/cat.png", "https://evil.org/cat.png",
                "https://user:pw@images.example.org/cat.png", "https://images.example.org/a b",
                "javascript:alert(1)", "https://images.example.org.evil.org/x.png",
                "https://[::1/x"):
        assert not allowed_image_url(url, hosts), url
    assert not allowed_image_url("https://images.example.org/cat.png", [])


def test_an_import_resolves_names_and_refuses_unknown_references() -> None:
    project = ProjectMedia(known_ids={3}, by_name={"cat.png": 3, "train/dog.png": 4},
                           hosts=["images.example.org"])
    assert project.resolve("cat.png") == "media:3"
    assert project.resolve("train/dog.png") == "media:4"
    assert project.resolve("media:3") == "media:3"
    assert project.resolve("https://images.example.org/x.png") == \
        "https://images.example.org/x.png"
    assert project.resolve(42) == 42  # not a string: the schema refuses it
    assert project.resolve("media:03") == "media:03"  # malformed: the schema says why
    with pytest.raises(InvalidInput, match="media:9, which is not an image of this project"):
        project.resolve("media:9")
    with pytest.raises(InvalidInput, match="no image of that name"):
        project.resolve("bird.png")
    with pytest.raises(InvalidInput, match="FAIRLABEL_IMAGE_HOSTS"):
        project.resolve("https://elsewhere.org/x.png")
    unchecked = ProjectMedia(set(), {}, hosts=None)
    assert unchecked.resolve("https://elsewhere.org/x.png") == "https://elsewhere.org/x.png"


def test_the_references_of_a_rows_data_are_gathered_for_one_lookup() -> None:
    assert image_refs({"image": "media:7"}) == ({7}, set())
    assert image_refs({"image": "cat.png"}) == (set(), {"cat.png"})
    assert image_refs({"image": "https://x.org/a.png"}) == (set(), set())
    assert image_refs({"text": "no image"}) == (set(), set())
    assert image_refs(["not", "an", "object"]) == (set(), set())
