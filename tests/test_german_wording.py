"""German sentences that work with any club name, and one inclusive style for roles:
neutral words ("Leitung", "Organisationsteam", "Teilnehmende"), never "Inhaber" or
"Organisatoren"."""

import re

from babel.messages.pofile import read_po

from tests.helpers import log_in, submit
from tests.test_i18n import TRANSLATIONS

GENDERED = re.compile(r"\b(Inhaber\w*|Organisator\w*|Teilnehmer\w*|Referent\w*|Gründer\b|"
                      r"Benutzer\w*|Nutzer\w*|Veranstalter\w*)")


def german():
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return [message for message in read_po(file) if message.id]


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_a_club_name_always_stands_in_quotes_after_a_noun():
    """'Sie haben %(group)s verlassen' needs an article that depends on the name
    ('den Wirtschaftsclub', 'die Runde'); „…“ after 'Club' never does."""
    found = [text for message in german() for text in strings(message)
             if "%(group)s" in text and "„%(group)s“" not in text]
    assert found == []


def test_role_words_are_neutral():
    found = [text for message in german() for text in strings(message)
             if GENDERED.search(text)]
    assert found == []


def test_joining_and_leaving_name_the_club_in_quotes(app, client, club, make_user):
    slug, _owner = club
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, f"/groups/{slug}/join", {}, page=f"/groups/{slug}",
                      follow_redirects=True)
    assert "Willkommen im Club „Unternehmerclub Münster“! Sie sind jetzt Mitglied." in \
        response.get_data(as_text=True)
    response = submit(client, f"/groups/{slug}/leave", {}, page=f"/groups/{slug}",
                      follow_redirects=True)
    assert "Sie haben den Club „Unternehmerclub Münster“ verlassen." in response.get_data(
        as_text=True)
