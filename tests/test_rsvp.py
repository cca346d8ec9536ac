"""RSVPs: capacity with guests, a fair waitlist, promotion, the window, bans."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events import rsvp, services
from meetup.extensions import db
from meetup.models import RSVP, Ban, Event, EventStatus, RSVPStatus, User, utcnow
from meetup.policy import viewer_for
from tests.helpers import csrf_token, log_in, redirects_to, submit


@pytest.fixture
def people(app, club, add_member):
    """Members a..f of the club, by letter."""
    slug, _owner = club
    ids = {}
    with app.app_context():
        for letter in "abcdef":
            user = User(email=f"{letter}@example.com", name=letter.upper(), password_hash="x",
                        email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            ids[letter] = user.id
        db.session.commit()
    for user_id in ids.values():
        add_member(slug, user_id)
    return ids


def respond(event_id, user_id, going=True, guests=0):
    """The service as a view calls it: on the locked event, in one transaction."""
    with transaction():
        event = rsvp.lock_event(event_id)
        viewer = viewer_for(db.session.get(User, user_id), event.group)
        result = rsvp.respond(event, viewer, going, guests)
        return result.status


def answer(app, event_id, user_id, going=True, guests=0):
    with app.app_context():
        return respond(event_id, user_id, going, guests)


def states(app, event_id, people):
    names = {user_id: letter for letter, user_id in people.items()}
    with app.app_context():
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event_id)).all()
        going = sorted(names[r.user_id] for r in rows if r.status == RSVPStatus.GOING)
        waiting = sorted((rsvp.waitlist_position(r), names[r.user_id])
                         for r in rows if r.status == RSVPStatus.WAITLIST)
        return "".join(going), "".join(letter for _pos, letter in waiting)


def test_waitlist_is_first_come_first_served(app, club, people, make_event):
    event = make_event(club[0], capacity=2)
    for letter in "abcde":
        answer(app, event, people[letter])
    assert states(app, event, people) == ("ab", "cde")
    answer(app, event, people["a"], going=False)
    assert states(app, event, people) == ("bc", "de")
    answer(app, event, people["b"], going=False)
    assert states(app, event, people) == ("cd", "e")


def test_a_party_of_three_waits_while_a_single_behind_it_fits(app, club, people, make_event):
    event = make_event(club[0], capacity=4, guests_allowed=2)
    answer(app, event, people["a"])
    answer(app, event, people["b"])
    answer(app, event, people["c"])  # 3 of 4 seats taken
    assert answer(app, event, people["d"], guests=2) == RSVPStatus.WAITLIST  # party of 3
    assert answer(app, event, people["e"]) == RSVPStatus.GOING  # the last seat
    assert answer(app, event, people["f"]) == RSVPStatus.WAITLIST
    assert states(app, event, people) == ("abce", "df")
    # One seat frees: the party of three still does not fit, the single behind it does.
    answer(app, event, people["a"], going=False)
    assert states(app, event, people) == ("bcef", "d")
    answer(app, event, people["b"], going=False)
    answer(app, event, people["c"], going=False)
    assert states(app, event, people) == ("ef", "d")
    # Three seats free: now the party goes.
    answer(app, event, people["e"], going=False)
    assert states(app, event, people) == ("df", "")


def test_fewer_guests_promote_from_the_waitlist(app, club, people, make_event):
    event = make_event(club[0], capacity=3, guests_allowed=2)
    answer(app, event, people["a"], guests=2)
    answer(app, event, people["b"])
    assert states(app, event, people) == ("a", "b")
    answer(app, event, people["a"], guests=1)
    assert states(app, event, people) == ("ab", "")


def test_higher_capacity_promotes_from_the_waitlist(app, club, people, make_event):
    event = make_event(club[0], capacity=1)
    for letter in "abc":
        answer(app, event, people[letter])
    with app.app_context():
        row = db.session.get(Event, event)
        local = row.starts_at.astimezone(row.zone).replace(tzinfo=None)
        services.update(row, {"capacity": 2}, services.Schedule(
            local, local + (row.ends_at - row.starts_at), row.timezone))
        db.session.commit()
    assert states(app, event, people) == ("ab", "c")


def test_more_guests_than_seats_is_refused_and_changes_nothing(app, club, people, make_event):
    event = make_event(club[0], capacity=3, guests_allowed=5)
    answer(app, event, people["a"])
    answer(app, event, people["b"])
    with pytest.raises(RuleError, match="Not enough seats"), app.app_context():
        respond(event, people["a"], True, guests=2)
    assert states(app, event, people) == ("ab", "")


@pytest.mark.parametrize("change", ["deadline", "cancelled", "draft", "not_open"])
def test_rsvp_is_refused_when_the_event_does_not_take_it(app, club, people, make_event,
                                                        change):
    event = make_event(club[0])
    with app.app_context():
        row = db.session.get(Event, event)
        now = utcnow()
        if change == "deadline":
            row.rsvp_closes_at = now - timedelta(minutes=1)
        elif change == "cancelled":
            row.status = EventStatus.CANCELLED
        elif change == "draft":
            row.status = EventStatus.DRAFT
        else:
            row.rsvp_opens_at = now + timedelta(days=1)
        db.session.commit()
    with pytest.raises(RuleError), app.app_context():
        respond(event, people["a"], True)
    assert states(app, event, people) == ("", "")


def test_banned_people_cannot_rsvp(app, club, people, make_event):
    event = make_event(club[0])
    with app.app_context():
        group_id = db.session.get(Event, event).group_id
        db.session.add(Ban(group_id=group_id, user_id=people["a"]))
        db.session.commit()
    with pytest.raises(RuleError), app.app_context():
        respond(event, people["a"], True)


def test_rsvp_over_http_with_clear_messages(app, client, club, people, make_user, add_member,
                                           make_event):
    slug, _owner = club
    user_id, _ = make_user()
    add_member(slug, user_id)
    event = make_event(slug, capacity=2, guests_allowed=2)
    answer(app, event, people["a"])
    log_in(client, "mara@example.com")
    page = f"/events/{event}"
    # Too many guests: message next to the field, 422, nothing stored.
    response = submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "3"}, page=page)
    assert response.status_code == 422
    assert "höchstens 2 Gäste" in response.get_data(as_text=True)
    # A party larger than the whole event can never get in: said at once.
    response = submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "2"}, page=page)
    assert response.status_code == 422
    assert "insgesamt nur 2 Plätze" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RSVP.status).filter_by(
            event_id=event, user_id=user_id)) is None
    response = submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "0"}, page=page,
                      follow_redirects=True)
    assert "Schön, dass Sie dabei sind!" in response.get_data(as_text=True)
    assert "Sie sind dabei" in response.get_data(as_text=True)
    # Adding a guest when no seat is left: refused next to the field.
    response = submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "1"}, page=page)
    assert response.status_code == 422
    assert "Nicht genug Plätze frei für 1 Gast." in response.get_data(as_text=True)
    # After the deadline: refused with a 409 and the reason.
    with app.app_context():
        db.session.get(Event, event).rsvp_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = submit(client, f"{page}/rsvp", {"answer": "no"}, page=page)
    assert response.status_code == 409
    assert "Die Anmeldung ist geschlossen." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RSVP.status).filter_by(
            event_id=event, user_id=user_id)) == RSVPStatus.GOING


def test_guests_beyond_the_events_limit_are_refused(app, client, club, make_user, add_member,
                                                   make_event):
    slug, _owner = club
    user_id, _ = make_user()
    add_member(slug, user_id)
    event = make_event(slug, guests_allowed=1)
    log_in(client, "mara@example.com")
    page = f"/events/{event}"
    response = submit(client, f"{page}/rsvp", {"answer": "yes", "guests": "2"}, page=page)
    assert response.status_code == 422
    assert "höchstens 1 Gast" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RSVP.id).filter_by(event_id=event)) is None


def test_waitlisted_person_sees_the_position(app, client, club, people, make_user, add_member,
                                            make_event):
    slug, _owner = club
    event = make_event(slug, capacity=1)
    answer(app, event, people["a"])
    answer(app, event, people["b"])
    user_id, _ = make_user()
    add_member(slug, user_id)
    log_in(client, "mara@example.com")
    response = submit(client, f"/events/{event}/rsvp", {"answer": "yes"},
                      page=f"/events/{event}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Platz 2 der Warteliste" in html and "Warteliste, Platz 2" in html


def test_the_waitlist_time_is_taken_after_the_event_is_locked(app, club, people, make_event):
    """Times read before the lock can be out of order with the lock (two
    requests, PostgreSQL): then two people are told the same position."""
    event = make_event(club[0], capacity=1)
    answer(app, event, people["a"])
    with app.app_context(), transaction():
        locked = rsvp.lock_event(event)
        locked_at = utcnow()
        waiting = rsvp.respond(locked, viewer_for(db.session.get(User, people["b"]),
                                                  locked.group), True)
        assert waiting.status == RSVPStatus.WAITLIST
        assert waiting.waitlisted_at >= locked_at
        locked_at = utcnow()
        moved = rsvp.organiser_set(locked, db.session.get(User, people["c"]),
                                   RSVPStatus.WAITLIST)
        assert moved.waitlisted_at >= locked_at


def ban(app, organiser, slug, member_id):
    from meetup.models import Group, Membership
    with app.app_context():
        membership = db.session.scalar(select(Membership.id).join(Group).where(
            Group.slug == slug, Membership.user_id == member_id))
    page = f"/groups/{slug}/manage/members"
    redirects_to(submit(organiser, f"{page}/{membership}/ban", {}, page=page), page)


def test_a_ban_frees_the_seats_at_coming_events(app, club, people, make_event):
    slug, _owner = club
    coming = make_event(slug, capacity=1)
    past = make_event(slug, title="Vorbei", capacity=1)
    with app.app_context():
        old = db.session.get(Event, past)
        old.starts_at, old.ends_at = utcnow() - timedelta(days=3), utcnow() - timedelta(days=3)
        db.session.add(RSVP(event_id=past, user_id=people["a"]))
        db.session.commit()
    answer(app, coming, people["a"])
    answer(app, coming, people["b"])  # waiting
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    ban(app, organiser, slug, people["a"])
    assert states(app, coming, people) == ("b", "")
    with app.app_context():  # what happened stays on record
        assert db.session.scalar(select(RSVP.status).filter_by(
            event_id=past, user_id=people["a"])) == RSVPStatus.GOING


def test_my_events_show_only_what_i_may_still_see(app, make_user, make_group, add_member,
                                                  make_event):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id, "Geheimer Kreis", visibility="private", join_policy="invite")
    member_id, _ = make_user("member@example.com")
    add_member(slug, member_id)
    coming = make_event(slug, title="Kaminabend", visibility="members")
    past = make_event(slug, title="Sommerabend", visibility="members")
    with app.app_context():
        old = db.session.get(Event, past)
        old.starts_at, old.ends_at = utcnow() - timedelta(days=3), utcnow() - timedelta(days=3)
        db.session.add(RSVP(event_id=past, user_id=member_id))
        db.session.commit()
    answer(app, coming, member_id)
    member = app.test_client()
    log_in(member, "member@example.com")
    html = member.get("/events/mine").get_data(as_text=True)
    assert "Kaminabend" in html and "Sommerabend" in html
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    ban(app, organiser, slug, member_id)
    html = member.get("/events/mine").get_data(as_text=True)
    for secret in ("Kaminabend", "Sommerabend", "Geheimer Kreis"):
        assert secret not in html


def test_one_rsvp_post_runs_a_fixed_small_number_of_statements(
        app, client, club, make_user, add_member, make_event, count_queries):
    """Load the visitor, lock the event with its club, the standing in the club,
    the answer so far, the seats taken, write the answer, raise the attendee-list
    version: nothing twice."""
    event = make_event(club[0], capacity=20)
    user_id, email = make_user("anna@example.com")
    add_member(club[0], user_id)
    log_in(client, email)
    page = f"/events/{event}"
    token = client.get(page).get_data(as_text=True)
    with count_queries() as statements:
        response = client.post(f"{page}/rsvp", data={"answer": "yes", "guests": "0",
                                                     "csrf_token": csrf_token(token)})
    redirects_to(response, page)
    work = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT",
                                                                        "RELEASE"))]
    # The confirmation mail is one row of the outbox (looked up first: never twice).
    mail = [s for s in work if "outbox_message" in s]
    assert len(mail) == 2, "\n".join(work)
    work = [s for s in work if s not in mail]
    # The event's attendee-list version is raised once, in the same transaction.
    version = [s for s in work if "roster_version=(event.roster_version" in s]
    assert len(version) == 1, "\n".join(work)
    work = [s for s in work if s not in version]
    assert len(work) <= 7, "\n".join(work)
    assert sum(1 for s in work if s.lstrip().upper().startswith("INSERT")) == 1
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in work)  # final state
