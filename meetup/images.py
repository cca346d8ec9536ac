"""Uploaded pictures (club logos, profile photos): checked, re-encoded and
resized with Pillow; every byte of metadata (EXIF, GPS, comments) is dropped."""

import hashlib
import io
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


class ImageError(Exception):
    """The upload is not an acceptable image; ``str(error)`` says why."""


def folder(kind: str) -> Path:
    base = Path(current_app.config.get("UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "uploads")
    (base / kind).mkdir(parents=True, exist_ok=True)
    return base / kind


def process(data: bytes, size: int) -> bytes:
    """The picture as a fresh PNG of at most ``size``×``size`` pixels."""
    if len(data) > MAX_BYTES:
        raise ImageError(_l("The image is too large (at most 2 MB)."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ImageError(_l("Please upload a PNG, JPEG, WebP or GIF image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError(_l("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(_l("This file is not an image we can read.")) from exc
    output = io.BytesIO()
    # A new image carries no EXIF, GPS or comments from the upload.
    clean.save(output, format="PNG", optimize=True)
    return output.getvalue()


def store(kind: str, owner_id: int, data: bytes, size: int) -> str:
    """Write the processed picture; returns its file name."""
    png = process(data, size)
    name = f"{owner_id}-{hashlib.sha256(png).hexdigest()[:16]}.png"
    (folder(kind) / name).write_bytes(png)
    return name


def path_of(kind: str, name: str) -> Path:
    return folder(kind) / name
