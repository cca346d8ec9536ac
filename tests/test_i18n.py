"""German and English: catalogues complete, language chosen as people expect."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.helpers import get_user, log_in, redirects_to, submit

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "meetup" / "translations"


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set:
    """Every message the code and templates use, extracted afresh."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "_nl:1,2", "--ignore-dirs", ".* __pycache__ .venv",
         "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


def _untranslated(catalog) -> list:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    return missing


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_message_is_translated(source_messages, language):
    catalog = catalogue(language)
    ids = {message.id for message in catalog if message.id}
    assert not source_messages - ids, "run 'make translations-update' and translate"
    assert _untranslated(catalog) == []


def test_german_catalogue_is_really_german():
    catalog = catalogue("de")
    assert catalog.get("Log in").string == "Anmelden"
    same = [m.id for m in catalog if m.id and m.string == m.id and isinstance(m.id, str)]
    # Only words that are the same in both languages may stay as they are.
    assert set(same) <= {"Online", "online finden, offline binden", "Clubs", "Website", "Logo",
                         "Name", "Stammtisch", "Workshop", "Ticket", "Club",
                         "Outlook.com", "Position", "Status"}


def test_default_language_is_german(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Nächste Veranstaltungen" in html


def test_browser_language_is_followed(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Upcoming events" in html
    html = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="de">' in html


# Visitors without an account switch without a token (no page starts a session
# for them); the login page has one all the same, for the login form.
def test_switcher_sets_the_language_for_the_session(client):
    response = submit(client, "/language", {"language": "en", "next": "/auth/login"},
                      page="/auth/login")
    redirects_to(response, "/auth/login")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    submit(client, "/language", {"language": "de"}, page="/auth/login")
    assert '<html lang="de">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True)


def test_switcher_refuses_unknown_languages_and_foreign_next(client):
    response = submit(client, "/language", {"language": "xx", "next": "//evil.example"},
                      page="/auth/login")
    redirects_to(response, "/")
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)


def test_a_users_setting_wins_over_the_browser(app, client, make_user):
    make_user(locale="en")
    log_in(client, "mara@example.com")
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_switching_while_logged_in_is_remembered_on_the_account(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    submit(client, "/language", {"language": "en"}, page="/")
    assert get_user(app, "mara@example.com").locale == "en"
