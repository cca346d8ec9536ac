"""Rendering user-written Markdown: the same result for ordinary text, and
time linear in the length for any text, however hostile."""

import time

import pytest

from meetup.text import plain_text, render_markdown

# Classic inputs on which backtracking or tree-building renderers go quadratic.
PATHOLOGICAL = {
    "brackets": "[" * 20_000,
    "stars": "*" * 20_000,
    "underscores": "_" * 20_000,
    "backticks": "`" * 20_000,
    "quotes": ">" * 20_000,
    "spaced quotes": "> " * 10_000,
    "angles": "<" * 20_000,
    "raw blocks": "<blockquote>" * 2_000,
    "raw divs": "<div>" * 4_000,
    "link openers": "[a](" * 5_000,
    "images": "![" * 10_000,
    "nested lists": "1. " * 6_000 + "x",
    "emphasis runs": "**a" * 6_000,
    "entities": "&#" * 10_000,
    "comments": "<!--" * 5_000,
    "mixed": "[*_`<>" * 3_500,
}


def timed(function, text) -> float:
    start = time.perf_counter()
    function(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
@pytest.mark.parametrize("function", [render_markdown, plain_text])
def test_hostile_text_renders_fast(function, text):
    # A quadratic renderer takes seconds here; a linear one a few milliseconds.
    assert timed(function, text) < 0.5


@pytest.mark.parametrize("text", ["[" * 5_000, ">" * 5_000, "1. " * 2_000, "<" * 5_000])
def test_time_grows_linearly(text):
    timed(render_markdown, text)  # warm up
    small = min(timed(render_markdown, text) for _ in range(3))
    large = min(timed(render_markdown, text * 8) for _ in range(3))
    # Linear: about 8 times; quadratic: 64 times. Noise on a busy machine is
    # absorbed by the small floor.
    assert large < 20 * max(small, 0.001)


def test_very_long_stored_text_is_bounded():
    assert timed(render_markdown, "[*" * 500_000) < 0.5


def test_ordinary_text_renders_as_before():
    html = render_markdown("Über **Fachkräfte** und *Ideen*\n\n- eins\n- zwei\n\n"
                           "1. erstens\n2. zweitens\n\n> Zitat\n\n### Ablauf\n\n"
                           "`code` und [Link](https://example.org \"Titel\")")
    assert "<p>Über <strong>Fachkräfte</strong> und <em>Ideen</em></p>" in html
    assert "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>" in html
    assert "<ol>\n<li>erstens</li>" in html
    assert "<blockquote>\n<p>Zitat</p>\n</blockquote>" in html
    assert "<h3>Ablauf</h3>" in html and "<code>code</code>" in html
    assert ('<a href="https://example.org" title="Titel" rel="nofollow noopener noreferrer">'
            "Link</a>") in html


def test_unsafe_markup_is_removed():
    html = render_markdown("**Fett** <script>alert(1)</script> [x](javascript:alert(1))\n\n"
                           '<img src=x onerror="alert(1)">\n\n# Groß')
    assert "<strong>Fett</strong>" in html
    assert "<script" not in html and "<img" not in html and "onerror" not in html
    assert "javascript:" not in html and "<h1>" not in html and "Groß" in html


def test_deep_nesting_keeps_the_text():
    html = render_markdown(">" * 100 + " tief unten")
    assert "tief unten" in html
    assert html.count("<blockquote>") == html.count("</blockquote>") <= 16


def test_plain_text_for_calendars():
    assert plain_text("Über **Fachkräfte**\n\n- a & b\n- c") == "Über Fachkräfte\n\na & b\n\nc"
    assert plain_text("Zeile  \nUmbruch") == "Zeile\nUmbruch"
    assert plain_text(None) == ""
