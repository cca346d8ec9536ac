"""The operator's own texts: Markdown files in the instance folder (or LEGAL_FOLDER).

``instance/impressum.de.md`` (or ``.en.md``) for one language, else
``instance/impressum.md`` for all; the same for ``privacy``. They are read on
each request, so an edited file shows without a restart.
"""

from pathlib import Path

from flask import current_app
from markupsafe import Markup

from meetup.text import render_markdown

PAGES = ("impressum", "privacy")


def text_file(page: str, language: str) -> Path | None:
    """The file that holds ``page`` for ``language``, or None for the default text."""
    folder = Path(current_app.config.get("LEGAL_FOLDER") or current_app.instance_path)
    for name in (f"{page}.{language}.md", f"{page}.md"):
        path = folder / name
        if path.is_file():
            return path
    return None


def operator_text(page: str, language: str) -> Markup | None:
    """The operator's text, rendered and sanitised like every other Markdown here."""
    path = text_file(page, language)
    if path is None:
        return None
    return render_markdown(path.read_text(encoding="utf-8", errors="replace"), headings=True)
