"""The event page and its attendee page at any number of attendees: a first page
on the event page, the rest page by page, people to meet worked out once per
attendee-list version, and a fixed number of statements for any size."""

import re

import pytest
from sqlalchemy import insert, select

from meetup.extensions import db
from meetup.models import RSVP, Group, Membership, RSVPStatus, User
from tests.helpers import (
    default_password_hash,
    disposing,
    log_in,
    make_app,
    redirects_to,
    statements_of,
    submit,
)

ROSTER_STATEMENT = "ORDER BY rsvp.waitlisted_at"  # the roster's one read of all answers


@pytest.fixture
def evening(app, club, make_user, add_member, make_event):
    """A club evening; Mia (a member, looking for capital) looks at it."""
    slug, owner_id = club
    viewer, _ = make_user("mia@example.com", name="Mia Muster")
    add_member(slug, viewer)
    outsider, _ = make_user("otto@example.com", name="Otto Außen")
    with app.app_context():
        user = db.session.get(User, viewer)
        user.needs, user.topics = ["Kapital"], ["Weinbau"]
        db.session.commit()
    return {"slug": slug, "event": make_event(slug), "viewer": viewer, "outsider": outsider}


def add_attendees(app, evening, count: int, start: int = 0, **profile) -> None:
    """``count`` members going, each with a full profile, written in bulk."""
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=evening["slug"]))
        users = [dict(email=f"a{n}@example.com", name=f"Attendee {n:03d}",
                      password_hash=default_password_hash(),
                      company=f"Firma {n}", industry="it", headline=f"Headline {n}",
                      position="CEO", topics=["Export", f"T{n}"], offers=["Beratung"],
                      needs=[], **profile) for n in range(start, start + count)]
        ids = db.session.scalars(insert(User).returning(User.id), users).all()
        db.session.execute(insert(Membership), [
            {"group_id": group_id, "user_id": user_id} for user_id in ids])
        db.session.execute(insert(RSVP), [
            {"event_id": evening["event"], "user_id": user_id, "status": RSVPStatus.GOING}
            for user_id in ids])
        db.session.commit()


def names(html: str) -> list[str]:
    return re.findall(r'class="person-name"[^>]*>([^<]+)<', html)


def meet(html: str) -> str:
    return html.split('id="meet-heading"')[1].split("</section>")[0] \
        if 'id="meet-heading"' in html else ""


def test_pages_cost_the_same_at_10_and_300_attendees(app, evening, count_queries):
    client = app.test_client()
    log_in(client, "mia@example.com")
    page = f"/events/{evening['event']}"
    counts = {}
    for size, start in ((10, 0), (290, 10)):
        add_attendees(app, evening, size, start)
        for url in (page, f"{page}/attendees", f"{page}/attendees?page=2"):
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.setdefault(url, []).append(len(statements))
    assert all(first == second for first, second in counts.values()), counts
    html = client.get(page).get_data(as_text=True)
    assert len(names(html)) == 24 and "Attendee 000" in html
    assert "Alle 300 genannten Teilnehmenden" in html
    seen = []
    for number in range(1, 8):  # 48 a page
        seen += names(client.get(f"{page}/attendees?page={number}").get_data(as_text=True))
    assert seen == [f"Attendee {n:03d}" for n in range(300)]  # everyone, once, by name


def test_people_to_meet_are_worked_out_once_per_version(app, evening):
    """Beneath the whole kept page (tests/test_kept_event_page.py), which answers a
    second request without the app: the app keeps the roster and its blocks, here
    seen in an app that keeps no whole page."""
    add_attendees(app, evening, 30)
    unkept = make_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["MAIL_PORT"],
                      KEPT_PAGE_CACHE=0)
    client = unkept.test_client()
    log_in(client, "mia@example.com")
    page = f"/events/{evening['event']}"
    with statements_of(unkept) as first:
        assert meet(client.get(page).get_data(as_text=True)) == ""  # nobody offers capital
    with statements_of(unkept) as second:
        client.get(page)
    with statements_of(unkept) as attendee_page:
        client.get(f"{page}/attendees")
    assert sum(ROSTER_STATEMENT in s for s in first) == 1
    assert sum(ROSTER_STATEMENT in s for s in second + attendee_page) == 0
    # Kept: the roster read, and the rendered block with its answers and titles.
    assert len(second) == len(first) - 3
    # A new answer is a new version: worked out again, and it shows.
    add_attendees(app, evening, 1, start=500)
    with app.app_context():
        investor = db.session.scalar(select(User).filter_by(email="a500@example.com"))
        investor.offers = ["Kapital"]
        db.session.commit()
    with statements_of(unkept) as after:
        html = client.get(page).get_data(as_text=True)
    assert sum(ROSTER_STATEMENT in s for s in after) == 1
    assert "Attendee 500" in meet(html) and "Bietet: Kapital" in meet(html)
    with disposing(unkept):
        pass


def test_a_changed_profile_changes_the_people_to_meet(app, evening):
    add_attendees(app, evening, 3)
    client = app.test_client()
    log_in(client, "mia@example.com")
    page = f"/events/{evening['event']}"
    assert "Attendee 001" not in meet(client.get(page).get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="a1@example.com"))
        user.offers = ["Kapital"]
        db.session.commit()
    assert "Attendee 001" in meet(client.get(page).get_data(as_text=True))


def test_attendee_page_follows_the_event_pages_rules(app, evening, make_event):
    add_attendees(app, evening, 3)
    page = f"/events/{evening['event']}/attendees"
    assert app.test_client().get(page).status_code == 404  # anonymous
    outsider = app.test_client()
    log_in(outsider, "otto@example.com")  # signed in, neither member nor going
    assert outsider.get(page).status_code == 404
    members_only = make_event(evening["slug"], title="Intern", visibility="members")
    assert outsider.get(f"/events/{members_only}").status_code == 404
    assert outsider.get(f"/events/{members_only}/attendees").status_code == 404
    assert app.test_client().get("/events/999999/attendees").status_code == 404
    member = app.test_client()
    log_in(member, "mia@example.com")
    assert member.get(page + "?page=abc").status_code == 200
    assert member.get(page + "?page=999").status_code == 200
    past = make_event(evening["slug"], title="Vorbei", days=-3)
    redirects_to(member.get(f"/events/{past}/attendees"), f"/events/{past}")


def test_hidden_answers_are_never_listed(app, evening):
    add_attendees(app, evening, 30)
    hider = app.test_client()
    log_in(hider, "a7@example.com")
    event_page = f"/events/{evening['event']}"
    submit(hider, f"{event_page}/listing", {"hidden": "y"}, page=event_page)
    member = app.test_client()
    log_in(member, "mia@example.com")
    pages = [member.get(event_page).get_data(as_text=True)] + [
        member.get(f"{event_page}/attendees?page={n}&sort={sort}").get_data(as_text=True)
        for n in (1, 2) for sort in ("name", "company")]
    assert not any("Attendee 007" in html for html in pages)
    assert "+ 1 weitere Person dabei, nicht aufgeführt" in pages[1]


def test_anonymous_event_page_sets_no_cookie(app, evening):
    add_attendees(app, evening, 3)
    client = app.test_client()
    response = client.get(f"/events/{evening['event']}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None



def test_language_switch_needs_a_token_only_when_signed_in(app, evening):
    visitor = app.test_client()
    assert 'name="csrf_token"' not in visitor.get("/").get_data(as_text=True)
    response = visitor.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 302 and "Set-Cookie" in response.headers  # chosen: kept
    member = app.test_client()
    log_in(member, "mia@example.com")
    assert member.post("/language", data={"language": "en"}).status_code == 400
    with app.app_context():
        assert db.session.get(User, evening["viewer"]).locale is None
