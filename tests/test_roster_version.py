"""Each event's attendee-list version moves with every change to what its list
shows, in the same transaction, and the page then shows the change: answers,
promotion, check-in, profiles, memberships, blocks, visibility, listing
consent and account deletion. Past events and unshown account columns keep it."""

import pytest

from meetup.events import door, rsvp
from meetup.extensions import db
from meetup.models import Event, Membership, ProfileVisibility, RSVPStatus, User
from meetup.privacy import services as privacy
from tests.helpers import log_in, submit
from tests.test_event_page_scale import names
from tests.test_privacy_deletion import delete


@pytest.fixture
def world(app, club, make_user, add_member, make_event):
    """Mia (a member) looks at an evening Ada (a member) goes to; Ada went to a past one."""
    slug, _owner = club
    ids = {"slug": slug, "event": make_event(slug), "past": make_event(slug, days=-3)}
    for key, email, name in (("mia", "mia@example.com", "Mia Muster"),
                             ("ada", "ada@example.com", "Ada Lovelace"),
                             ("bob", "bob@example.com", "Bob Bauer")):
        ids[key], _ = make_user(email, name=name)
        ids[f"{key}_membership"] = add_member(slug, ids[key])
    with app.app_context():
        ada = db.session.get(User, ids["ada"])
        for event_id in (ids["event"], ids["past"]):
            rsvp.organiser_set(db.session.get(Event, event_id), ada, RSVPStatus.GOING)
        db.session.commit()
    client = app.test_client()
    log_in(client, "mia@example.com")
    return {**ids, "client": client}


def versions(app, world) -> tuple[int, int]:
    with app.app_context():
        return tuple(db.session.get(Event, world[key]).roster_version
                     for key in ("event", "past"))


def page(world) -> str:
    return world["client"].get(f"/events/{world['event']}").get_data(as_text=True)


def change(app, world, apply) -> tuple[bool, bool]:
    """Apply a change in a transaction of its own; whether each version moved."""
    page(world)  # the list as it was is kept
    before = versions(app, world)
    with app.app_context():
        apply({key: db.session.get(User, world[key]) for key in ("mia", "ada", "bob")})
        db.session.commit()
    after = versions(app, world)
    return after[0] > before[0], after[1] > before[1]


def test_answers_promotion_and_check_in_raise_the_version(app, world):
    page(world)
    before = versions(app, world)[0]
    bob = app.test_client()
    log_in(bob, "bob@example.com")
    event_page = f"/events/{world['event']}"
    submit(bob, f"{event_page}/rsvp", {"answer": "yes", "guests": "0"}, page=event_page)
    assert versions(app, world)[0] > before and "Bob Bauer" in names(page(world))
    before = versions(app, world)[0]
    submit(bob, f"{event_page}/rsvp", {"answer": "no", "guests": "0"}, page=event_page)
    assert versions(app, world)[0] > before and "Bob Bauer" not in names(page(world))

    def waitlist_then_promote(people):
        event = db.session.get(Event, world["event"])
        event.capacity = 1
        rsvp.organiser_set(event, people["bob"], RSVPStatus.WAITLIST)
        rsvp.organiser_set(event, people["ada"], RSVPStatus.NOT_GOING)
        rsvp.promote(event)

    assert change(app, world, waitlist_then_promote) == (True, False)
    html = page(world)
    assert names(html) == ["Bob Bauer"] and "Auf der Warteliste</h3>" not in html
    assert change(app, world, lambda people: door.check_in(
        db.session.get(Event, world["event"]), people["bob"])) == (True, False)


def test_a_profile_change_raises_the_coming_events_only(app, world):
    def headline(people):
        people["ada"].headline = "Erfinderin der Programmierung"

    assert change(app, world, headline) == (True, False)
    assert "Erfinderin der Programmierung" in page(world)

    def unshown(people):  # nothing any attendee list shows
        people["ada"].timezone, people["ada"].phone = "Europe/London", "0251 123"

    assert change(app, world, unshown) == (False, False)


def test_memberships_raise_the_version(app, world):
    def title(people):
        db.session.get(Membership, world["ada_membership"]).title = "Kassiererin"

    assert change(app, world, title) == (True, False)
    assert "Kassiererin" in page(world)

    def leave(people):
        db.session.delete(db.session.get(Membership, world["ada_membership"]))

    assert change(app, world, leave) == (True, False)
    assert "Kassiererin" not in page(world)  # a title of the club, gone with the membership


def test_visibility_and_blocks_raise_the_version(app, world):
    def attendees_only(people):
        people["ada"].profile_visibility = ProfileVisibility.ATTENDEES

    assert change(app, world, attendees_only) == (True, False)
    assert "Ada Lovelace" not in names(page(world))  # Mia goes to nothing Ada goes to

    def everyone(people):
        people["ada"].profile_visibility = ProfileVisibility.SIGNED_IN

    assert change(app, world, everyone) == (True, False)
    assert "Ada Lovelace" in names(page(world))
    ada = app.test_client()
    log_in(ada, "ada@example.com")
    before = versions(app, world)
    submit(ada, f"/contacts/block/{world['mia']}", {}, page="/contacts/blocked")
    after = versions(app, world)
    assert after[0] > before[0] and after[1] == before[1]
    assert "Ada Lovelace" not in names(page(world))  # blocked: never seen again


def test_listing_consent_and_deletion_raise_the_version(app, world):
    assert change(app, world, lambda people: privacy.set_listing(
        people["ada"], False)) == (True, False)
    html = page(world)
    assert "Ada Lovelace" not in names(html) and "nicht aufgeführt" in html
    assert change(app, world, lambda people: privacy.set_listing(
        people["ada"], True)) == (True, False)
    ada = app.test_client()
    log_in(ada, "ada@example.com")
    before = versions(app, world)[0]
    assert delete(ada).status_code == 200
    assert versions(app, world)[0] > before
    html = page(world)
    assert "Ada Lovelace" not in html and "nicht aufgeführt" not in html
