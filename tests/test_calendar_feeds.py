"""Feeds answer conditional requests truthfully, survive bad rows, and say when
they are gone; UIDs belong to the installation."""

import logging
from datetime import UTC, datetime

import icalendar
from alembic import command
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, Membership, RSVPStatus, User, utcnow
from tests.factories import create_event
from tests.helpers import disposing, log_in, make_app, submit
from tests.test_calendar import READERS, personal_url


def next_year(month=6, day=1, hour=19):
    return datetime(utcnow().year + 1, month, day, hour)


def assert_changed(client, url, before):
    """A client that sends only If-Modified-Since gets the new content, later dated."""
    response = client.get(url, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert response.status_code == 200
    assert response.last_modified > before.last_modified
    assert response.headers["ETag"] != before.headers["ETag"]
    again = client.get(url, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert again.status_code == 304
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    return response


def test_last_modified_moves_when_the_club_feed_changes(app, client, club, make_event):
    slug, _owner = club
    first = make_event(slug, "Erster", next_year(day=1))
    make_event(slug, "Zweiter", next_year(day=2))
    url = f"/groups/{slug}/calendar.ics"
    before = client.get(url)
    assert client.get(url).last_modified == before.last_modified  # stable while unchanged
    with app.app_context():  # the latest change takes an event out of the feed
        db.session.get(Event, first).visibility = "members"
        db.session.commit()
    after = assert_changed(client, url, before)
    assert b"Erster" not in after.data
    with app.app_context():
        db.session.scalar(select(Group).filter_by(slug=slug)).name = "Neuer Name"
        db.session.commit()
    renamed = assert_changed(client, url, after)
    assert b"Neuer Name" in renamed.data


def test_last_modified_moves_when_the_personal_feed_changes(app, client, club, make_user,
                                                             add_member, make_event):
    slug, _owner = club
    me, _ = make_user()
    add_member(slug, me)
    old = make_event(slug, "Alt", next_year(day=1), visibility="members")
    new = make_event(slug, "Neu", next_year(day=2))
    with app.app_context():
        db.session.add_all([RSVP(event_id=old, user_id=me), RSVP(event_id=new, user_id=me)])
        db.session.commit()
    log_in(client, "mara@example.com")
    url = personal_url(client)
    calendar_app = app.test_client()
    before = calendar_app.get(url)
    with app.app_context():  # "no" to the most recently changed event
        db.session.scalar(select(RSVP).filter_by(event_id=new, user_id=me)).status = (
            RSVPStatus.NOT_GOING)
        db.session.commit()
    after = assert_changed(calendar_app, url, before)
    assert b"Neu" not in after.data
    with app.app_context():
        db.session.scalar(select(Group).filter_by(slug=slug)).name = "Umbenannt"
        db.session.commit()
    renamed = assert_changed(calendar_app, url, after)
    assert b"Umbenannt" in renamed.data
    with app.app_context():
        db.session.execute(db.delete(Membership).where(Membership.user_id == me))
        db.session.commit()
    assert b"Alt" not in assert_changed(calendar_app, url, renamed).data  # members only


def test_a_download_changes_its_etag_with_the_club(app, client, club, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Vortrag", next_year())
    url = f"/events/{event_id}.ics"
    before = client.get(url)
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        group.name = "Club am Hafen"
        db.session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    vevent = icalendar.Calendar.from_ical(after.data).walk("VEVENT")[0]
    assert vevent["organizer"].params["CN"] == "Club am Hafen"
    assert b"Club am Hafen" in after.data  # the calendar's description too


def test_uids_carry_the_sites_domain(club, database_uri, smtp):
    slug, _owner = club
    app = make_app(database_uri, smtp[0].port, SITE_URL="https://treffen.example.org/app")
    with disposing(app):
        event_id = create_event(app, slug, "Abend", next_year())
        data = app.test_client().get(f"/events/{event_id}.ics").data
        uid = str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["uid"])
        assert uid.endswith("@treffen.example.org") and "treffpunkt" not in uid
        assert db.session.get(Event, event_id).ical_uid == uid


def test_events_from_before_the_upgrade_keep_their_uids(tmp_path, smtp):
    app = make_app(f"sqlite:///{tmp_path / 'old.db'}", smtp[0].port,
                   SITE_URL="https://neu.example.org")
    with disposing(app):
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "05af4457256e")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO \"group\" (id, slug, name, city, short_description, description, "
                "website, visibility, join_policy, timezone, created_at) VALUES (1, 'g', 'G', "
                "'', '', '', '', 'public', 'open', 'Europe/Berlin', CURRENT_TIMESTAMP)")
            connection.exec_driver_sql(
                "INSERT INTO event (id, group_id, title, kind, description, speaker, "
                "speaker_bio, starts_at, ends_at, timezone, venue_name, venue_address, "
                "online_url, guests_allowed, visibility, status, cancel_reason, sequence, "
                "created_at, updated_at) VALUES (41, 1, 'E', 'other', '', '', '', "
                "'2030-01-01 18:00:00', '2030-01-01 20:00:00', 'Europe/Berlin', '', '', '', 0, "
                "'public', 'published', '', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        command.upgrade(config, "head")
        data = app.test_client().get("/events/41.ics").data
        assert str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["uid"]) == (
            "event-41@treffpunkt")
    new = create_event(app, "g", "Neu", next_year())
    with disposing(app):
        assert db.session.get(Event, new).ical_uid.endswith("@neu.example.org")


def test_a_declined_event_shows_as_free_time(app, client, club, make_user, add_member, make_event):
    slug, _owner = club
    me, _ = make_user()
    add_member(slug, me)
    declined = make_event(slug, "Abgelehnt", next_year(day=1))
    going = make_event(slug, "Zugesagt", next_year(day=2))
    make_event(slug, "Offen", next_year(day=3))
    with app.app_context():
        db.session.add_all([RSVP(event_id=declined, user_id=me, status=RSVPStatus.NOT_GOING),
                            RSVP(event_id=going, user_id=me)])
        db.session.get(User, me).calendar_all_groups = True
        db.session.commit()
    log_in(client, "mara@example.com")
    data = app.test_client().get(personal_url(client)).data
    calendar = icalendar.Calendar.from_ical(data)
    transp = {str(e["summary"]): str(e["transp"]) for e in calendar.walk("VEVENT")}
    assert transp == {"Abgelehnt": "TRANSPARENT", "Zugesagt": "OPAQUE", "Offen": "TRANSPARENT"}
    assert "als frei angezeigt" in str(calendar["x-wr-caldesc"])


def test_a_revoked_feed_is_gone_and_an_unknown_one_not_found(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    url = personal_url(client)
    calendar_app = app.test_client()
    submit(client, "/account/calendar/revoke", {}, page="/account/")
    response = calendar_app.get(url)
    assert response.status_code == 410
    assert response.mimetype == "text/plain" and b"<" not in response.data
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    for unknown in (f"/calendar/{forged}.ics", "/calendar/never-issued.ics"):
        response = calendar_app.get(unknown)
        assert response.status_code == 404
        assert response.mimetype == "text/plain" and b"<" not in response.data


def test_one_bad_row_never_breaks_a_feed(app, client, club, make_user, add_member, make_event,
                                         caplog):
    slug, _owner = club
    me, _ = make_user()
    add_member(slug, me)
    good = make_event(slug, "Gut", next_year())
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        bad = Event(group_id=group.id, title="Ende der Zeit", timezone="Europe/Berlin",
                    starts_at=datetime(9999, 12, 31, 20, tzinfo=UTC),
                    ends_at=datetime(9999, 12, 31, 23, tzinfo=UTC))  # year 10000 in Berlin
        db.session.add(bad)
        db.session.flush()
        bad_id = bad.id
        db.session.add_all([RSVP(event_id=bad_id, user_id=me), RSVP(event_id=good, user_id=me)])
        db.session.commit()
    log_in(client, "mara@example.com")
    personal = personal_url(client)
    for cancelled in (False, True):
        if cancelled:
            with app.app_context():
                event = db.session.get(Event, bad_id)
                event.status, event.sequence = EventStatus.CANCELLED, event.sequence + 1
                db.session.commit()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="meetup.calendar.ical"):
            for url in (f"/groups/{slug}/calendar.ics", personal):
                response = app.test_client().get(url)
                assert response.status_code == 200
                for name, reader in READERS.items():
                    assert [row["summary"] for row in reader(response.data)] == ["Gut"], name
        assert f"Event {bad_id} left out" in caplog.text
        download = client.get(f"/events/{bad_id}.ics")
        assert 400 <= download.status_code < 500
        assert client.get(f"/events/{good}.ics").status_code == 200

