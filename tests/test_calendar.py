"""Calendar downloads and feeds, read back by independent parsers.

Readers: ``icalendar`` (the writer's own library), Python ``vobject`` and
Mozilla's ``ical.js`` (Thunderbird's reader, run by Node). All must report the
same UID, summary, status and absolute start and end as the database.
"""

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from sqlalchemy import select

from meetup.calendar import ical
from meetup.events import services as editing
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, RSVPStatus, User, utcnow
from tests.helpers import log_in, submit

JS = Path(__file__).parent / "js"
TRICKY = 'Stammtisch, "Bier"; Brezel \\ Grüße\nzweite Zeile'


def read_icalendar(data: bytes) -> list[dict]:
    calendar = icalendar.Calendar.from_ical(data)
    return [{"uid": str(e["uid"]), "summary": str(e["summary"]), "status": str(e["status"]),
             "start": e.decoded("dtstart").astimezone(UTC),
             "end": e.decoded("dtend").astimezone(UTC)} for e in calendar.walk("VEVENT")]


def read_vobject(data: bytes) -> list[dict]:
    calendar = vobject.readOne(data.decode("utf-8"))
    return [{"uid": e.uid.value, "summary": e.summary.value, "status": e.status.value,
             "start": e.dtstart.value.astimezone(UTC), "end": e.dtend.value.astimezone(UTC)}
            for e in getattr(calendar, "vevent_list", [])]


def read_icaljs(data: bytes) -> list[dict]:
    if not shutil.which("node") or not (JS / "node_modules" / "ical.js").exists():
        pytest.skip("Node.js or ical.js missing (make test installs ical.js)")
    result = subprocess.run(["node", str(JS / "read_ics.mjs")], input=data,
                            capture_output=True, check=True, timeout=60)
    parsed = json.loads(result.stdout)

    def instant(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return [{"uid": e["uid"], "summary": e["summary"], "status": e["status"],
             "start": instant(e["start"]), "end": instant(e["end"])} for e in parsed["events"]]


READERS = {"icalendar": read_icalendar, "vobject": read_vobject, "ical.js": read_icaljs}


def expected(app, event_ids, tentative=()) -> list[dict]:
    with app.app_context():
        rows = []
        for event in db.session.scalars(select(Event).where(Event.id.in_(event_ids))):
            cancelled = event.status == EventStatus.CANCELLED
            status = "CANCELLED" if cancelled else (
                "TENTATIVE" if event.id in tentative else "CONFIRMED")
            summary = f"Abgesagt: {event.title}" if cancelled else event.title
            rows.append({"uid": event.ical_uid, "summary": summary,
                         "status": status, "start": event.starts_at, "end": event.ends_at})
        return sorted(rows, key=lambda row: row["uid"])


def assert_readers_agree(data: bytes, want: list[dict]) -> None:
    for name, reader in READERS.items():
        got = sorted(reader(data), key=lambda row: row["uid"])
        assert got == want, name


def test_group_feed_reads_the_same_everywhere(app, client, club, make_event):
    slug, _owner = club
    year = utcnow().year + 1
    ids = [
        make_event(slug, "Winterabend", datetime(year, 1, 12, 19)),
        make_event(slug, "Sommerabend", datetime(year, 7, 7, 19)),
        make_event(slug, TRICKY, datetime(year, 3, 28, 19),
                  description="Ä" * 120 + " – lange Beschreibung; mit, Kommas\nund \\ Zeilen"),
        make_event(slug, "Meetup in New York", datetime(year, 5, 5, 18),
                  zone="America/New_York"),
        make_event(slug, "Abgesagt", datetime(year, 2, 2, 19),
                  status=EventStatus.CANCELLED, cancel_reason="Krankheit"),
    ]
    response = client.get(f"/groups/{slug}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("public")
    data = response.data
    assert_readers_agree(data, expected(app, ids))
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["method"]) == "PUBLISH" and "Treffpunkt" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]) == str(calendar["name"]) == "Unternehmerclub Münster"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in data and b"X-PUBLISHED-TTL:PT1H" in data
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Berlin", "America/New_York"}
    assert b"DTSTART;TZID=Europe/Berlin:" in data
    for event in calendar.walk("VEVENT"):
        for name in ("dtstamp", "created", "last-modified", "url", "categories", "organizer",
                     "sequence", "description"):
            assert name in event, name
        assert "mailto:" in str(event["organizer"])


def test_lines_fold_at_75_octets_without_splitting_characters(app, client, club, make_event):
    slug, _owner = club
    make_event(slug, "Grüße " * 30, datetime(utcnow().year + 1, 6, 1, 19),
              description="Übergrößenträger äöü " * 30)
    data = client.get(f"/groups/{slug}/calendar.ics").data
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # every physical line is whole UTF-8 on its own
    summary = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["summary"]
    assert str(summary) == "Grüße " * 30


def test_special_characters_survive_a_round_trip(app, client, club, make_event):
    slug, _owner = club
    make_event(slug, TRICKY, datetime(utcnow().year + 1, 6, 1, 19),
              description="a, b; c \\ d\ne")
    data = client.get(f"/groups/{slug}/calendar.ics").data
    for reader in (read_icalendar, read_vobject, read_icaljs):
        assert reader(data)[0]["summary"] == TRICKY
    event = vobject.readOne(data.decode()).vevent
    assert event.description.value.startswith("a, b; c \\ d\ne")


def test_edit_raises_sequence_keeps_uid_and_changes_etag(app, client, club, make_event):
    slug, owner_id = club
    event_id = make_event(slug, "Stammtisch", datetime(utcnow().year + 1, 6, 1, 19))
    url = f"/groups/{slug}/calendar.ics"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={
        "If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == etag and head.data == b""
    assert client.get(url).data == first.data  # same content, same bytes

    with app.app_context():
        event = db.session.get(Event, event_id)
        start = event.starts_at.astimezone(event.zone).replace(tzinfo=None)
        editing.update(event, {"title": "Stammtisch"}, editing.Schedule(
            start + timedelta(hours=1), start + timedelta(hours=4), "Europe/Berlin"))
        db.session.commit()
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    vevent = icalendar.Calendar.from_ical(second.data).walk("VEVENT")[0]
    with app.app_context():
        assert str(vevent["uid"]) == db.session.get(Event, event_id).ical_uid
    assert vevent["sequence"] == 1
    assert vevent.decoded("dtstart").astimezone(ZoneInfo("Europe/Berlin")).hour == 20

    with app.app_context():
        editing.cancel(db.session.get(Event, event_id), "Wirt krank")
        db.session.commit()
    third = client.get(url, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    vevent = icalendar.Calendar.from_ical(third.data).walk("VEVENT")[0]
    assert str(vevent["status"]) == "CANCELLED" and vevent["sequence"] == 2


def test_cancelled_events_stay_in_the_feed_for_30_days(app, client, club, make_event):
    slug, _owner = club
    past = (utcnow() - timedelta(days=31)).replace(tzinfo=None)
    make_event(slug, "Vor einem Monat abgesagt", past, status=EventStatus.CANCELLED)
    data = client.get(f"/groups/{slug}/calendar.ics").data
    assert b"Vor einem Monat abgesagt" in data and b"STATUS:CANCELLED" in data


def test_group_feed_shows_what_an_anonymous_visitor_may_see(app, client, club, make_group,
                                                          make_user, add_member, make_event):
    slug, owner_id = club
    make_event(slug, "Öffentlich", datetime(utcnow().year + 1, 6, 1, 19))
    make_event(slug, "Nur Mitglieder", datetime(utcnow().year + 1, 6, 2, 19),
              visibility="members")
    make_event(slug, "Entwurf", datetime(utcnow().year + 1, 6, 3, 19),
              status=EventStatus.DRAFT)
    private = make_group(owner_id, "Geheimer Kreis", visibility="private",
                         join_policy="invite")
    member_id, _ = make_user()
    add_member(slug, member_id)
    add_member(private, member_id)
    log_in(client, "mara@example.com")  # even a member gets only the anonymous view in a group feed
    data = client.get(f"/groups/{slug}/calendar.ics").data
    assert b"\xc3\x96ffentlich" in data
    assert b"Nur Mitglieder" not in data and b"Entwurf" not in data
    assert client.get(f"/groups/{private}/calendar.ics").status_code == 404
    assert client.get("/groups/no-such-club/calendar.ics").status_code == 404


def test_event_download(app, client, club, make_user, make_event):
    slug, _owner = club
    public = make_event(slug, "Vortrag", datetime(utcnow().year + 1, 6, 1, 19))
    secret = make_event(slug, "Vorstand", datetime(utcnow().year + 1, 6, 2, 19),
                       visibility="members")
    response = client.get(f"/events/{public}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="treffpunkt-{public}.ics"')
    assert_readers_agree(response.data, expected(app, [public]))
    assert client.get(f"/events/{secret}.ics").status_code == 404


def personal_url(client) -> str:
    submit(client, "/account/calendar/new", {}, page="/account/")
    html = client.get("/account/").get_data(as_text=True)
    import re

    return re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', html).group(1)


def test_personal_feed(app, client, club, make_user, add_member, make_event):
    slug, _owner = club
    me, _ = make_user()
    other, _ = make_user("other@example.com", name="Otto Anders")
    add_member(slug, me)
    going = make_event(slug, "Zugesagt", datetime(utcnow().year + 1, 6, 1, 19),
                      online_url="https://meet.example.org/geheim")
    waiting = make_event(slug, "Warteliste", datetime(utcnow().year + 1, 6, 2, 19),
                        visibility="members")
    others = make_event(slug, "Nur Otto", datetime(utcnow().year + 1, 6, 3, 19))
    with app.app_context():
        db.session.add_all([
            RSVP(event_id=going, user_id=me),
            RSVP(event_id=waiting, user_id=me, status=RSVPStatus.WAITLIST,
                 waitlisted_at=utcnow()),
            RSVP(event_id=others, user_id=other)])
        db.session.commit()
    log_in(client, "mara@example.com")
    url = personal_url(client)
    anonymous = app.test_client()  # calendar apps send no cookies
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert_readers_agree(response.data, expected(app, [going, waiting], tentative={waiting}))
    locations = {str(e["summary"]): str(e["location"]) for e in
                 icalendar.Calendar.from_ical(response.data).walk("VEVENT")}
    assert "https://meet.example.org/geheim" in locations["Zugesagt"]  # I am going
    assert b"Otto" not in response.data and b"other@example.com" not in response.data
    # The owner's language, whatever the calendar app asks for.
    english = anonymous.get(url, headers={"Accept-Language": "en"})
    assert english.data == response.data
    assert b"X-WR-CALNAME:Treffpunkt \xe2\x80\x93 meine Veranstaltungen" in response.data
    # Leaving the group removes its members-only events at once.
    with app.app_context():
        from meetup.models import Membership

        db.session.execute(db.delete(Membership).where(Membership.user_id == me))
        db.session.commit()
    data = anonymous.get(url).data
    assert b"Warteliste" not in data and b"Zugesagt" in data  # public event, still going
    # A new address makes the old one gone, so calendar apps stop asking.
    new_url = personal_url(client)
    assert anonymous.get(url).status_code == 410
    assert anonymous.get(new_url).status_code == 200
    submit(client, "/account/calendar/revoke", {}, page="/account/")
    assert anonymous.get(new_url).status_code == 410
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_personal_feed_with_all_group_events(app, client, club, make_user, add_member, make_event):
    slug, _owner = club
    me, _ = make_user()
    add_member(slug, me)
    make_event(slug, "Mitgliederabend", datetime(utcnow().year + 1, 6, 2, 19),
              visibility="members")
    log_in(client, "mara@example.com")
    url = personal_url(client)
    assert b"Mitgliederabend" not in app.test_client().get(url).data
    submit(client, "/account/calendar/options", {"all_groups": "y"}, page="/account/")
    assert b"Mitgliederabend" in app.test_client().get(url).data


def test_the_personal_token_is_stored_hashed(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    url = personal_url(client)
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    with app.app_context():
        stored = db.session.scalar(select(User.calendar_token_hash))
        assert stored and token not in stored


def test_invitations_for_mail(app, club, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Einladung", datetime(utcnow().year + 1, 6, 1, 19))
    with app.app_context():
        event = db.session.get(Event, event_id)
        entry = ical.Entry(event, "https://treffpunkt.example/events/1")
        attendee = ical.Attendee("Mara Beispiel", "mara@example.com")
        request = ical.build([entry], name="x", description="x", organizer_email="n@x.de",
                             method="REQUEST", attendee=attendee)
        cancel = ical.build([entry], name="x", description="x", organizer_email="n@x.de",
                            method="CANCEL", attendee=attendee)
    parsed = icalendar.Calendar.from_ical(request)
    assert str(parsed["method"]) == "REQUEST"
    assert "mailto:mara@example.com" in str(parsed.walk("VEVENT")[0]["attendee"])
    assert str(icalendar.Calendar.from_ical(cancel).walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert read_vobject(cancel)[0]["status"] == "CANCELLED"


def test_group_feed_query_count_does_not_grow(app, client, club, count_queries):
    slug, _owner = club
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))

    def fill(count, offset):
        base = utcnow() + timedelta(days=1)
        with app.app_context():
            db.session.add_all([Event(
                group_id=group_id, title=f"E{offset + n}", timezone="Europe/Berlin",
                starts_at=base + timedelta(hours=offset + n),
                ends_at=base + timedelta(hours=offset + n + 2)) for n in range(count)])
            db.session.commit()

    fill(10, 0)
    with count_queries() as few:
        assert client.get(f"/groups/{slug}/calendar.ics").status_code == 200
    fill(990, 10)
    with count_queries() as many:
        response = client.get(f"/groups/{slug}/calendar.ics")
    assert response.data.count(b"BEGIN:VEVENT") == 1000
    assert len(many) == len(few)


def test_demo_feeds_pass_every_reader(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        groups = db.session.scalars(select(Group).where(Group.visibility == "public")).all()
        slugs = [g.slug for g in groups]
    for slug in slugs:
        data = client.get(f"/groups/{slug}/calendar.ics").data
        counts = {name: len(reader(data)) for name, reader in READERS.items()}
        assert len(set(counts.values())) == 1 and counts["vobject"] > 0, counts
        readings = [sorted(reader(data), key=lambda row: row["uid"]) for reader in
                    READERS.values()]
        assert readings[0] == readings[1] == readings[2]


def test_a_banned_member_no_longer_sees_the_clubs_events_in_the_feed(app, client, club,
                                                                       make_user, add_member,
                                                                       make_event):
    from tests.test_rsvp import ban

    slug, owner_id = club
    me, _ = make_user()
    add_member(slug, me)
    make_event(slug, "Nur für Mitglieder", datetime(utcnow().year + 1, 6, 2, 19),
              visibility="members")
    log_in(client, "mara@example.com")
    submit(client, "/account/calendar/options", {"all_groups": "y"}, page="/account/")
    url = personal_url(client)
    assert "Nur für Mitglieder" in client.get(url).get_data(as_text=True)
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    ban(app, organiser, slug, me)
    assert "Nur für Mitglieder" not in client.get(url).get_data(as_text=True)
