"""The event list reads one page (and one row more) instead of counting every
event, and keeps each rendered card only while what it shows stays the same."""

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event, Group
from tests.helpers import log_in, submit


def titles(html: str) -> list[str]:
    return [part.split("</a>")[0].split(">")[-1]
            for part in html.split('class="event-title"')[1:]]


def test_the_list_pages_on_without_counting(app, client, club, make_event, count_queries):
    slug, _owner = club
    for number in range(45):
        make_event(slug, title=f"Abend {number:02d}", days=2 + number)
    with count_queries() as statements:
        first = client.get("/events/").get_data(as_text=True)
    assert not any("count(" in s.lower() for s in statements)
    assert titles(first) == [f"Abend {n:02d}" for n in range(20)]
    assert "Seite 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/events/?page=3").get_data(as_text=True)
    assert titles(last) == [f"Abend {n:02d}" for n in range(40, 45)]
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert titles(client.get("/events/?page=4").get_data(as_text=True)) == []
    with count_queries() as again:  # the same page under another address: the app
        client.get("/events/?page=1")
    assert len(again) == len(statements)
    with count_queries() as kept:  # the list as it was: kept whole (meetup/events/kept.py)
        client.get("/events/")
    assert kept == []


def test_a_kept_card_shows_every_change(app, client, club, make_event, make_user, add_member):
    slug, _owner = club
    event_id = make_event(slug, title="Stammtisch", capacity=1)
    assert "0 Personen sind dabei" in client.get("/events/").get_data(as_text=True)
    member, _ = make_user()
    add_member(slug, member)
    mara = app.test_client()
    log_in(mara, "mara@example.com")
    page = f"/events/{event_id}"
    submit(mara, f"{page}/rsvp", {"answer": "yes", "guests": "0"}, page=page)
    html = client.get("/events/").get_data(as_text=True)
    assert "1 Person ist dabei" in html and "Ausgebucht" in html
    with app.app_context():
        db.session.scalar(select(Group).filter_by(slug=slug)).name = "Club Neu"
        db.session.get(Event, event_id).title = "Sommerfest"
        db.session.commit()
    html = client.get("/events/").get_data(as_text=True)
    assert titles(html) == ["Sommerfest"] and "Club Neu" in html
    english = app.test_client()
    english.post("/language", data={"language": "en", "next": "/"})
    assert "1 person is going" in english.get("/events/").get_data(as_text=True)
