"""Feeds written from kept parts are byte for byte what the plain builder writes,
cold, warm and after every kind of change; kept parts never outlive a change."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup.calendar import feeds, ical
from meetup.calendar.cache import LRU, caches
from meetup.calendar.views import organizer_email, personal_texts
from meetup.events import services as editing
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, RSVPStatus, User, utcnow
from meetup.urls import external_url
from tests.factories import create_event
from tests.helpers import disposing, log_in, make_app
from tests.test_calendar import READERS, TRICKY


def next_year(month, day, hour=19):
    return datetime(utcnow().year + 1, month, day, hour)


@pytest.fixture
def world(app, make_user, make_group, add_member):
    """A club with every kind of event, and a member (English, all club events in
    the feed) who answered some of them; returns the three addresses."""
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner, "Club; Nord, Süd")
    me, _ = make_user(locale="en")
    add_member(slug, me)
    ids = {
        "berlin": create_event(app, slug, "Stammtisch", next_year(1, 12)),
        "new_york": create_event(app, slug, "Meetup", next_year(5, 5, 18), zone="America/New_York"),
        "cancelled": create_event(app, slug, "Sommerfest", next_year(6, 1),
                               status=EventStatus.CANCELLED, cancel_reason="Regen"),
        "tricky": create_event(app, slug, TRICKY, next_year(3, 29, 2), speaker="Dr. Ä; Ö",
                            description="**fett**, a; b \\ c\n" + "Ü" * 200),
        "online": create_event(app, slug, "Online", next_year(2, 2),
                            online_url="https://meet.example.org/geheim"),
        "members": create_event(app, slug, "Vorstand", next_year(2, 3), visibility="members"),
        "draft": create_event(app, slug, "Entwurf", next_year(2, 4), status=EventStatus.DRAFT),
        "past": create_event(app, slug, "Vorbei", (utcnow() - timedelta(days=31)).replace(
            tzinfo=None), status=EventStatus.CANCELLED),
    }
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        group.short_description = "Zeile eins;\nZeile zwei"
        bad = Event(group_id=group.id, title="Ende der Zeit", timezone="Europe/Berlin",
                    starts_at=datetime(9999, 12, 31, 20, tzinfo=UTC),
                    ends_at=datetime(9999, 12, 31, 23, tzinfo=UTC))
        db.session.add(bad)
        db.session.flush()
        ids["bad"] = bad.id
        answers = {"online": RSVPStatus.GOING, "new_york": RSVPStatus.WAITLIST,
                   "tricky": RSVPStatus.NOT_GOING, "bad": RSVPStatus.GOING}
        db.session.add_all([RSVP(event_id=ids[name], user_id=me, status=status)
                            for name, status in answers.items()])
        user = db.session.get(User, me)
        user.calendar_all_groups = True
        token = feeds.new_token(user)
        db.session.commit()
    return {"slug": slug, "ids": ids, "me": me, "club": f"/groups/{slug}/calendar.ics",
            "personal": f"/calendar/{token}.ics", "download": f"/events/{ids['online']}.ics"}


def entry(event, status=None, busy=True):
    return ical.Entry(event, external_url("events.show", event_id=event.id),
                      tentative=status == RSVPStatus.WAITLIST,
                      show_online_link=status == RSVPStatus.GOING, busy=busy)


def plain_feeds(app, world) -> dict[str, bytes]:
    """The three feeds as the plain builder writes them, as the views did before
    anything was kept: every event loaded and written."""
    with app.test_request_context():
        group = db.session.scalar(select(Group).filter_by(slug=world["slug"]))
        user = db.session.get(User, world["me"])
        states = {r.event_id: r.status for r in db.session.scalars(
            select(RSVP).filter_by(user_id=user.id))}

        def events(query):
            return db.session.scalars(query.options(joinedload(Event.group)).order_by(
                Event.starts_at, Event.id)).all()

        club = ical.build([entry(event) for event in events(feeds.group_feed_query(group))],
                          name=group.name, description=group.short_description,
                          organizer_email=organizer_email(), language="de")
        name, description = personal_texts(True, "en")
        personal = ical.build([entry(event, states.get(event.id),
                                     busy=states.get(event.id) == RSVPStatus.GOING)
                               for event in events(feeds.personal_feed_query(user))],
                              name=name, description=description,
                              organizer_email=organizer_email(), language="en")
        online = db.session.get(Event, world["ids"]["online"])
        download = ical.build([entry(online, RSVPStatus.GOING)], name=online.title,
                              description=group.name, organizer_email=organizer_email(),
                              language="en")
    return {"club": club, "personal": personal, "download": download}


def assert_same_bytes(app, world, client, stage: str) -> None:
    want = plain_feeds(app, world)
    for name, data in want.items():
        response = client.get(world[name])
        assert response.status_code == 200, (stage, name)
        assert response.data == data, (stage, name)


def test_kept_feeds_are_the_plain_builders_bytes(app, world):
    client = app.test_client()
    # The download as the member sees it (going: with the online link).
    log_in(client, "mara@example.com")
    assert_same_bytes(app, world, client, "cold")
    assert_same_bytes(app, world, client, "warm: whole feeds kept")
    with app.app_context():
        caches().feeds = LRU(64)
    assert_same_bytes(app, world, client, "feeds forgotten: written from kept VEVENTs")
    with app.app_context():
        event = db.session.get(Event, world["ids"]["berlin"])
        start = event.starts_at.astimezone(event.zone).replace(tzinfo=None)
        editing.update(event, {"title": "Stammtisch neu"}, editing.Schedule(
            start + timedelta(hours=1), start + timedelta(hours=4), "Europe/Berlin"))
        db.session.commit()
    assert_same_bytes(app, world, client, "after an edit")
    with app.app_context():
        db.session.scalar(select(Group).filter_by(slug=world["slug"])).name = "Neuer Name"
        db.session.scalar(select(RSVP).filter_by(
            event_id=world["ids"]["new_york"])).status = RSVPStatus.GOING
        editing.cancel(db.session.get(Event, world["ids"]["online"]), "Technik")
        db.session.commit()
    assert_same_bytes(app, world, client, "after a rename, an answer, a cancellation")
    data = client.get(world["club"]).data
    assert b"Neuer Name" in data and b"Stammtisch neu" in data
    for name, reader in READERS.items():  # and it still reads everywhere
        assert len(reader(client.get(world["personal"]).data)) == 7, name


def test_a_new_process_and_a_cold_one_write_the_same_bytes(app, world, database_uri, smtp):
    first = app.test_client().get(world["club"]).data
    cold = make_app(database_uri, smtp[0].port, CALENDAR_CACHE_EVENTS=0,
                    CALENDAR_CACHE_FEEDS=0)
    with disposing(cold):
        for _ in range(2):
            assert cold.test_client().get(world["club"]).data == first
        assert len(caches().events) == len(caches().feeds) == 0
