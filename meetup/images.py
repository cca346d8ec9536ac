"""Uploaded pictures (club logos, profile photos): checked, re-encoded and
resized with Pillow; every byte of metadata (EXIF, GPS, comments) is dropped."""

import hashlib
import io
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from wtforms.validators import StopValidation

from meetup.errors import RuleError

MAX_BYTES = 20 * 1024 * 1024  # a phone photo; it is scaled down on arrival
# Pixels are what decoding costs (memory and time), not bytes: a 1 MB PNG can
# claim 20,000 × 20,000 pixels. Checked from the header, before decoding;
# 50 million pixels admit a 48-megapixel phone photo.
MAX_PIXELS = 50_000_000
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")


class ImageError(RuleError):
    """The upload is not an acceptable image; ``str(error)`` says why."""

    status = 422


def too_large() -> ImageError:
    return ImageError(_l("The image is too large (at most %(size)d MB).",
                         size=max(1, MAX_BYTES // (1024 * 1024))))


def upload_size(form, field) -> None:
    """Form validator: refuse an upload over MAX_BYTES without reading it."""
    stream = getattr(field.data, "stream", None)
    if stream is None or not getattr(field.data, "filename", ""):
        return
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_BYTES:
        raise StopValidation(str(too_large()))


def folder(kind: str) -> Path:
    base = Path(current_app.config.get("UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "uploads")
    (base / kind).mkdir(parents=True, exist_ok=True)
    return base / kind


def _open(data: bytes) -> Image.Image:
    """Open (header only) an image of an allowed format and a bounded size."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(_l("The image has too many pixels.")) from exc
    except UnidentifiedImageError as exc:
        if _other_format(data):
            raise ImageError(_l("Please upload a PNG, JPEG, WebP or GIF image.")) from exc
        raise ImageError(_l("This file is not an image we can read.")) from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise ImageError(_l("The image has too many pixels."))
    return image


def _other_format(data: bytes) -> bool:
    """Whether Pillow knows the file as an image of a format we do not take."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.format not in ALLOWED_FORMATS
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, ValueError, SyntaxError):
        return False


def process(data: bytes, size: int) -> bytes:
    """The picture as a fresh PNG of at most ``size``×``size`` pixels."""
    if len(data) > MAX_BYTES:
        raise too_large()
    try:
        with _open(data) as probe:
            probe.verify()
        with _open(data) as image:
            image.draft(image.mode, (size, size))  # JPEG: decode at a reduced scale, cheaply
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(_l("This file is not an image we can read.")) from exc
    output = io.BytesIO()
    # A new image carries no EXIF, GPS or comments from the upload.
    clean.save(output, format="PNG", optimize=True)
    return output.getvalue()


def store(kind: str, owner_id: int, png: bytes) -> str:
    """Write a picture made by ``process``; returns its file name."""
    name = f"{owner_id}-{hashlib.sha256(png).hexdigest()[:16]}.png"
    (folder(kind) / name).write_bytes(png)
    return name


def path_of(kind: str, name: str) -> Path:
    return folder(kind) / name
