"""Inline SVG icons, vendored from Lucide (ISC, see static/icons/LICENSE-lucide.txt)."""

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup

ICON_DIR = Path(__file__).parent / "static" / "icons"


@cache
def _svg(name: str) -> str:
    text = (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text).replace("> <", "><").strip()
    # Decorative: the text beside an icon carries the meaning.
    return text.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def icon(name: str) -> Markup:
    return Markup(_svg(name))
