"""Image files (adapters/media): what Pillow keeps of an image, and how zips are read."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pytest
from PIL import ExifTags, Image

from fairlabel.adapters.media.archives import read_file
from fairlabel.adapters.media.images import PillowImages
from fairlabel.adapters.web.media_links import image_src
from fairlabel.adapters.web.rendering import templates
from fairlabel.domain.errors import InvalidInput, TooLarge
from fairlabel.domain.media import MediaLimits, MediaRejected, MediaTooLarge
from tests.support.images import (
    HTML_AS_PNG,
    SVG,
    bomb_png,
    image_bytes,
    jpeg_with_gps,
    png,
    zip_of,
)

PIXELS = 50_000_000
check = PillowImages().check


def test_a_jpeg_is_kept_without_its_exif_gps_and_comment() -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test image has a GPS
    kept = check(original, max_pixels=PIXELS)
    assert (kept.width, kept.height, kept.content_type) == (80, 40, "image/jpeg")
    with Image.open(io.BytesIO(kept.data)) as after:
        assert not after.getexif()
        assert "comment" not in after.info and "exif" not in after.info
    for trace in (b"Exif", b"PhoneMaker", b"taken at home"):
        assert trace not in kept.data


def test_a_turned_photo_is_turned_in_its_pixels_once_its_tag_is_gone() -> None:
    kept = check(jpeg_with_gps(orientation=6), max_pixels=PIXELS)  # 90° clockwise
    assert (kept.width, kept.height) == (40, 80)


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                               ("WEBP", "image/webp")])
def test_the_three_formats_are_kept_in_their_own_format(fmt: str, content_type: str) -> None:
    kept = check(image_bytes(fmt, (30, 20)), max_pixels=PIXELS)
    assert (kept.width, kept.height, kept.content_type) == (30, 20, content_type)
    with Image.open(io.BytesIO(kept.data)) as again:
        assert again.format == fmt


def test_the_same_image_is_kept_as_the_same_bytes() -> None:
    one, two = check(png(), max_pixels=PIXELS), check(png(), max_pixels=PIXELS)
    assert one.sha256 == two.sha256 and one.data == two.data
    assert check(png(color=(0, 0, 0)), max_pixels=PIXELS).sha256 != one.sha256


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    bomb = bomb_png()
    assert len(bomb) < 100_000  # 100 megapixels in a few kilobytes
    with pytest.raises(TooLarge, match="megapixels"):
        check(bomb, max_pixels=PIXELS)
    with pytest.raises(TooLarge, match="megapixels"):
        check(png((100, 100)), max_pixels=9_999)


@pytest.mark.parametrize("data", [HTML_AS_PNG, SVG, image_bytes("GIF"), image_bytes("TIFF"),
                                  image_bytes("BMP"), b"\x89PNG\r\n\x1a\n" + b"\x00" * 50])
def test_what_is_not_a_png_jpeg_or_webp_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        check(data, max_pixels=PIXELS)


def test_a_cut_image_is_refused() -> None:
    photo = image_bytes("JPEG", (400, 300), (1, 2, 3))
    noisy = Image.effect_noise((400, 300), 50).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    for cut in (photo[: len(photo) // 2], out.getvalue()[: len(out.getvalue()) // 2]):
        with pytest.raises(InvalidInput, match="damaged or cut short"):
            check(cut, max_pixels=PIXELS)


def test_an_animated_image_is_refused() -> None:
    out = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(InvalidInput, match="animated"):
        check(out.getvalue(), max_pixels=PIXELS)


LIMITS = MediaLimits(max_bytes=10_000, max_pixels=PIXELS, max_files=3, max_upload_bytes=50_000)


def _read(data: bytes, name: str = "upload.zip", limits: MediaLimits = LIMITS) -> list[str]:
    return [f.name for f in read_file(io.BytesIO(data), name, limits)]


def test_a_zip_gives_its_images_with_their_paths_and_skips_what_systems_leave() -> None:
    data = zip_of({"train/a.png": png(), "b.png": png(), "__MACOSX/._b.png": b"junk",
                   "train/.DS_Store": b"junk"})
    assert _read(data) == ["train/a.png", "b.png"]
    assert _read(png(), "plain.png") == ["plain.png"]


@pytest.mark.parametrize("member", ["../evil.png", "/abs.png", "a/../../evil.png"])
def test_a_zip_naming_a_member_outside_itself_is_refused_whole(member: str) -> None:
    with pytest.raises(MediaRejected, match="leaves its folder"):
        _read(zip_of({"fine.png": png(), member: png()}))


def test_a_zip_inside_a_zip_is_refused() -> None:
    with pytest.raises(MediaRejected, match="zip inside a zip"):
        _read(zip_of({"inner.dat": zip_of({"a.png": png()})}))


def test_a_zip_is_bounded_in_members_and_unpacked_size() -> None:
    with pytest.raises(MediaTooLarge, match="holds 4 files"):
        _read(zip_of({f"{i}.png": png() for i in range(4)}))
    zeros = zip_of({"a.png": b"\x00" * 40_000, "b.png": b"\x00" * 40_000})
    assert len(zeros) < 2_000  # it would unpack to 80 kB
    with pytest.raises(MediaTooLarge, match="unpacks to"):
        _read(zeros)


def test_a_member_over_the_file_limit_is_read_no_further_than_the_limit() -> None:
    files = list(read_file(io.BytesIO(zip_of({"big.png": b"\x00" * 30_000})), "u.zip",
                           MediaLimits(max_bytes=1_000, max_files=3, max_upload_bytes=50_000)))
    assert len(files[0].data) == 1_001  # the service refuses it as over the limit


def test_an_unreadable_or_encrypted_zip_is_refused() -> None:
    with pytest.raises(MediaRejected, match="not a zip file"):
        _read(b"PK\x03\x04 this is no zip")
    data = bytearray(zip_of({"a.png": png()}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    assert info.flag_bits & 1 == 0
    data[6] |= 1  # the encryption flag in the local header …
    central = bytes(data).rindex(b"PK\x01\x02")
    data[central + 8] |= 1  # … and in the central directory
    with pytest.raises(MediaRejected, match="encrypted"):
        _read(bytes(data))


def test_pages_turn_an_image_reference_into_an_address_or_nothing() -> None:
    hosts = ["images.example.org"]
    assert image_src("media:12", hosts) == "/api/v1/media/12"
    assert image_src("https://images.example.org/a.png", hosts) == \
        "https://images.example.org/a.png"
    for nothing in ("https://elsewhere.org/a.png", "http://images.example.org/a.png",
                    "javascript:alert(1)", "cat.png", "media:x", None, 12):
        assert image_src(nothing, hosts) is None
    page = templates().env.from_string(
        "{% set src = ref | media_src %}{% if src %}<img src=\"{{ src }}\">{% endif %}")
    request = SimpleNamespace(app=SimpleNamespace(image_hosts=("images.example.org",)))
    assert page.render(ref="media:7", request=request) == '<img src="/api/v1/media/7">'
    assert page.render(ref="https://images.example.org/x.png", request=request) == \
        '<img src="https://images.example.org/x.png">'
    assert page.render(ref="https://elsewhere.org/x.png", request=request) == ""
