"""Signed-in event pages kept whole per viewer (meetup/events/kept.py): answered
without the app while nothing they show has changed, and after every change
exactly what the app renders — checked against a second app on the same
database that keeps nothing."""

import functools
import gzip
import re
import time
from datetime import timedelta

import brotli
import pytest
from flask_login.utils import _create_identifier
from sqlalchemy import select

from meetup.events import rsvp
from meetup.events import services as event_services
from meetup.events.kept import identifier
from meetup.extensions import db
from meetup.models import (
    Ban,
    Block,
    Event,
    EventSeries,
    Group,
    Membership,
    Role,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.models.event import SeriesFrequency
from tests.helpers import csrf_token, disposing, log_in, make_app, statements_of

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


@pytest.fixture
def world(app, club, make_user, add_member, make_event):
    """Ada goes to a club evening; Mia is a member, Otto is not."""
    slug, owner = club
    ids = {"slug": slug, "owner": owner, "event": make_event(slug, "Sommerfest")}
    for key, email, name in (("ada", "ada@example.com", "Ada Lovelace"),
                             ("mia", "mia@example.com", "Mia Muster"),
                             ("otto", "otto@example.com", "Otto Außen")):
        ids[key], _ = make_user(email, name=name)
        if key != "otto":
            ids[f"{key}_membership"] = add_member(slug, ids[key])
    with app.app_context():
        rsvp.organiser_set(db.session.get(Event, ids["event"]),
                           db.session.get(User, ids["ada"]), RSVPStatus.GOING)
        db.session.commit()
    return ids


@pytest.fixture
def fresh(app):
    """The same app on the same database, keeping no page."""
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["MAIL_PORT"],
                     KEPT_PAGE_CACHE=0)
    yield other
    with disposing(other):
        pass


@pytest.fixture
def app_statements(app):
    """Statements the app runs on its own engine (the fingerprint is on another)."""
    with statements_of(app) as statements:
        yield statements


def signed_in(app, email: str):
    client = app.test_client()
    log_in(client, email)
    return client


def plain(html: str) -> str:
    return TOKEN.sub(r"\1…\2", html)


def fresh_render(fresh, client, path: str, **headers) -> str:
    """What the app renders for this session, when nothing is kept."""
    other = fresh.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    answer = other.get(path, headers=headers)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def kept_answer(client, path: str, statements: list, **headers):
    """The second answer for the same page, which must come without the app."""
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    statements.clear()
    second = client.get(path, headers=headers)
    assert second.status_code == 200 and statements == [], statements
    return second


def change(app, apply) -> None:
    with app.app_context():
        apply()
        db.session.commit()


def test_a_kept_page_is_answered_without_the_app_with_the_apps_headers(
        app, world, app_statements):
    mia = signed_in(app, "mia@example.com")
    path = f"/events/{world['event']}"
    made = mia.get(path)
    kept = kept_answer(mia, path, app_statements)
    assert plain(kept.get_data(as_text=True)) == plain(made.get_data(as_text=True))
    assert "Sommerfest" in kept.get_data(as_text=True)
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy",
                 "Permissions-Policy", "X-Content-Type-Options", "Vary", "Content-Type"):
        assert kept.headers[name] == made.headers[name], name
    assert kept.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in kept.headers["Vary"] and "Accept-Encoding" in kept.headers["Vary"]
    assert "Set-Cookie" not in kept.headers
    assert int(kept.headers["Content-Length"]) == len(kept.data)


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress),
                                              ("gzip", gzip.decompress)])
def test_a_kept_page_is_compressed_as_the_app_compresses(app, world, app_statements,
                                                         encoding, decode):
    mia = signed_in(app, "mia@example.com")
    path = f"/events/{world['event']}"
    identity = mia.get(path).get_data(as_text=True)
    for answer in (mia.get(path, headers={"Accept-Encoding": encoding}),
                   kept_answer(mia, path, app_statements, **{"Accept-Encoding": encoding})):
        assert answer.headers["Content-Encoding"] == encoding
        assert plain(decode(answer.data).decode()) == plain(identity)


def test_every_session_gets_its_own_working_csrf_token(app, world, app_statements):
    """The same person on a phone and a laptop: two sessions, one kept page, each
    with a token of its own session, which the RSVP form accepts."""
    phone, laptop = signed_in(app, "mia@example.com"), signed_in(app, "mia@example.com")
    path = f"/events/{world['event']}"
    phone_token = csrf_token(phone.get(path).get_data(as_text=True))
    app_statements.clear()
    laptop_page = laptop.get(path).get_data(as_text=True)
    assert app_statements == []  # the phone's page, kept
    laptop_token = csrf_token(laptop_page)
    assert laptop_token != phone_token
    refused = laptop.post(f"{path}/rsvp", data={"csrf_token": phone_token, "answer": "yes",
                                                "guests": "0"})
    assert refused.status_code == 400
    answered = laptop.post(f"{path}/rsvp", data={"csrf_token": laptop_token,
                                                 "answer": "yes", "guests": "0"})
    assert answered.status_code == 302
    assert "Schön, dass Sie dabei sind" in laptop.get(path).get_data(as_text=True)


def test_no_one_gets_a_page_kept_for_someone_else(app, world, fresh, app_statements):
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    kept_answer(mia, path, app_statements)
    for email in ("otto@example.com", "ada@example.com", "owner@example.com"):
        other = signed_in(app, email)
        html = other.get(path).get_data(as_text=True)
        assert plain(html) == plain(fresh_render(fresh, other, path)), email
        assert "Mia" not in re.search(r'<summary>.*?</summary>', html, re.S).group(0)
    anonymous = app.test_client().get(path).get_data(as_text=True)
    assert "Mia Muster" not in anonymous and "Ada Lovelace" not in anonymous
    forged = app.test_client()
    forged.set_cookie("session", mia.get_cookie("session").value[:-3] + "abc")
    html = forged.get(path).get_data(as_text=True)
    assert "Mia" not in html and "Ada Lovelace" not in html


def test_a_forged_host_gets_what_the_app_answers(app, world, fresh, app_statements):
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    kept_answer(mia, path, app_statements)
    app_statements.clear()
    forged = mia.get(path, headers={"Host": "evil.example"})
    assert app_statements != []  # not the page kept for the real host
    assert plain(forged.get_data(as_text=True)) == plain(
        fresh_render(fresh, mia, path, Host="evil.example"))
    assert "evil.example" not in forged.get_data(as_text=True)


def test_a_logged_out_session_is_never_answered_from_the_kept_page(app, world):
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    mia.get(path)
    copied = mia.get_cookie("session").value
    logout = mia.get("/").get_data(as_text=True)
    assert mia.post("/auth/logout", data={"csrf_token": csrf_token(logout)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    html = thief.get(path).get_data(as_text=True)
    assert "Mia" not in html and "Ada Lovelace" not in html and "Anmelden" in html


def test_a_message_to_show_comes_once_and_then_the_page_is_kept(app, world, app_statements):
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    kept_answer(mia, path, app_statements)
    token = csrf_token(mia.get(path).get_data(as_text=True))
    mia.post(f"{path}/rsvp", data={"csrf_token": token, "answer": "yes", "guests": "0"})
    said = "Schön, dass Sie dabei sind"
    assert said in mia.get(path).get_data(as_text=True)
    assert said not in mia.get(path).get_data(as_text=True)
    assert said not in kept_answer(mia, path, app_statements).get_data(as_text=True)


def _series(app, ids):
    group_id = db.session.scalar(select(Group.id).filter_by(slug=ids["slug"]))
    series = EventSeries(group_id=group_id, frequency=SeriesFrequency.WEEKLY)
    db.session.add(series)
    db.session.flush()
    event = db.session.get(Event, ids["event"])
    event.series_id = series.id
    db.session.add(Event(group_id=group_id, series_id=series.id, title=event.title,
                         starts_at=event.starts_at + timedelta(days=7),
                         ends_at=event.ends_at + timedelta(days=7), timezone=event.timezone))


def _block(app, ids):
    db.session.add(Block(blocker_id=ids["ada"], blocked_id=ids["mia"]))


def _ban(app, ids):
    db.session.delete(db.session.get(Membership, ids["mia_membership"]))
    group_id = db.session.scalar(select(Group.id).filter_by(slug=ids["slug"]))
    db.session.add(Ban(group_id=group_id, user_id=ids["mia"], banned_by_id=ids["owner"]))


def _answer(user_key):
    def apply(app, ids):
        rsvp.organiser_set(db.session.get(Event, ids["event"]),
                           db.session.get(User, ids[user_key]), RSVPStatus.GOING)
    return apply


CHANGES = {
    "the event's title": lambda app, ids: setattr(
        db.session.get(Event, ids["event"]), "title", "Herbstfest"),
    "the event's capacity": lambda app, ids: setattr(
        db.session.get(Event, ids["event"]), "capacity", 2),
    "the event is cancelled": lambda app, ids: event_services.cancel(
        db.session.get(Event, ids["event"]), "Der Saal ist abgebrannt."),
    "the club's name": lambda app, ids: setattr(db.session.scalar(
        select(Group).filter_by(slug=ids["slug"])), "name", "Wirtschaftsclub Münster"),
    "she becomes an organiser": lambda app, ids: setattr(
        db.session.get(Membership, ids["mia_membership"]), "role", Role.ORGANISER),
    "she is removed and banned": _ban,
    "her own answer": _answer("mia"),
    "another member's answer": _answer("owner"),
    "her language": lambda app, ids: setattr(db.session.get(User, ids["mia"]), "locale", "en"),
    "her time zone": lambda app, ids: setattr(
        db.session.get(User, ids["mia"]), "timezone", "America/New_York"),
    "her name": lambda app, ids: setattr(db.session.get(User, ids["mia"]), "name", "Mira Neu"),
    "her address unconfirmed": lambda app, ids: setattr(
        db.session.get(User, ids["mia"]), "email_verified_at", None),
    "an attendee blocks her": _block,
    "a second date in a series": _series,
}


@pytest.mark.parametrize("what", list(CHANGES))
@pytest.mark.parametrize("page", ["", "/attendees?sort=company"])
def test_after_every_change_the_page_is_what_the_app_renders(app, world, fresh,
                                                            app_statements, what, page):
    path = f"/events/{world['event']}{page}"
    mia = signed_in(app, "mia@example.com")
    before = kept_answer(mia, path, app_statements).get_data(as_text=True)
    change(app, lambda: CHANGES[what](app, world))
    after = mia.get(path)
    expected = fresh_render(fresh, mia, path) if after.status_code == 200 else None
    if expected is None:  # the change took the page away from her, in both
        other = fresh.test_client()
        other.set_cookie("session", mia.get_cookie("session").value)
        assert other.get(path).status_code == after.status_code
        return
    assert plain(after.get_data(as_text=True)) == plain(expected)
    if not page:  # the attendee page shows less (no series, no capacity)
        assert plain(expected) != plain(before), "the change shows on the page"
    assert plain(kept_answer(mia, path, app_statements).get_data(as_text=True)) == plain(
        expected)


def test_the_clock_alone_ends_a_kept_page(app, world, fresh, app_statements):
    """Registration closes in a moment: the kept page with "I am going" lasts
    until then, and the page after it says registration is closed."""
    path = f"/events/{world['event']}"
    closes = utcnow() + timedelta(seconds=2)
    change(app, lambda: setattr(db.session.get(Event, world["event"]), "rsvp_closes_at",
                                closes))
    mia = signed_in(app, "mia@example.com")
    open_page = kept_answer(mia, path, app_statements).get_data(as_text=True)
    assert ">Zusagen<" in open_page
    time.sleep(max((closes - utcnow()).total_seconds(), 0) + 0.2)
    closed = mia.get(path).get_data(as_text=True)
    assert ">Zusagen<" not in closed
    assert plain(closed) == plain(fresh_render(fresh, mia, path))


def test_each_language_of_the_browser_has_its_own_kept_page(app, world, app_statements):
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    english = kept_answer(mia, path, app_statements, **{"Accept-Language": "en"})
    german = kept_answer(mia, path, app_statements, **{"Accept-Language": "de-DE,de"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="de">' in german.get_data(as_text=True)


def test_a_session_from_another_browser_is_answered_by_the_app(app, world, fresh,
                                                              app_statements):
    """Flask-Login marks a session used from another browser as not fresh (a new
    cookie): that answer comes from the app; the session it sets is kept again."""
    path = f"/events/{world['event']}"
    mia = signed_in(app, "mia@example.com")
    kept_answer(mia, path, app_statements)
    app_statements.clear()
    moved = mia.get(path, headers={"User-Agent": "Another browser/1.0"})
    assert moved.status_code == 200 and app_statements != []
    assert "Set-Cookie" in moved.headers
    assert "Mia" in moved.get_data(as_text=True)
    kept_answer(mia, path, app_statements, **{"User-Agent": "Another browser/1.0"})


def test_the_page_of_an_evening_that_is_over_is_not_kept(app, world, make_event,
                                                        app_statements):
    """Check-ins after the evening change what its page says, without raising its
    attendee-list version: that page always comes from the app."""
    past = make_event(world["slug"], "Neujahrsempfang", days=-2)
    mia = signed_in(app, "mia@example.com")
    for _round in range(2):
        app_statements.clear()
        assert mia.get(f"/events/{past}").status_code == 200
        assert app_statements != []


@pytest.mark.parametrize("headers", [
    {}, {"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari"},
    {"User-Agent": "Firefox/133", "X-Forwarded-For": "203.0.113.9, 10.0.0.1"},
    {"User-Agent": "Zürich-Browser ü"}])
def test_the_session_identifier_is_flask_logins(app, headers):
    with app.test_request_context("/events/1", headers=headers,
                                  environ_base={"REMOTE_ADDR": "198.51.100.7"}) as context:
        assert identifier(context.request.environ) == _create_identifier()


def test_each_attendee_page_and_filter_is_kept_on_its_own(app, world, fresh, app_statements):
    path = f"/events/{world['event']}/attendees"
    mia = signed_in(app, "mia@example.com")
    for query in ("", "?page=1", "?sort=company", "?industry=it&sort=name", "?q=%5B" * 10):
        kept = kept_answer(mia, path + query, app_statements)
        assert plain(kept.get_data(as_text=True)) == plain(fresh_render(fresh, mia,
                                                                        path + query))
    app_statements.clear()
    long_query = "?industry=" + "x" * 400
    assert mia.get(path + long_query).status_code == 200
    mia.get(path + long_query)
    assert app_statements != []  # a long address is not kept: always the app


def test_the_event_list_for_visitors_is_kept_until_anything_is_written(
        app, world, fresh, app_statements, make_user):
    listing = kept_answer(app.test_client(), "/events/", app_statements)
    assert "Sommerfest" in listing.get_data(as_text=True)
    assert "Set-Cookie" not in listing.headers
    assert plain(listing.get_data(as_text=True)) == plain(
        fresh.test_client().get("/events/").get_data(as_text=True))
    for what in ("the event's title", "another member's answer", "the event is cancelled"):
        change(app, functools.partial(CHANGES[what], app, world))
        after = app.test_client().get("/events/").get_data(as_text=True)
        assert after == fresh.test_client().get("/events/").get_data(as_text=True), what
    english = kept_answer(app.test_client(), "/events/?q=fest", app_statements,
                          **{"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    app_statements.clear()
    signed = signed_in(app, "mia@example.com")
    assert "Mia" in signed.get("/events/").get_data(as_text=True)
    assert app_statements != []  # a session: always the app


def test_a_kept_event_list_lasts_at_most_its_seconds(app, world, app_statements):
    app.config["KEPT_LIST_SECONDS"] = 1
    visitor = app.test_client()
    kept_answer(visitor, "/events/", app_statements)
    time.sleep(1.2)
    app_statements.clear()
    assert visitor.get("/events/").status_code == 200
    assert app_statements != []


def test_a_members_event_list_is_kept_for_her_alone_until_anything_on_it_changes(
        app, world, fresh, app_statements, make_event, add_member):
    """The list of a signed-in member: her members-only evenings, her name in the
    header, her time zone; kept under her own rows and the generation counter."""
    make_event(world["slug"], "Kaminabend", visibility="members")
    mia, otto = signed_in(app, "mia@example.com"), signed_in(app, "otto@example.com")
    for client, shows in ((mia, True), (otto, False)):
        kept = kept_answer(client, "/events/", app_statements).get_data(as_text=True)
        assert plain(kept) == plain(fresh_render(fresh, client, "/events/"))
        assert ("Kaminabend" in kept) is shows and "Sommerfest" in kept
    assert "Otto" in otto.get("/events/").get_data(as_text=True)
    add_member(world["slug"], world["otto"])  # he joins: the members' evening is his too
    joined = otto.get("/events/").get_data(as_text=True)
    assert "Kaminabend" in joined and plain(joined) == plain(
        fresh_render(fresh, otto, "/events/"))
    for what in ("the event's title", "another member's answer", "her time zone",
                 "her name", "her address unconfirmed", "the event is cancelled"):
        change(app, functools.partial(CHANGES[what], app, world))
        after = mia.get("/events/?q=fest").get_data(as_text=True)
        assert plain(after) == plain(fresh_render(fresh, mia, "/events/?q=fest")), what
        assert plain(kept_answer(mia, "/events/?q=fest", app_statements).get_data(
            as_text=True)) == plain(after), what


def test_every_session_gets_its_own_token_on_a_kept_event_list(app, world, app_statements):
    phone, laptop = signed_in(app, "mia@example.com"), signed_in(app, "mia@example.com")
    phone_token = csrf_token(phone.get("/events/").get_data(as_text=True))
    app_statements.clear()
    laptop_token = csrf_token(laptop.get("/events/").get_data(as_text=True))
    assert app_statements == [] and laptop_token != phone_token  # the phone's list, kept
    assert laptop.post("/auth/logout", data={"csrf_token": phone_token}).status_code == 400
    assert laptop.post("/auth/logout", data={"csrf_token": laptop_token}).status_code == 302
    html = laptop.get("/events/").get_data(as_text=True)
    assert "Mia" not in html and "Anmelden" in html


@pytest.mark.parametrize("what", ["the event's title", "the event's capacity",
                                  "the event is cancelled", "the club's name",
                                  "another member's answer", "a second date in a series"])
def test_a_visitors_event_page_is_kept_until_anything_on_it_changes(app, world, fresh,
                                                                   app_statements, what):
    path = f"/events/{world['event']}"
    visitor = app.test_client()
    before = kept_answer(visitor, path, app_statements)
    assert "Set-Cookie" not in before.headers and "Sommerfest" in before.get_data(as_text=True)
    assert before.get_data() == fresh.test_client().get(path).get_data()
    change(app, lambda: CHANGES[what](app, world))
    after = visitor.get(path)
    assert after.get_data() == fresh.test_client().get(path).get_data(), what
    assert after.get_data() != before.get_data(), what
    assert kept_answer(visitor, path, app_statements).get_data() == after.get_data()
    english = kept_answer(app.test_client(), path, app_statements,
                          **{"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    for outsider in (f"/events/{world['event']}/attendees", "/events/999999"):
        assert visitor.get(outsider).status_code == 404  # and never kept
        app_statements.clear()
        assert visitor.get(outsider).status_code == 404 and app_statements != []


def test_a_members_only_page_is_never_kept_for_visitors(app, world, make_event,
                                                        app_statements):
    hidden = make_event(world["slug"], "Kaminabend", visibility="members")
    visitor = app.test_client()
    for _round in range(2):
        app_statements.clear()
        answer = visitor.get(f"/events/{hidden}")
        assert "Kaminabend" not in answer.get_data(as_text=True) and app_statements != []
