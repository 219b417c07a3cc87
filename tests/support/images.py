"""Images and zips made in memory for the media tests (nothing is downloaded)."""

from __future__ import annotations

import io
import zipfile

from PIL import ExifTags, Image

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.0)}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48),
                color: tuple[int, int, int] = (200, 30, 30), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **options)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return image_bytes("PNG", size, color)


def jpeg_with_gps(orientation: int = 1) -> bytes:
    """A photo as a phone writes it: EXIF with the camera and a GPS position, a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return image_bytes("JPEG", (80, 40), (10, 120, 200), exif=exif.tobytes(),
                       comment=b"taken at home", quality=90)


def bomb_png(side: int = 10_000) -> bytes:
    """A blank PNG of side × side pixels (100 megapixels by default): a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


HTML_AS_PNG = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script></svg>')
