"""Consent: being listed as an attendee, recorded with its date; who sees each
profile field; and only the cookies the privacy page names."""

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, ConsentRecord, ProfileVisibility, User
from tests.contacts_world import build_evening, client_for, post, text
from tests.helpers import log_in, submit
from tests.test_legal_pages import EN


@pytest.fixture
def evening(app, make_user, make_group, add_member, make_event):
    return build_evening(app, make_user, make_group, add_member, make_event)


def records(app, user_id: int) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(r.kind, r.granted) for r in db.session.scalars(
            select(ConsentRecord).filter_by(user_id=user_id).order_by(ConsentRecord.id))]


def hidden(app, user_id: int) -> list[bool]:
    with app.app_context():
        return [r.hidden for r in db.session.scalars(
            select(RSVP).filter_by(user_id=user_id).order_by(RSVP.id))]


def test_withdrawing_and_giving_consent_is_recorded_with_its_date(app, make_user, club,
                                                                  make_event):
    slug, _owner = club
    user_id, email = make_user("lea@example.com", name="Lea Liste")
    coming, later = make_event(slug, title="Vortrag"), make_event(slug, title="Workshop", days=9)
    client = app.test_client()
    log_in(client, email)
    post(client, f"/events/{coming}/rsvp", {"answer": "yes"}, page=f"/events/{coming}")
    assert hidden(app, user_id) == [False]
    assert "Bei den Veranstaltungen, für die Sie zusagen" in text(client, "/account/data/")

    post(client, "/account/data/listing", page="/account/data/")
    assert records(app, user_id) == [("attendee_list", False)]
    assert hidden(app, user_id) == [True]
    page = text(client, "/account/data/")
    assert "Sie haben am" in page and "Ihre Einwilligung widerrufen" in page
    # A later answer follows the choice.
    post(client, f"/events/{later}/rsvp", {"answer": "yes"}, page=f"/events/{later}")
    assert hidden(app, user_id) == [True, True]

    post(client, "/account/data/listing", page="/account/data/")
    assert records(app, user_id) == [("attendee_list", False), ("attendee_list", True)]
    assert "eingewilligt, in Teilnahmelisten genannt zu werden" in text(client,
                                                                          "/account/data/")
    english = client.get("/account/data/", headers=EN).get_data(as_text=True)
    assert "You agreed to be named in attendee lists on" in english


def test_each_events_choice_is_recorded_too(app, evening):
    anna = client_for(app, "anna")
    event = evening["quiet"]
    post(anna, f"/events/{event}/listing", {"hidden": "y"}, page=f"/events/{event}")
    post(anna, f"/events/{event}/listing", {}, page=f"/events/{event}")
    assert records(app, evening["ids"]["anna"]) == [
        (f"attendee_list:{event}", False), (f"attendee_list:{event}", True)]


@pytest.mark.parametrize(("visibility", "german", "english"), [
    ("members", "Sichtbar für Mitglieder Ihrer Clubs", "Visible to the members of your clubs"),
    ("attendees", "Sichtbar für alle, die zu denselben Veranstaltungen kommen wie Sie",
     "Visible to the people going to the same events as you"),
    ("signed_in", "Sichtbar für alle, die bei Treffpunkt angemeldet sind",
     "Visible to everyone signed in to Treffpunkt"),
])
def test_the_profile_form_says_who_sees_each_field(app, make_user, visibility, german,
                                                   english):
    user_id, email = make_user()
    with app.app_context():
        db.session.get(User, user_id).profile_visibility = ProfileVisibility(visibility)
        db.session.commit()
    client = app.test_client()
    log_in(client, email)
    page = text(client, "/people/me")
    # Photo, headline, position, company, industry, city, topics, offers, needs,
    # website, LinkedIn, XING and about me: thirteen fields, each with its audience.
    assert page.count(german) == 13
    assert client.get("/people/me", headers=EN).get_data(as_text=True).count(english) == 13
    account = text(client, "/account/")
    assert "Ihre Adresse sieht nur das Organisationsteam Ihrer Clubs." in account


def test_only_the_cookies_the_privacy_page_names(app, make_user, club, make_event):
    """Session (with the CSRF token and the language) and the optional remember-me
    cookie: nothing else, across a visitor's and a member's way through the app."""
    slug, _owner = club
    event = make_event(slug)
    _user_id, email = make_user()
    client = app.test_client()
    names = set()

    def seen(response):
        names.update(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))
        return response

    for path in ("/", "/events/", f"/events/{event}", f"/groups/{slug}", "/auth/signup",
                 "/datenschutz"):
        seen(client.get(path))
    seen(submit(client, "/language", {"language": "en"}, page="/auth/signup"))
    seen(log_in(client, email, remember="y"))
    seen(submit(client, f"/events/{event}/rsvp", {"answer": "yes"}, page=f"/events/{event}"))
    for path in ("/account/", "/account/data/", "/people/me", "/contacts/"):
        seen(client.get(path))
    seen(submit(client, "/account/data/export", {}, page="/account/data/"))
    assert names <= {"session", "remember_token"}
    assert "remember_token" in names and "session" in names
    privacy = text(app.test_client(), "/datenschutz")
    assert all(f"<strong>{name}</strong>" in privacy for name in names)
