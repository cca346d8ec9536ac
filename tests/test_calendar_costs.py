"""What serving a feed costs: a fixed, small number of statements however many
events it holds, no write unless its ETag changed, no session, user or cookie;
VEVENTs shared through Redis by every process."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from meetup.calendar import feeds
from meetup.calendar.cache import LRU, REDIS_PREFIX, Caches, caches
from meetup.calendar.digest import row_digest
from meetup.extensions import db
from meetup.models import RSVP, Event, Group, User, utcnow
from tests.helpers import disposing, log_in, make_app
from tests.pg import free_port

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.I)
USER_LOADER = re.compile(r'WHERE "?user"?\.session_token')  # security.load_user


@pytest.fixture
def club(app, make_user, make_group, add_member):
    """A club, a member whose personal feed holds all its events, and the addresses."""
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner)
    me, _ = make_user()
    add_member(slug, me)
    with app.app_context():
        user = db.session.get(User, me)
        user.calendar_all_groups = True
        token = feeds.new_token(user)
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
        db.session.commit()
    return {"club": f"/groups/{slug}/calendar.ics", "personal": f"/calendar/{token}.ics",
            "group_id": group_id, "me": me}


def fill(app, club, count: int) -> None:
    """``count`` more events, the member going to every third."""
    base = utcnow() + timedelta(days=1)
    with app.app_context():
        offset = db.session.scalar(select(db.func.count(Event.id)))
        events = [Event(group_id=club["group_id"], title=f"E{offset + n}",
                        timezone="Europe/Berlin", starts_at=base + timedelta(hours=offset + n),
                        ends_at=base + timedelta(hours=offset + n + 2)) for n in range(count)]
        db.session.add_all(events)
        db.session.flush()
        db.session.add_all([RSVP(event_id=event.id, user_id=club["me"])
                            for event in events[::3]])
        db.session.commit()


def forget(app, feeds_only: bool) -> None:
    with app.app_context():
        store = caches()
        store.feeds = LRU(store.feeds.size)
        if not feeds_only:
            store.events = LRU(store.events.size)


def statements(recorded: list[str]) -> list[str]:
    """What the database was asked, without SQLite's BEGIN (PostgreSQL's is implicit)."""
    return [sql for sql in recorded if sql != "BEGIN"]


def costs(app, client, count_queries, url: str) -> dict[str, int]:
    client.get(url)  # a new ETag: its Last-Modified is written here
    etag = client.get(url).headers["ETag"]
    found = {}
    for case, headers, forgotten in [("cold", {}, "all"), ("feed kept", {}, None),
                                     ("304", {"If-None-Match": etag}, None),
                                     ("events kept", {}, "feeds")]:
        if forgotten:
            forget(app, feeds_only=forgotten == "feeds")
        with count_queries() as recorded:
            response = client.get(url, headers=headers)
        assert response.status_code == (304 if headers else 200)
        assert not [sql for sql in recorded if WRITES.match(sql)], case
        found[case] = len(statements(recorded))
    return found


@pytest.mark.parametrize("feed", ["club", "personal"])
def test_statements_do_not_grow_with_the_events(app, club, count_queries, feed):
    client = app.test_client()
    fill(app, club, 10)
    few = costs(app, client, count_queries, club[feed])
    fill(app, club, 590)  # more than are ever loaded by id
    many = costs(app, client, count_queries, club[feed])
    assert client.get(club[feed]).data.count(b"BEGIN:VEVENT") == 600
    assert many == few
    # One statement finds the club or person, the feed's state and the digest of its
    # rows; then the rows; then the events whose VEVENT is not kept.
    assert few == {"304": 1, "feed kept": 1, "events kept": 2, "cold": 3}


def test_last_modified_is_written_only_when_the_etag_changes(app, club, count_queries):
    fill(app, club, 3)
    client = app.test_client()
    for feed in ("club", "personal"):
        with count_queries() as first:
            client.get(club[feed])
        assert [sql for sql in first if WRITES.match(sql)], feed  # its first ETag
        for _ in range(3):
            with count_queries() as again:
                client.get(club[feed])
            assert not [sql for sql in again if WRITES.match(sql)], feed
    with app.app_context():
        db.session.scalar(select(Event)).title = "Neu"
        db.session.commit()
    for feed in ("club", "personal"):
        with count_queries() as changed:
            client.get(club[feed])
        assert len([sql for sql in changed if WRITES.match(sql)]) == 1, feed


def test_feeds_use_no_session_and_set_no_cookie(app, club, count_queries):
    fill(app, club, 3)
    browser = app.test_client()
    log_in(browser, "mara@example.com", remember="y")  # a session cookie and a remember-me cookie
    with app.app_context():
        event_id = db.session.scalar(select(RSVP.event_id).filter_by(user_id=club["me"]))
    urls = [club["club"], club["personal"], "/groups/no-such-club/calendar.ics",
            "/calendar/not-a-token.ics"]
    for url in urls:
        with count_queries() as recorded:
            first = browser.get(url)
            again = browser.get(url, headers={"If-None-Match": first.headers.get("ETag", "")})
        for response in (first, again):
            assert "Set-Cookie" not in response.headers, url
            assert "cookie" not in response.headers.get("Vary", "").lower(), url
        assert not [sql for sql in recorded if USER_LOADER.search(sql)], url  # no user
    download = browser.get(f"/events/{event_id}.ics")
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    assert "Cookie" in download.headers["Vary"]  # it does depend on who asks
    browser.delete_cookie("session")  # the remember-me cookie alone logs in again
    download = browser.get(f"/events/{event_id}.ics")
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    assert browser.get("/").headers.get("Set-Cookie")  # pages still keep the session


def test_vevents_are_shared_through_redis(app, club, database_uri, smtp, redis_server,
                                         redis_url):
    fill(app, club, 12)
    shared = make_app(database_uri, smtp[0].port, REDIS_URL=redis_url)
    with disposing(shared):
        try:
            data = shared.test_client().get(club["club"]).data
            kept = [key for key in redis_server.stored_keys()
                    if key.startswith(REDIS_PREFIX.encode())]
            assert len(kept) == 12
        finally:
            caches().shared.client.close()
    other = make_app(database_uri, smtp[0].port, REDIS_URL=redis_url)  # another process
    with disposing(other):
        try:
            recorded = []
            sa_event.listen(db.engine, "before_cursor_execute",
                            lambda *args: recorded.append(args[2]))
            assert other.test_client().get(club["club"]).data == data
            assert len(statements(recorded)) == 2  # stamp and rows: no event loaded
        finally:
            caches().shared.client.close()


def test_redis_out_of_reach_only_costs_speed(app, club, database_uri, smtp, caplog):
    fill(app, club, 2)
    data = app.test_client().get(club["club"]).data
    broken = make_app(database_uri, smtp[0].port,
                      REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with disposing(broken), caplog.at_level(logging.WARNING, "meetup.calendar.cache"):
        assert broken.test_client().get(club["club"]).data == data
        caches().shared.client.close()
    assert "not reachable" in caplog.text


def test_the_lru_keeps_the_most_recently_used():
    kept = LRU(2)
    for key in "abc":
        kept.put(key, key.encode())
        assert kept.get("a") == b"a"  # used again: stays
    assert kept.get("b") is None and kept.get("c") == b"c" and len(kept) == 2
    nothing = Caches({"CALENDAR_CACHE_EVENTS": 0, "CALENDAR_CACHE_FEEDS": 0,
                      "REDIS_URL": "redis://127.0.0.1:1/0"})
    nothing.keep_vevents({"x": b"y"})
    assert nothing.shared is None and nothing.vevents(["x"]) == {}


def test_the_row_digest_tells_rows_apart_and_ignores_their_order(app, club):
    fill(app, club, 2)
    with app.app_context():
        first, second = db.session.scalars(select(Event).order_by(Event.id)).all()

        def digest(descending=False):
            rows = select(Event.id, Event.title, Event.starts_at).order_by(
                Event.id.desc() if descending else Event.id).subquery()
            return db.session.scalar(select(row_digest(rows.c.id, rows.c.title,
                                                       rows.c.starts_at)))

        first.title, second.title = "a,b", "c"
        db.session.flush()
        before = digest()
        assert before and digest(descending=True) == before
        first.title, second.title = "a", "b,c"  # the same characters, in other rows
        db.session.flush()
        assert digest() != before
        first.title, second.title = "a,b", "c"
        db.session.flush()
        assert digest() == before
        first.starts_at += timedelta(microseconds=1)
        db.session.flush()
        assert digest() != before
        db.session.rollback()
