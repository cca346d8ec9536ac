"""The whole life of an event, on every page: upcoming, full, closed, running now,
past ("took place — N were there") and cancelled. Each state renders what it should
and offers nothing it should not: asserted on the HTML (forms, links, texts)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from meetup.events.rsvp import State, phase
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, User, utcnow
from tests.helpers import log_in, submit

ATTENDEES = ("Anna Schneider", "Bernd Brandt", "Carla Conrad")
ALL_TEXTS = ("Personen sind dabei", "Plätze frei", "Hat stattgefunden", "Läuft gerade",
             "Ausgebucht", "Anmeldung geschlossen", "Abgesagt", "Der Referent ist erkrankt.")


# name: (event changes — times in hours from now —, people checked in, the event
# page's texts, the card's texts)
STATES = {
    "upcoming": ({"capacity": 30}, 0,
                 ["3 Personen sind dabei · 27 Plätze frei"],
                 ["3 Personen sind dabei · 27 Plätze frei"]),
    "full": ({"capacity": 3}, 0,
             ["3 Personen sind dabei · 0 Plätze frei", "Ausgebucht"],
             ["Ausgebucht", "3 Personen sind dabei · 0 Plätze frei"]),
    "closed": ({"capacity": 30, "rsvp_closes_at": -1}, 0,
               ["3 Personen sind dabei", "Anmeldung geschlossen"],
               ["Anmeldung geschlossen", "3 Personen sind dabei"]),
    "running": ({"capacity": 30, "starts_at": -1, "ends_at": 2}, 1,
                ["3 Personen sind dabei", "Läuft gerade"],
                ["Läuft gerade", "3 Personen sind dabei"]),
    "past, two checked in": ({"starts_at": -30, "ends_at": -27}, 2,
                             ["Hat stattgefunden – 2 waren dabei"],
                             ["Hat stattgefunden – 2 waren dabei"]),
    "past, nobody checked in": ({"starts_at": -30, "ends_at": -27}, 0,
                                ["Hat stattgefunden – 3 waren dabei"],
                                ["Hat stattgefunden – 3 waren dabei"]),
    "cancelled": ({"status": EventStatus.CANCELLED, "cancel_reason": "Der Referent ist erkrankt.",
                   "capacity": 30}, 0,
                  ["Abgesagt", "Der Referent ist erkrankt."], ["Abgesagt"]),
}
# What each state offers: the RSVP form, "add to calendar", the attendee preview with
# "people you should meet", and (to organisers) the cancel form.
OFFERS = {
    "upcoming": {"rsvp", "calendar", "people", "cancel"},
    "full": {"rsvp", "calendar", "people", "cancel"},
    "closed": {"calendar", "people", "cancel"},
    "running": {"calendar", "people", "cancel"},
    "past, two checked in": set(),
    "past, nobody checked in": set(),
    "cancelled": set(),
}


@pytest.fixture
def evening(app, club, make_user, add_member, make_event):
    """An event of the club with three members going who offer what Mara looks for;
    Mara is a member who has not answered. Returns (slug, event id, make_state)."""
    slug, _owner = club
    viewer_id, _ = make_user("mara@example.com", name="Mara Beispiel")
    add_member(slug, viewer_id)
    ids = []
    for number, name in enumerate(ATTENDEES):
        user_id, _ = make_user(f"p{number}@example.com", name=name)
        add_member(slug, user_id)
        ids.append(user_id)
    event_id = make_event(slug, title="Kamingespräch")
    with app.app_context():
        db.session.get(User, viewer_id).needs = ["Steuerberatung"]
        for user_id in ids:
            db.session.get(User, user_id).offers = ["Steuerberatung"]
            db.session.add(RSVP(event_id=event_id, user_id=user_id))
        db.session.commit()

    def make_state(name):
        changes, arrived, _page, _card = STATES[name]
        with app.app_context():
            event = db.session.get(Event, event_id)
            for column, value in changes.items():
                if column.endswith("_at"):
                    value = utcnow() + timedelta(hours=value)
                setattr(event, column, value)
            for rsvp in db.session.scalars(select(RSVP).filter_by(event_id=event_id)
                                           .order_by(RSVP.id).limit(arrived)):
                rsvp.checked_in_at = event.starts_at
            db.session.commit()

    return slug, event_id, make_state


def card_of(html: str, event_id: int) -> str:
    match = re.search(rf'<article class="event-card" aria-labelledby="event-{event_id}-title">'
                      r'.*?</article>', html, re.S)
    assert match, f"no card of event {event_id}"
    return " ".join(match.group(0).split())


def squeeze(html: str) -> str:
    return " ".join(html.split())


def offers(html: str, event_id: int) -> set[str]:
    found = {
        "rsvp": f'action="/events/{event_id}/rsvp"' in html,
        "calendar": "Zum Kalender hinzufügen" in html or f"/events/{event_id}.ics" in html,
        "people": "Menschen, die Sie treffen sollten" in html or "Wer kommt" in html,
        "cancel": f'action="/events/{event_id}/cancel"' in html,
    }
    return {name for name, present in found.items() if present}


@pytest.mark.parametrize("name", list(STATES))
def test_each_state_renders_what_it_should_and_offers_nothing_else(app, client, evening,
                                                                   name):
    slug, event_id, make_state = evening
    make_state(name)
    _changes, _arrived, page_texts, card_texts = STATES[name]
    log_in(client, "mara@example.com")
    html = squeeze(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert offers(html, event_id) == OFFERS[name] - {"cancel"}
    for text in page_texts:
        assert text in html, text
    for text in set(ALL_TEXTS) - {t for text in page_texts for t in ALL_TEXTS if t in text}:
        assert text not in html, text
    if "people" in OFFERS[name]:
        assert "Anna Schneider" in html  # the preview names who is coming
    # The club page's card tells the same truth, upcoming or among the past events.
    card = card_of(client.get(f"/groups/{slug}").get_data(as_text=True), event_id)
    for text in card_texts:
        assert text in card, text
    for text in set(ALL_TEXTS) - {t for text in card_texts for t in ALL_TEXTS if t in text}:
        assert text not in card, text
    # Organisers may cancel exactly while the event is still ahead.
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    html = organiser.get(f"/events/{event_id}").get_data(as_text=True)
    assert ("cancel" in offers(html, event_id)) == ("cancel" in OFFERS[name])


@pytest.mark.parametrize("name", ["upcoming", "full", "closed", "running", "cancelled"])
def test_the_event_list_cards_say_the_same(app, client, evening, name):
    slug, event_id, make_state = evening
    make_state(name)
    card = card_of(client.get("/events/").get_data(as_text=True), event_id)
    for text in STATES[name][3]:
        assert text in card, text


def test_a_running_event_that_still_takes_answers_offers_the_form(app, client, evening):
    slug, event_id, make_state = evening
    make_state("running")
    with app.app_context():
        db.session.get(Event, event_id).rsvp_closes_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    log_in(client, "mara@example.com")
    html = squeeze(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Läuft gerade" in html and f'action="/events/{event_id}/rsvp"' in html
    assert "27 Plätze frei" in html


def test_a_past_event_tells_who_was_there_and_refuses_answers(app, client, evening):
    slug, event_id, make_state = evening
    make_state("past, two checked in")
    with app.app_context():
        first = db.session.scalar(select(RSVP.user_id).filter_by(event_id=event_id)
                                  .order_by(RSVP.id))
        email = db.session.get(User, first).email
    log_in(client, email)
    html = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Sie waren dabei" in html and "Ticket" not in html
    response = submit(client, f"/events/{event_id}/rsvp", {"answer": "no"},
                      page=f"/events/{event_id}")
    assert response.status_code == 409


def test_cancelling_asks_with_the_number_going_and_a_past_event_cannot_be(app, client,
                                                                          evening):
    slug, event_id, make_state = evening
    make_state("upcoming")
    log_in(client, "owner@example.com")
    page = f"/events/{event_id}"
    html = squeeze(client.get(page).get_data(as_text=True))
    confirm = html.split('<details class="confirm">')[1].split("</details>")[0]
    assert "3 Personen haben zugesagt." in confirm
    assert "Ja, Veranstaltung absagen" in confirm and f'action="{page}/cancel"' in confirm
    make_state("past, nobody checked in")
    response = submit(client, f"{page}/cancel", {"reason": "Zu spät"}, page="/",
                      follow_redirects=True)
    assert "kann nicht mehr abgesagt werden" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED


def test_my_events_count_no_cancelled_evening_as_a_no_show(app, client, evening):
    slug, event_id, make_state = evening
    make_state("past, nobody checked in")
    with app.app_context():
        db.session.get(Event, event_id).status = EventStatus.CANCELLED
        db.session.commit()
    log_in(client, "p0@example.com")
    html = client.get("/events/mine").get_data(as_text=True)
    assert "Nicht erschienen" not in html and "Kamingespräch" not in html


def test_the_phase_is_the_same_for_everyone(app, evening):
    _slug, event_id, make_state = evening
    expected = {"upcoming": State.OPEN, "full": State.FULL, "closed": State.CLOSED,
                "running": State.RUNNING, "past, nobody checked in": State.PAST,
                "cancelled": State.CANCELLED}
    for name, state in expected.items():
        make_state(name)
        with app.app_context():
            event = db.session.get(Event, event_id)
            left = None if event.capacity is None else event.capacity - 3
            assert phase(event, left, utcnow()) == state, name
        if name == "cancelled":
            break


# --- the club page: past events, newest first, paginated --------------------------

def test_club_page_lists_past_events_newest_first_in_pages(app, client, club, make_event,
                                                           count_queries):
    slug, _owner = club
    make_event(slug, title="Sommerfest", days=20)

    def past(count, start):
        with app.app_context():
            group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
            for number in range(start, start + count):
                ends = utcnow() - timedelta(days=number + 1)
                db.session.add(Event(group_id=group_id, title=f"Abend {number:02d}",
                                     starts_at=ends - timedelta(hours=3), ends_at=ends,
                                     venue_name="Rathaus"))
            db.session.commit()

    past(3, 0)
    with count_queries() as few:
        assert client.get(f"/groups/{slug}").status_code == 200
    past(9, 3)
    with count_queries() as many:
        first = client.get(f"/groups/{slug}").get_data(as_text=True)
    assert len(many) == len(few)  # one query for the cards of any number of events
    upcoming, earlier = first.split('id="past-heading"')
    assert "Sommerfest" in upcoming and "Abend" not in upcoming
    titles = re.findall(r">(Abend \d\d)</a>", earlier)
    assert titles == [f"Abend {n:02d}" for n in range(10)]  # newest first
    assert "Hat stattgefunden" in earlier
    assert f'href="/groups/{slug}?page=2#past"' in earlier
    second = client.get(f"/groups/{slug}?page=2").get_data(as_text=True)
    assert re.findall(r">(Abend \d\d)</a>", second) == ["Abend 10", "Abend 11"]
    assert "Sommerfest" in second  # the upcoming ones stay on every page


def test_a_club_without_past_events_shows_no_empty_past_section(client, club, make_event):
    slug, _owner = club
    make_event(slug)
    assert 'id="past-heading"' not in client.get(f"/groups/{slug}").get_data(as_text=True)
