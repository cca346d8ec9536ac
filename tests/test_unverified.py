"""An account whose address is not confirmed may look, but not RSVP, apply, join,
accept an invitation or tell anyone they met — until it confirms."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meetup.events.rsvp import State, options
from meetup.extensions import db
from meetup.groups import invitations
from meetup.models import (
    RSVP,
    Announcement,
    Application,
    ContactMessage,
    Event,
    Group,
    IntroductionRequest,
    MeetingMark,
    Membership,
    OutboxMessage,
    User,
    utcnow,
)
from meetup.policy import Viewer, may_take_part
from tests.contacts_world import post
from tests.helpers import log_in, submit
from tests.intro_world import build, client_for, set_user

NOTE = "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse"


def count(app, model, **where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def confirm(app, user_id):
    with app.app_context():
        db.session.get(User, user_id).email_verified_at = utcnow()
        db.session.commit()


def test_the_predicate(app, make_user):
    verified, _ = make_user("ja@example.com")
    unverified, _ = make_user("nein@example.com", verified=False)
    with app.app_context():
        assert may_take_part(db.session.get(User, verified))
        assert not may_take_part(db.session.get(User, unverified))
        assert not may_take_part(None)


def test_unverified_cannot_rsvp_until_confirmed(app, client, club, make_user, make_event):
    slug, _owner = club
    user_id, _ = make_user("neu@example.com", verified=False)
    event_id = make_event(slug)
    with app.app_context():
        event = db.session.get(Event, event_id)
        viewer = Viewer(user=db.session.get(User, user_id))
        allowed = options(event, viewer, None)
        assert allowed.state == State.UNVERIFIED and not allowed.may_join
        assert not allowed.may_decline
    log_in(client, "neu@example.com")
    page = f"/events/{event_id}"
    html = client.get(page).get_data(as_text=True)
    assert NOTE in html and 'action="/auth/resend"' in html and "Ich bin dabei" not in html
    response = submit(client, f"{page}/rsvp", {"answer": "yes"}, page=page)
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, RSVP) == 0
    confirm(app, user_id)
    submit(client, f"{page}/rsvp", {"answer": "yes"}, page=page)
    assert count(app, RSVP, status="going") == 1


def test_unverified_cannot_join_or_apply(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    open_club = make_group(owner_id, name="Offener Club")
    approval = make_group(owner_id, name="Club Mit Antrag", join_policy="approval")
    user_id, _ = make_user("neu@example.com", verified=False)
    log_in(client, "neu@example.com")
    html = client.get(f"/groups/{open_club}").get_data(as_text=True)
    assert NOTE in html and f'action="/groups/{open_club}/join"' not in html
    page = f"/groups/{open_club}"
    assert submit(client, f"{page}/join", {}, page=page).status_code == 403
    assert client.get(f"/groups/{approval}/apply").status_code == 403
    assert count(app, Membership, user_id=user_id) == 0
    assert count(app, Application) == 0
    confirm(app, user_id)
    submit(client, f"{page}/join", {}, page=page)
    assert count(app, Membership, user_id=user_id) == 1


def test_unverified_cannot_accept_an_invitation(app, client, club, make_user):
    slug, owner_id = club
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        token = invitations.create_link(group, db.session.get(User, owner_id), 7, None).token
        db.session.commit()
    user_id, _ = make_user("neu@example.com", verified=False)
    log_in(client, "neu@example.com")
    page = f"/invite/{token}"
    submit(client, page, {})
    assert NOTE in client.get(page).get_data(as_text=True)
    assert count(app, Membership, user_id=user_id) == 0
    confirm(app, user_id)
    submit(client, page, {})
    assert count(app, Membership, user_id=user_id) == 1


def test_unverified_cannot_tell_anyone_they_met(app, client, club, make_user, add_member,
                                                make_event):
    slug, _owner = club
    user_id, _ = make_user("neu@example.com", verified=False)
    other_id, _ = make_user("anna@example.com", name="Anna Andere")
    add_member(slug, user_id)
    add_member(slug, other_id)
    event_id = make_event(slug, days=-1)
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.ends_at < utcnow() < event.ends_at + timedelta(days=14)
        db.session.add_all([RSVP(event_id=event_id, user_id=user_id),
                            RSVP(event_id=event_id, user_id=other_id)])
        db.session.commit()
    log_in(client, "neu@example.com")
    page = f"/contacts/met/{event_id}"
    response = submit(client, page, {"people": str(other_id)}, page="/")
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, MeetingMark) == 0


def test_unverified_cannot_write_to_the_organisers(app, client, club, make_user, add_member):
    slug, _owner = club
    user_id, _ = make_user("neu@example.com", verified=False)
    add_member(slug, user_id)
    log_in(client, "neu@example.com")
    page = f"/groups/{slug}/contact"
    assert NOTE in client.get(page).get_data(as_text=True)
    response = submit(client, page, {"subject": "Frage", "text": "Hallo"})
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, ContactMessage) == 0 and count(app, OutboxMessage) == 0
    confirm(app, user_id)
    assert submit(client, page, {"subject": "Frage", "text": "Hallo"}).status_code == 302
    assert count(app, ContactMessage) == 1


def test_an_unverified_organiser_cannot_announce(app, client, club, make_user, add_member):
    slug, _owner = club
    user_id, _ = make_user("neu@example.com", verified=False)
    add_member(slug, user_id, role="organiser")
    log_in(client, "neu@example.com")
    page = f"/groups/{slug}/manage/announcements"
    data = {"audience": "members", "subject": "Neues", "text": "Hallo zusammen"}
    response = submit(client, page, data)
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, Announcement) == 0 and count(app, OutboxMessage) == 0


@pytest.fixture
def web(app, make_user, make_group, add_member, make_event):
    return build(app, make_user, make_group, add_member, make_event)


def _ask(anna, web):
    data = {"via": web["ids"]["ben"], "target": web["ids"]["tina"], "note": "Bitte",
            "q": "Steuerberatung"}
    return post(anna, "/contacts/introductions/ask", data, page="/contacts/introductions/")


def test_unverified_cannot_ask_for_an_introduction(app, web):
    set_user(app, web["ids"]["anna"], email_verified_at=None)
    response = _ask(client_for(app, "anna"), web)
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, IntroductionRequest) == 0 and count(app, OutboxMessage) == 0


@pytest.mark.parametrize("who, step", [("ben", "forward"), ("tina", "accept")])
def test_unverified_cannot_pass_on_or_accept_an_introduction(app, web, who, step):
    page = "/contacts/introductions/"
    assert _ask(client_for(app, "anna"), web).status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(IntroductionRequest.id))
    if step == "accept":
        assert post(client_for(app, "ben"), f"{page}{request_id}/forward",
                    page=page).status_code == 302
    mails = count(app, OutboxMessage)
    set_user(app, web["ids"][who], email_verified_at=None)
    response = post(client_for(app, who), f"{page}{request_id}/{step}", page=page)
    assert response.status_code == 403 and NOTE in response.get_data(as_text=True)
    assert count(app, OutboxMessage) == mails
    set_user(app, web["ids"][who], email_verified_at=utcnow())
    assert post(client_for(app, who), f"{page}{request_id}/{step}", page=page).status_code == 302
    assert count(app, OutboxMessage) == mails + 2
