"""Conditional feed requests answered from memory while nothing a feed shows
changed (meetup/calendar/unchanged.py), and every change still seen at once."""

import pytest
from sqlalchemy import event, select, update

from meetup.calendar import feeds
from meetup.extensions import db
from meetup.models import RSVP, Event, FeedGeneration, Group, OutboxMessage, User, utcnow
from tests.helpers import make_app


@pytest.fixture
def club(app, make_user, make_group, add_member, make_event):
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner)
    me, _ = make_user()
    add_member(slug, me)
    events = [make_event(slug, f"Abend {n}", days=n + 1) for n in range(5)]
    with app.app_context():
        user = db.session.get(User, me)
        user.calendar_all_groups = True
        token = feeds.new_token(user)
        db.session.commit()
    return {"club": f"/groups/{slug}/calendar.ics", "personal": f"/calendar/{token}.ics",
            "events": events, "me": me, "slug": slug}


def generation(app) -> int:
    with app.app_context():
        return db.session.get(FeedGeneration, 1).value


def conditional(client, url: str, etag: str):
    return client.get(url, headers={"If-None-Match": etag})


@pytest.mark.parametrize("feed", ["club", "personal"])
def test_a_repeated_304_runs_no_statement_and_is_the_same(app, club, count_queries, feed):
    client = app.test_client()
    url = club[feed]
    etag = client.get(url).headers["ETag"]
    with count_queries() as first_statements:
        first = conditional(client, url, etag)
    with count_queries() as again_statements:
        again = conditional(client, url, etag)
        other_tag = conditional(client, url, '"something-else"')
    assert first.status_code == again.status_code == 304
    assert len(first_statements) >= 1  # the app answered the first one
    # The other ETag went to the app; the repeat did not.
    assert len([sql for sql in again_statements if sql != "BEGIN"]) == 1
    # The same answer; only the request id is each request's own.
    assert first.headers["X-Request-ID"] != again.headers["X-Request-ID"]
    assert sorted((k, v) for k, v in first.headers.items() if k != "X-Request-ID") == \
        sorted((k, v) for k, v in again.headers.items() if k != "X-Request-ID")
    assert again.data == b"" and other_tag.status_code == 200
    assert conditional(client, url, f"W/{etag}, \"x\"").status_code == 304


@pytest.mark.parametrize("change", ["title", "bulk", "rsvp", "group"])
def test_every_change_is_seen_at_once(app, club, change):
    client = app.test_client()
    tags = {feed: client.get(club[feed]).headers["ETag"] for feed in ("club", "personal")}
    for feed, etag in tags.items():
        assert conditional(client, club[feed], etag).status_code == 304
        assert conditional(client, club[feed], etag).status_code == 304  # from memory
    before = generation(app)
    with app.app_context():
        first = db.session.get(Event, club["events"][0])
        if change == "title":
            first.title = "Neuer Titel"
        elif change == "bulk":
            db.session.execute(update(Event).where(Event.id == first.id)
                               .values(sequence=Event.sequence + 1, updated_at=utcnow()))
        elif change == "rsvp":
            db.session.add(RSVP(event_id=first.id, user_id=club["me"]))
        else:
            db.session.scalar(select(Group)).name = "Anderer Club"
        db.session.commit()
    assert generation(app) > before
    feeds_changed = ("personal",) if change == "rsvp" else ("club", "personal")
    for feed in feeds_changed:
        response = conditional(client, club[feed], tags[feed])
        assert response.status_code == 200, (change, feed)
        assert response.headers["ETag"] != tags[feed]


def test_reading_and_unrelated_writes_keep_the_counter(app, club):
    client = app.test_client()
    client.get(club["club"])  # the feed's first ETag is written: the counter moves
    before = generation(app)
    client.get(club["club"])
    client.get("/events/")
    with app.app_context():
        db.session.add(OutboxMessage(**outbox_row(club["me"])))
        db.session.commit()
    assert generation(app) == before


def outbox_row(user_id: int) -> dict:
    return {"recipient": "mara@example.com", "user_id": user_id, "kind": "test",
            "subject_key": f"user:{user_id}", "locale": "de", "subject": "Hallo",
            "body_text": "Text", "message_id": "<test@example.com>"}


def test_kept_answers_expire(database_uri, smtp, club):
    app = make_app(database_uri, smtp[0].port, CALENDAR_304_SECONDS=0)
    try:
        client = app.test_client()
        etag = client.get(club["club"]).headers["ETag"]
        conditional(client, club["club"], etag)
        with app.app_context():
            engine = db.engine
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", record)
        assert conditional(client, club["club"], etag).status_code == 304
        event.remove(engine, "before_cursor_execute", record)
        assert statements  # answered by the app again
    finally:
        with app.app_context():
            db.engine.dispose()

