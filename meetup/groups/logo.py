"""Group logos: checked, re-encoded and resized with Pillow, metadata dropped."""

import hashlib
import io
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from meetup.groups.services import GroupError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
SIZE = 512
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


class LogoError(GroupError):
    """The uploaded file is not an acceptable image."""


def upload_folder() -> Path:
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or
                  Path(current_app.instance_path) / "uploads")
    (folder / "logos").mkdir(parents=True, exist_ok=True)
    return folder / "logos"


def process(data: bytes) -> bytes:
    """Return the logo as a fresh PNG of at most 512×512; raises GroupError."""
    if len(data) > MAX_BYTES:
        raise LogoError(_l("The image is too large (at most 2 MB)."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise LogoError(_l("Please upload a PNG, JPEG, WebP or GIF image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise LogoError(_l("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((SIZE, SIZE))
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LogoError(_l("This file is not an image we can read.")) from exc
    output = io.BytesIO()
    # A new image carries no EXIF, GPS or comments from the upload.
    clean.save(output, format="PNG", optimize=True)
    return output.getvalue()


def store(group_id: int, data: bytes) -> str:
    """Write the processed logo; returns its file name."""
    png = process(data)
    name = f"{group_id}-{hashlib.sha256(png).hexdigest()[:16]}.png"
    (upload_folder() / name).write_bytes(png)
    return name


def path_of(name: str) -> Path:
    return upload_folder() / name
