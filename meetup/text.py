"""User-written Markdown: sanitised HTML (nh3) for pages, plain text for calendars.

Anyone may write a club description, so rendering must cost time linear in
the text whatever it contains. cmark (CommonMark in C) parses in linear time
even on pathological input. Raw HTML in the text is not passed on (cmark's
safe mode), so every tag nh3 sees comes from cmark and is well nested; the
nesting of block containers is then capped, because an HTML tree builder
spends time proportional to the depth for every block it opens.
"""

import re
from html import unescape
from urllib.parse import urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h3", "h4",
                "code", "pre", "hr"}
MAX_CHARS = 50_000  # longer than any form allows; what is stored beyond is not shown
MAX_DEPTH = 16  # nested quotes and lists deeper than this are flattened
_BLANK_LINES = re.compile(r"\n{3,}")
_TOP_HEADING = re.compile(r"<(/?)h[12]>")  # as cmark writes them; text has no raw "<"
_CONTAINER = re.compile(r"<(/?)(?:blockquote|ul|ol|li)(?:\s[^>]*)?>")


def _flatten_deep(html: str) -> str:
    """Drop container tags nested deeper than MAX_DEPTH, keeping their content.
    Relies on cmark writing matched tags and escaping every ``<`` of the text."""
    depth = 0

    def keep(match: re.Match) -> str:
        nonlocal depth
        if match.group(1):
            depth -= 1
            return match.group(0) if depth < MAX_DEPTH else ""
        depth += 1
        return match.group(0) if depth <= MAX_DEPTH else ""

    return _CONTAINER.sub(keep, html)


def _convert(text: str) -> str:
    html = cmarkgfm.markdown_to_html(text[:MAX_CHARS], options=Options.CMARK_OPT_VALIDATE_UTF8)
    return _flatten_deep(html)


def render_markdown(text: str | None, *, headings: bool = False) -> Markup:
    """Sanitised HTML. With ``headings`` (pages the operator writes, under the
    page's own h1), ``#`` and ``##`` stay headings, both as h2."""
    html = _convert(text or "")
    if headings:
        html = _TOP_HEADING.sub(r"<\1h2>", html)
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS | {"h2"} if headings else ALLOWED_TAGS,
        attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


WEB_SCHEMES = ("http", "https")
WEB_ONLY = _l("Please enter a web address starting with https:// or http://.")


def web_url(value: str | None) -> str:
    """``value`` if it is an http(s) address, else "": what a link's href may hold.
    (A form's URL check alone admits ``javascript://host/%0a…``, which runs.)"""
    value = (value or "").strip()
    return value if urlsplit(value).scheme.lower() in WEB_SCHEMES else ""


def plain_text(text: str | None) -> str:
    """Markdown to plain text: rendered, then every tag removed."""
    if not text:
        return ""
    html = _convert(text)
    html = html.replace("</p>", "</p>\n").replace("<br />\n", "\n").replace("</li>", "</li>\n")
    return _BLANK_LINES.sub("\n\n", unescape(nh3.clean(html, tags=set()))).strip()
