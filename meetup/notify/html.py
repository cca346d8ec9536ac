"""The HTML part of a mail, written from its plain text: the same words, escaped,
in paragraphs, with every address a link. One source, so the two never disagree,
and no text a person typed (a club's name, an announcement) can become markup."""

import re

from markupsafe import Markup, escape

_LINK = re.compile(r"https?://[^\s<>\"']+")


def _line(line: str) -> Markup:
    parts, last = [], 0
    for match in _LINK.finditer(line):
        url = match.group(0).rstrip(".,;:!?)")
        start, end = match.start(), match.start() + len(url)
        parts.append(escape(line[last:start]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = end
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def mail_html(text: str) -> Markup:
    """Plain mail text (its first line the subject) as HTML: a heading, then a
    paragraph for each block of lines."""
    raw = str.__str__(text) if isinstance(text, str) else str(text)
    subject, _, body = raw.strip().partition("\n")
    blocks = [block for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
    html = [Markup("<h1 style=\"font-size:1.25em\">{}</h1>").format(subject.strip())]
    for block in blocks:
        lines = [_line(line.rstrip()) for line in block.strip("\n").split("\n")]
        html.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    return Markup("\n").join(html)
