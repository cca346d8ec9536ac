"""Text in calendars: escaped everywhere, one language, cancellations visible."""

import json
import re
import subprocess
from datetime import datetime

import icalendar
import pytest
import vobject
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event, EventStatus, Group, User, utcnow
from tests.helpers import log_in
from tests.test_calendar import JS, READERS, personal_url, read_icaljs

NIGHT = "Nachtschicht-Treffen (03:30, Umstellungstag März)"
HARD = 'Treffen; "Bier", Brezel \\ Grüße\nzweite Zeile\r\ndritte'


def icaljs(data: bytes) -> dict:
    read_icaljs(data)  # skips without Node
    return json.loads(subprocess.run(["node", str(JS / "read_ics.mjs")], input=data,
                                     capture_output=True, check=True).stdout)


def calendar_texts(data: bytes) -> dict[str, set]:
    """NAME / X-WR-CALNAME / X-WR-CALDESC as each reader understood them."""
    parsed = icalendar.Calendar.from_ical(data)

    def known(name):  # icalendar keeps these raw (no known type): decode them as TEXT
        return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1],
                      str(parsed[name]))

    other = vobject.readOne(data.decode())
    js = icaljs(data)
    return {
        "name": {known("name"), known("x-wr-calname"), other.contents["name"][0].value,
                 other.contents["x-wr-calname"][0].value, js["name"]},
        "description": {known("x-wr-caldesc"), other.contents["x-wr-caldesc"][0].value,
                        js["description"]},
    }


def summaries(data: bytes) -> dict[str, set]:
    return {name: {row["summary"] for row in reader(data)} for name, reader in READERS.items()}


@pytest.mark.parametrize("title", [NIGHT, HARD, "Back\\slash; Semi, Komma"])
def test_a_download_escapes_the_title_everywhere(app, client, club, title, make_event):
    slug, _owner = club
    event_id = make_event(slug, title, datetime(utcnow().year + 1, 3, 28, 3, 30))
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    want = title.replace("\r\n", "\n")
    assert calendar_texts(response.data)["name"] == {want}
    assert all(found == {want} for found in summaries(response.data).values())
    if title == NIGHT:
        assert "NAME:Nachtschicht-Treffen (03:30\\, Umstellungstag März)" in (
            response.get_data(as_text=True).replace("\r\n ", ""))


def test_a_club_feed_escapes_its_name_and_description(app, client, club, make_event):
    slug, _owner = club
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        group.name = "Club; Nord, Süd \\ West"
        group.short_description = "Zeile eins, mit Komma;\nZeile zwei"
        db.session.commit()
    make_event(slug, "Stammtisch", datetime(utcnow().year + 1, 6, 1, 19))
    response = client.get(f"/groups/{slug}/calendar.ics")
    assert response.status_code == 200
    assert calendar_texts(response.data) == {
        "name": {"Club; Nord, Süd \\ West"},
        "description": {"Zeile eins, mit Komma;\nZeile zwei"}}


def test_a_cancelled_event_says_so_in_the_feeds_language(app, client, club, make_user,
                                                         add_member, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Sommerfest", datetime(utcnow().year + 1, 6, 1, 19),
                         status=EventStatus.CANCELLED, cancel_reason="Regen")
    german = client.get(f"/groups/{slug}/calendar.ics").data
    assert all(found == {"Abgesagt: Sommerfest"} for found in summaries(german).values())
    assert b"Cancelled" not in german and b"Abgesagt: Regen" in german

    english = client.get(f"/events/{event_id}.ics", headers={"Accept-Language": "en"}).data
    assert all(found == {"Cancelled: Sommerfest"} for found in summaries(english).values())
    assert b"Abgesagt" not in english and b"Cancelled: Regen" in english

    me, _ = make_user(locale="en")
    add_member(slug, me)
    with app.app_context():
        db.session.get(User, me).calendar_all_groups = True
        db.session.commit()
    log_in(client, "mara@example.com")
    personal = app.test_client().get(personal_url(client)).data
    assert all(found == {"Cancelled: Sommerfest"} for found in summaries(personal).values())
    assert b"Abgesagt" not in personal


def test_a_title_with_a_newline_downloads(app, client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Erste Zeile\nZweite Zeile", datetime(
        utcnow().year + 1, 6, 1, 19))
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    assert all(found == {"Erste Zeile\nZweite Zeile"}
               for found in summaries(response.data).values())
    assert client.get(f"/groups/{slug}/calendar.ics").status_code == 200
    with app.app_context():
        assert db.session.get(Event, event_id).title == "Erste Zeile\nZweite Zeile"
