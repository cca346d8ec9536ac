"""User-written Markdown, rendered and sanitised (nh3) for safe display."""

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h3", "h4",
                "code", "pre", "hr"}


def render_markdown(text: str | None) -> Markup:
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)
