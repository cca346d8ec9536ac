"""Impressum and privacy notice: the operator's own Markdown files, per language or
for all, sanitised; a translated default while there is none; linked in every footer."""

import pytest

from tests.helpers import log_in

EN = {"Accept-Language": "en"}


@pytest.fixture
def legal(app, tmp_path):
    """The folder the pages are read from; empty at first."""
    app.config["LEGAL_FOLDER"] = str(tmp_path)
    return tmp_path


def page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def main_part(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_default_privacy_notice_in_german(client, legal):
    html = page(client, "/datenschutz")
    assert "<h1>Datenschutzerklärung</h1>" in html
    assert "<title>Datenschutz · Treffpunkt</title>" in html
    for words in ("<strong>session</strong>", "<strong>remember_token</strong>", "CSRF",
                  "gewählte Sprache", "unbedingt erforderlich", "kein Tracking",
                  "gesalzener Hash", "Das Organisationsteam eines Clubs sieht",
                  "Unter „Mein Konto“ → „Meine Daten“ können Sie eine Kopie",
                  "instance/privacy.md", "instance/privacy.de.md"):
        assert words in html, words
    assert '<a href="/impressum">Impressum</a>' in main_part(html)


def test_default_privacy_notice_in_english(client, legal):
    html = page(client, "/datenschutz", headers=EN)
    assert "<h1>Privacy notice</h1>" in html
    for words in ("<strong>session</strong>", "strictly necessary", "no tracking",
                  "the language you chose", "Who sees what",
                  "Under “My account” → “My data” you can download a copy",
                  "instance/privacy.en.md"):
        assert words in html, words


def test_default_impressum_in_both_languages(client, legal):
    german = main_part(page(client, "/impressum"))
    assert "<h1>Impressum</h1>" in german and "§ 5 DDG" in german
    assert "noch nicht eingetragen" in german and "instance/impressum.md" in german
    english = main_part(page(client, "/impressum", headers=EN))
    assert "<h1>Legal notice</h1>" in english and "has not entered their details" in english


def test_the_operators_file_is_rendered_and_sanitised(client, legal):
    (legal / "impressum.md").write_text(
        "# Angaben gemäß § 5 DDG\n\nWirtschaftsclub Musterstadt e.V.  \nMarktplatz 1\n\n"
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[Kontakt](mailto:vorstand@example.org) · [böse](javascript:alert(1))\n",
        encoding="utf-8")
    html = main_part(page(client, "/impressum"))
    assert "<h2>Angaben gemäß § 5 DDG</h2>" in html
    assert "Wirtschaftsclub Musterstadt e.V.<br>" in html and "Marktplatz 1" in html
    assert '<a href="mailto:vorstand@example.org"' in html
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "javascript:" not in html
    assert "Standardtext" not in html and "noch nicht eingetragen" not in html


def test_a_file_per_language_falls_back_to_the_common_one(client, legal):
    (legal / "privacy.md").write_text("Für alle Sprachen.", encoding="utf-8")
    (legal / "privacy.en.md").write_text("English only.", encoding="utf-8")
    assert "English only." in page(client, "/datenschutz", headers=EN)
    german = page(client, "/datenschutz")
    assert "Für alle Sprachen." in german and "English only." not in german
    (legal / "privacy.de.md").write_text("Nur auf Deutsch.", encoding="utf-8")
    assert "Nur auf Deutsch." in page(client, "/datenschutz")  # read on each request
    assert "English only." in page(client, "/datenschutz", headers=EN)


def test_a_file_that_is_not_utf8_still_shows(client, legal):
    (legal / "impressum.md").write_bytes("Müller GmbH, Köln".encode("cp1252"))
    html = page(client, "/impressum")
    assert "M\ufffdller GmbH" in html


def test_english_addresses_lead_to_the_pages(client, legal):
    for old, new in (("/privacy", "/datenschutz"), ("/imprint", "/impressum")):
        response = client.get(old)
        assert response.status_code == 301
        assert response.headers["Location"] == new


def test_the_footer_links_both_pages_everywhere(client, make_user, legal):
    make_user()
    pages = ["/", "/events/", "/groups/", "/auth/login", "/impressum", "/datenschutz"]
    missing = client.get("/does-not-exist")
    assert missing.status_code == 404
    htmls = [page(client, url) for url in pages] + [missing.get_data(as_text=True)]
    log_in(client, "mara@example.com")
    htmls += [page(client, url) for url in ("/", "/account/", "/events/mine", "/groups/mine")]
    for html in htmls:
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert '<a href="/impressum">Impressum</a>' in footer
        assert '<a href="/datenschutz">Datenschutz</a>' in footer
    english = page(client, "/", headers=EN)  # the account's language is not set: browser
    footer = english.split('<footer class="site-footer">', 1)[1]
    assert ">Legal notice</a>" in footer and ">Privacy</a>" in footer
