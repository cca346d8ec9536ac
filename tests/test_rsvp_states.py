"""The RSVP state machine: what a person can do with an event now (pure, no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from meetup.events.rsvp import State, options
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    EventVisibility,
    Group,
    JoinPolicy,
    Membership,
    Role,
    RSVPStatus,
    User,
    Visibility,
)
from meetup.policy import Viewer

NOW = datetime(2027, 3, 4, 12, tzinfo=UTC)


def event(**changes) -> Event:
    values = {"status": EventStatus.PUBLISHED, "visibility": EventVisibility.PUBLIC,
              "starts_at": NOW + timedelta(days=2), "ends_at": NOW + timedelta(days=2, hours=3),
              "rsvp_opens_at": None, "rsvp_closes_at": None, "guests_allowed": 0,
              "capacity": 10}
    group = Group(id=1, slug="club", name="Club", visibility=Visibility.PUBLIC,
                  join_policy=JoinPolicy.OPEN)
    return Event(id=1, group_id=1, group=group, **(values | changes))


def member(role=Role.MEMBER) -> Viewer:
    return Viewer(user=User(id=7, name="Anna", email_verified_at=NOW),
                  membership=Membership(id=3, role=role))


def outsider(banned=False) -> Viewer:
    return Viewer(user=User(id=8, name="Jens", email_verified_at=NOW), banned=banned)


def answer(status: RSVPStatus, guests: int = 0) -> RSVP:
    return RSVP(id=5, event_id=1, user_id=7, status=status, guests=guests)


@pytest.mark.parametrize(("changes", "viewer", "mine", "seats_left", "expected"), [
    ({}, member(), None, 5, State.OPEN),
    ({}, member(), None, 0, State.FULL),
    ({}, member(), None, None, State.OPEN),  # no limit
    ({}, member(), answer(RSVPStatus.GOING), 5, State.GOING),
    ({}, member(), answer(RSVPStatus.WAITLIST), 0, State.WAITLIST),
    ({}, member(), answer(RSVPStatus.NOT_GOING), 5, State.OPEN),
    ({"status": EventStatus.CANCELLED}, member(), answer(RSVPStatus.GOING), 5, State.CANCELLED),
    ({"status": EventStatus.DRAFT}, member(Role.OWNER), None, 5, State.DRAFT),
    ({"starts_at": NOW - timedelta(hours=4), "ends_at": NOW - timedelta(hours=1)},
     member(), answer(RSVPStatus.GOING), 5, State.PAST),
    ({"rsvp_closes_at": NOW - timedelta(minutes=1)}, member(), None, 5, State.CLOSED),
    ({"rsvp_closes_at": NOW - timedelta(minutes=1)}, member(), answer(RSVPStatus.GOING), 5,
     State.GOING),  # still going, but can no longer change it
    ({"rsvp_opens_at": NOW + timedelta(hours=1)}, member(), None, 5, State.NOT_OPEN),
    ({}, Viewer(user=None), None, 5, State.LOGIN),
    ({}, outsider(banned=True), None, 5, State.BANNED),
    ({"visibility": EventVisibility.MEMBERS}, outsider(), None, 5, State.MEMBERS_ONLY),
    ({}, outsider(), None, 5, State.OPEN),  # a public event of a public club
    # Signed in, the address not confirmed yet: a member too.
    ({}, Viewer(user=User(id=9, name="Neu"), membership=Membership(id=4, role=Role.MEMBER)),
     None, 5, State.UNVERIFIED),
])
def test_the_state_of_an_event_for_a_person(changes, viewer, mine, seats_left, expected):
    assert options(event(**changes), viewer, mine, seats_left, NOW).state == expected


def test_only_an_open_or_full_event_takes_a_yes():
    for state_changes in ({}, {"capacity": 0}):
        allowed = options(event(**state_changes), member(), None, 0, NOW)
        assert allowed.may_join and allowed.may_decline and not allowed.may_withdraw
    allowed = options(event(), member(), None, 0, NOW)
    assert allowed.joins_waitlist


def test_going_people_withdraw_and_change_guests_while_registration_is_open():
    going = answer(RSVPStatus.GOING, guests=1)
    allowed = options(event(guests_allowed=2), member(), going, 3, NOW)
    assert (allowed.may_withdraw, allowed.may_change_guests, allowed.may_join) == (
        True, True, False)
    assert allowed.answered
    no_guests = options(event(), member(), going, 3, NOW)
    assert not no_guests.may_change_guests
    closed = options(event(rsvp_closes_at=NOW - timedelta(minutes=1), guests_allowed=2),
                     member(), going, 3, NOW)
    assert (closed.may_withdraw, closed.may_change_guests) == (False, False)


@pytest.mark.parametrize(("changes", "viewer", "status", "message"), [
    ({"status": EventStatus.CANCELLED}, member(), 409, "cancelled"),
    ({"status": EventStatus.DRAFT}, member(), 409, "not published"),
    ({"rsvp_closes_at": NOW - timedelta(minutes=1)}, member(), 409, "closed"),
    ({"rsvp_opens_at": NOW + timedelta(days=1)}, member(), 409, "not opened yet"),
    ({}, outsider(banned=True), 403, "cannot register"),
    ({"visibility": EventVisibility.MEMBERS}, outsider(), 403, "members only"),
])
def test_every_refusal_says_why_with_its_status(app, changes, viewer, status, message):
    allowed = options(event(**changes), viewer, None, 5, NOW)
    assert not allowed.may_join
    refusal = allowed.refusal()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refusal.status == status
        assert message in str(refusal).lower()
