"""User-written Markdown: sanitised HTML (nh3) for pages, plain text for calendars."""

import threading
from html import unescape

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h3", "h4",
                "code", "pre", "hr"}
_local = threading.local()


def _convert(text: str) -> str:
    # Building a Markdown instance costs more than converting a short text, and
    # an instance is not thread-safe: keep one per thread.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(extensions=["sane_lists"],
                                                         output_format="html")
    return converter.reset().convert(text or "")


def render_markdown(text: str | None) -> Markup:
    clean = nh3.clean(
        _convert(text or ""), tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def plain_text(text: str | None) -> str:
    """Markdown to plain text: rendered, then every tag removed."""
    if not text:
        return ""
    html = _convert(text)
    html = html.replace("</p>", "</p>\n").replace("<br />", "\n").replace("</li>", "</li>\n")
    return unescape(nh3.clean(html, tags=set())).strip()
