"""Kept attendee blocks: rendered once per viewer, version, language and page, and
never shown to anyone they were not made for — an outsider, a blocked person,
another language — also when they are kept in Redis for several processes."""

import pytest
from sqlalchemy import event, select

from meetup.events import rsvp
from meetup.extensions import db
from meetup.models import Event, RSVPStatus, User
from meetup.people.blocks import block_key
from tests.helpers import disposing, log_in, make_app, submit
from tests.test_event_page_scale import names

ROSTER_STATEMENT = "ORDER BY rsvp.waitlisted_at"


@pytest.fixture
def world(app, club, make_user, add_member, make_event):
    """Ada goes to a club evening; Mia and Ben are members, Otto is not."""
    slug, _owner = club
    ids = {"event": make_event(slug)}
    for key, email, name in (("ada", "ada@example.com", "Ada Lovelace"),
                             ("mia", "mia@example.com", "Mia Muster"),
                             ("ben", "ben@example.com", "Ben Berg"),
                             ("otto", "otto@example.com", "Otto Außen")):
        ids[key], _ = make_user(email, name=name)
        if key != "otto":
            add_member(slug, ids[key])
    with app.app_context():
        rsvp.organiser_set(db.session.get(Event, ids["event"]),
                           db.session.get(User, ids["ada"]), RSVPStatus.GOING)
        db.session.commit()
    return ids


def signed_in(app, email: str):
    client = app.test_client()
    log_in(client, email)
    return client


def pages(client, event_id: int) -> tuple[str, str]:
    page = f"/events/{event_id}"
    first, attendees = client.get(page), client.get(f"{page}/attendees")
    return first.get_data(as_text=True), attendees


def test_an_outsider_never_sees_a_block_kept_for_a_member(app, world):
    mia = signed_in(app, "mia@example.com")
    html, attendees = pages(mia, world["event"])
    assert names(html) == ["Ada Lovelace"] and attendees.status_code == 200
    otto = signed_in(app, "otto@example.com")
    html, attendees = pages(otto, world["event"])
    assert "Ada Lovelace" not in html and 'id="attendees-heading"' not in html
    assert attendees.status_code == 404
    html, attendees = pages(app.test_client(), world["event"])  # anonymous
    assert "Ada Lovelace" not in html and attendees.status_code == 404


def test_a_blocked_person_never_sees_a_block_kept_for_someone_else(app, world):
    ada = signed_in(app, "ada@example.com")
    submit(ada, f"/contacts/block/{world['ben']}", {}, page="/contacts/blocked")
    mia, ben = signed_in(app, "mia@example.com"), signed_in(app, "ben@example.com")
    for _round in range(2):  # made, then kept
        assert names(pages(mia, world["event"])[0]) == ["Ada Lovelace"]
        html, attendees = pages(ben, world["event"])
        assert "Ada Lovelace" not in html
        assert "Ada Lovelace" not in attendees.get_data(as_text=True)
        assert "+ 1 weitere Person dabei, nicht aufgeführt" in html


def test_each_language_and_page_has_its_own_block(app, world, count_queries):
    mia = signed_in(app, "mia@example.com")
    page = f"/events/{world['event']}"
    assert "Wer kommt" in mia.get(page).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(User).filter_by(email="mia@example.com")).locale = "en"
        db.session.commit()
    with count_queries() as statements:
        html = mia.get(page).get_data(as_text=True)
    assert "Who is coming" in html and "Wer kommt" not in html
    assert sum(ROSTER_STATEMENT in s for s in statements) == 0  # the roster is the same
    with app.test_request_context(f"{page}?sort=company"), app.app_context():
        event, viewer = db.session.get(Event, world["event"]), db.session.get(User, world["mia"])
        keys = {block_key(name, event, viewer, "v", number, 24)
                for name in ("events/_preview.html", "events/_attendee_page.html")
                for number in (1, 2)}
        assert len(keys) == 4
        assert block_key("events/_preview.html", event, viewer, "w", 1, 24) not in keys


def test_blocks_kept_in_redis_serve_every_process(world, database_uri, smtp, redis_url):
    """A second process finds the block the first one made (no roster read, no
    answers loaded), and still makes its own for someone else."""
    first, second = (make_app(database_uri, smtp[0].port, REDIS_URL=redis_url)
                     for _ in range(2))
    page = f"/events/{world['event']}"
    made = signed_in(first, "mia@example.com").get(page).get_data(as_text=True)
    mia, otto = signed_in(second, "mia@example.com"), signed_in(second, "otto@example.com")
    statements = []
    with second.app_context():
        listen = (db.engine, "before_cursor_execute",
                  lambda *args: statements.append(args[2]))
    event.listen(*listen)
    try:
        html = mia.get(page).get_data(as_text=True)
    finally:
        event.remove(*listen)
    assert names(html) == names(made) == ["Ada Lovelace"]
    assert not any(ROSTER_STATEMENT in s or "FROM rsvp JOIN user" in s for s in statements)
    assert "Ada Lovelace" not in otto.get(page).get_data(as_text=True)
    for process in (first, second):
        with disposing(process):
            pass
