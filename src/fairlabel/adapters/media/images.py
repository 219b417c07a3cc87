"""Images checked with Pillow: decoded within a pixel limit, and re-encoded in their own
format without metadata, so that what is kept is an image and carries no EXIF (GPS, camera),
XMP or comments.

Only PNG, JPEG and WebP are opened (Pillow's other decoders are never tried). The pixel limit
is checked from the header before anything is decoded; Pillow's own guard
(``Image.MAX_IMAGE_PIXELS``) is set to it too, and its warning is an error in this process.
A JPEG is saved with its own quantisation tables (``quality="keep"``: no further loss) unless
its EXIF orientation has to be applied to the pixels first, since the tag goes with the rest.
Colour profiles (ICC) are kept: they are colour, not metadata about anyone.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from fairlabel.domain.errors import InvalidInput, TooLarge
from fairlabel.domain.media import ACCEPTED, ImageFormat, check_pixels
from fairlabel.services.ports.media import CheckedImage

FORMATS = {"PNG": ImageFormat.PNG, "JPEG": ImageFormat.JPEG, "WEBP": ImageFormat.WEBP}
ORIENTATION = 0x0112
WEBP_QUALITY = 90

warnings.simplefilter("error", Image.DecompressionBombWarning)


def _not_an_image() -> InvalidInput:
    return InvalidInput("the file is not a {accepted} image (GIF, SVG, HEIC, TIFF and other "
                        "formats are not accepted: convert it)", accepted=ACCEPTED)


def _save_options(image: Image.Image, fmt: str) -> dict[str, Any]:
    icc = image.info.get("icc_profile")
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality="keep", comment=b"")
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY, method=4)
    return options


def _upright(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image with its EXIF orientation applied to the pixels; whether it had one."""
    orientation = image.getexif().get(ORIENTATION, 1)
    if orientation in (None, 1):
        return image, False
    turned = ImageOps.exif_transpose(image)
    return turned, True


def _encode(image: Image.Image, fmt: str) -> bytes:
    options = _save_options(image, fmt)
    image, turned = _upright(image)
    if turned and fmt == "JPEG":
        options["quality"] = 95  # "keep" needs the decoded JPEG itself
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


class PillowImages:
    """The image checker of ``services.ports.media``."""

    def check(self, data: bytes, *, max_pixels: int) -> CheckedImage:
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            with Image.open(io.BytesIO(data), formats=tuple(FORMATS)) as probe:
                fmt, (width, height) = str(probe.format), probe.size
                check_pixels(width, height, max_pixels)
                if getattr(probe, "n_frames", 1) > 1:
                    raise InvalidInput("the image is animated: upload a still image")
                probe.verify()
            with Image.open(io.BytesIO(data), formats=(fmt,)) as image:
                image.load()
                encoded = _encode(image, fmt)
        except UnidentifiedImageError:
            raise _not_an_image() from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge("the image has more than {limit} megapixels "
                           "(FAIRLABEL_MEDIA_MAX_PIXELS): scale it down",
                           limit=max_pixels / 1e6) from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise InvalidInput("the image is damaged or cut short ({error}): export it again",
                               error=str(error)) from None
        return self._checked(encoded, fmt)

    @staticmethod
    def _checked(encoded: bytes, fmt: str) -> CheckedImage:
        with Image.open(io.BytesIO(encoded), formats=(fmt,)) as kept:
            width, height = kept.size
        return CheckedImage(encoded, width, height, FORMATS[fmt].value,
                            hashlib.sha256(encoded).hexdigest())
