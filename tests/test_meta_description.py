"""Every page describes itself for search engines and link previews."""

import re
from datetime import datetime

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def description(html: str) -> str:
    found = DESCRIPTION.findall(html)
    assert len(found) == 1, found
    return found[0]


def test_a_default_description_and_one_per_event_and_club_page(client, club, make_event):
    slug, _owner = club
    assert description(client.get("/").get_data(as_text=True)).startswith(
        "Treffpunkt: Veranstaltungen von Wirtschaftsclubs")
    event_id = make_event(slug, "Sommerabend", datetime(2099, 7, 7, 19),
                          description='Wir grillen am **Aasee** & reden über "Nachfolge".')
    text = description(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert text == ("Di., 7. Juli 2099 · Rathaus · Unternehmerclub Münster – Wir grillen am "
                    "Aasee &amp; reden über &#34;Nachfolge&#34;.")  # escaped
    text = description(client.get(f"/groups/{slug}").get_data(as_text=True))
    assert text.startswith("Unternehmerclub Münster, Münster – ")


def test_a_long_description_is_cut_at_a_word(client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Vortrag", description="Nachfolge " * 100)
    text = description(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert len(text) <= 200 and text.endswith("Nachfolge…")
