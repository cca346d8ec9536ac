"""Hostile text in every field people can write — club, event, profile, title,
application, contact note and tags, cancellation reason, announcement, message to
the organisers, introduction note — stays inert wherever it
is shown: HTML pages, the attendee and audit CSVs, iCalendar, vCard and mail."""

import csv
import io
import re
from pathlib import Path

import icalendar
import pytest
import vobject
from sqlalchemy import select

from meetup import audit
from meetup.audit import Act
from meetup.database import transaction
from meetup.events import services as event_services
from meetup.events.rsvp import lock_event
from meetup.extensions import db
from meetup.introductions import services as introductions
from meetup.models import (
    RSVP,
    Application,
    Contact,
    ContactCard,
    ContactTag,
    Event,
    Group,
    Membership,
    OutboxMessage,
    User,
)
from meetup.models.announcement import Audience
from meetup.models.user import ProfileVisibility
from meetup.notify import announcements
from meetup.notify.sender import send_pending
from tests.helpers import log_in
from tests.test_security_headers import inspect

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "javascript:alert(3)",
    "javascript://example.org/%0aalert(7)",
    "{{7*7}}",
    "<a href=\"javascript:alert(4)\">klick</a>",
    "<svg onload=alert(5)>",
    "' onmouseover='alert(6)",
    "=HYPERLINK(\"https://evil.example/\",\"x\")",
    "Zeile\r\nX-INJECTED: 1\r\nBcc: evil@example.com",
]
# Strings that only appear if a payload got through unescaped.
LIVE = ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:')


def fill(app, ids: dict, payload: str) -> None:
    """Every free-text field of the world, written as if through a form."""
    short = payload[:40]
    with app.app_context():
        group = db.session.get(Group, ids["group"])
        for name in ("name", "city", "short_description", "description"):
            setattr(group, name, payload)
        group.website = payload
        event = db.session.get(Event, ids["event"])
        for name in ("title", "description", "speaker", "speaker_bio", "venue_name",
                     "venue_address", "online_url"):
            setattr(event, name, payload)
        for user_id in (ids["anna"], ids["ben"]):
            person = db.session.get(User, user_id)
            for name in ("name", "company", "headline", "position", "city", "bio",
                         "website", "linkedin", "xing"):
                setattr(person, name, payload)
            person.topics = person.offers = person.needs = [short]
        db.session.get(Membership, ids["membership"]).title = payload[:80]
        db.session.get(Application, ids["application"]).message = payload
        card = db.session.get(ContactCard, ids["card"])
        card.note = payload
        db.session.execute(db.delete(ContactTag).where(ContactTag.card_id == card.id))
        db.session.add(ContactTag(card_id=card.id, name=short))
        db.session.commit()


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    olga, _ = make_user("olga@example.com", name="Olga Orga")
    anna, _ = make_user("anna@example.com", name="Anna")
    ben, _ = make_user("ben@example.com", name="Ben")
    slug = make_group(olga, "Club", join_policy="approval")
    membership = add_member(slug, anna)
    event = make_event(slug)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        application = Application(group_id=group.id, user_id=ben, message="Hallo")
        contact = Contact(first_id=olga, second_id=anna)
        db.session.add_all([application, contact, Contact(first_id=anna, second_id=ben),
                            RSVP(event_id=event, user_id=anna),
                            RSVP(event_id=event, user_id=olga)])
        db.session.flush()
        card = ContactCard(contact_id=contact.id, owner_id=olga, other_id=anna)
        db.session.add_all([card, ContactCard(contact_id=contact.id, owner_id=anna,
                                              other_id=olga)])
        db.session.commit()
        ids = {"group": group.id, "event": event, "olga": olga, "anna": anna, "ben": ben,
               "membership": membership, "application": application.id, "card": card.id}
    return slug, ids


def html_pages(slug, ids):
    event, anna = ids["event"], ids["anna"]
    return ["/", "/groups/", "/events/", f"/groups/{slug}", f"/groups/{slug}/members",
            f"/groups/{slug}/manage/members", f"/groups/{slug}/manage/applications",
            f"/groups/{slug}/manage/audit", f"/events/{event}", f"/events/{event}/check-in",
            f"/events/{event}/badges", f"/events/{event}/ticket", f"/people/{anna}",
            "/contacts/", f"/contacts/{anna}", "/events/mine", "/groups/mine"]


def assert_inert_html(html: str, where: str) -> None:
    # A value= of a form field is data the browser never runs (a city called "javascript:"),
    # and neither is the text of <meta name="description"> (the app writes no refresh).
    assert 'http-equiv="refresh"' not in html.lower(), where
    found = [item for item in inspect(html).found
             if "in value=" not in item and item != "javascript: URL in content= on <meta>"]
    assert not found, f"{where}: {found}"
    for marker in LIVE:
        assert marker not in html, f"{where}: {marker}"


ROOT = Path(__file__).resolve().parent.parent
# Mail programs ignore style sheets, so mail HTML carries its look in style=
# attributes: only those the app itself writes (its mail layouts and the text→HTML
# filter), never one that came with a person's text.
OWN_MAIL_STYLES = {
    value for source in [*(ROOT / "templates/mail").glob("*.html"),
                         ROOT / "meetup/notify/html.py"]
    for value in re.findall(r'style=\\?"([^"\\]*)', source.read_text())}


def assert_inert_mail_html(html: str, where: str) -> None:
    styles = re.findall(r'style="([^"]*)"', html)
    assert styles and set(styles) <= OWN_MAIL_STYLES, f"{where}: {set(styles) - OWN_MAIL_STYLES}"
    without_own = re.sub(r' style="[^"]*"', "", html)
    assert_inert_html(without_own, where)


def assert_csv_inert(text: str, where: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), f"{where}: {cell!r}"


def assert_no_injected_lines(text: str, where: str) -> None:
    assert not re.search(r"^(X-INJECTED|Bcc)", text, re.M | re.I), where


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_stay_inert_everywhere(app, client, world, payload):
    slug, ids = world
    fill(app, ids, payload)
    with app.app_context(), transaction():
        group = db.session.get(Group, ids["group"])
        audit.record(group, db.session.get(User, ids["olga"]), Act.TITLE,
                     db.session.get(Membership, ids["membership"]), {"title": payload},
                     {"title": payload})
    log_in(client, "olga@example.com")
    for url in html_pages(slug, ids):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert_html(response.get_data(as_text=True), url)
    if payload == "{{7*7}}":
        assert "{{7*7}}" in client.get(f"/events/{ids['event']}").get_data(as_text=True)
    for url in (f"/events/{ids['event']}/attendees.csv", f"/groups/{slug}/manage/audit.csv"):
        assert_csv_inert(client.get(url).get_data(as_text=True), url)
    for url in (f"/events/{ids['event']}.ics", f"/groups/{slug}/calendar.ics"):
        text = client.get(url).get_data(as_text=True)
        assert_no_injected_lines(text, url)
        for component in icalendar.Calendar.from_ical(text).walk("VEVENT"):
            assert "X-INJECTED" not in component and "BCC" not in component
    for url in (f"/contacts/{ids['anna']}.vcf", "/contacts/all.vcf"):
        text = client.get(url).get_data(as_text=True)
        assert_no_injected_lines(text, url)
        for card in vobject.readComponents(text):
            assert "x-injected" not in card.contents
    write_to_people(app, ids, payload)
    for url in (f"/events/{ids['event']}/manage/announce",
                f"/groups/{slug}/manage/announcements", "/contacts/introductions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert_html(response.get_data(as_text=True), url)
    anna = app.test_client()
    log_in(anna, "anna@example.com")
    assert_inert_html(text_of(anna, "/contacts/introductions/"), "introductions, middle")
    assert_mails_inert(app, ids)


def text_of(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def write_to_people(app, ids: dict, payload: str) -> None:
    """An announcement to the people going, a message to the organisers and a request
    for an introduction, each with the payload as its subject, text or note."""
    with app.test_request_context(), transaction():
        group, event = db.session.get(Group, ids["group"]), db.session.get(Event, ids["event"])
        olga, anna = db.session.get(User, ids["olga"]), db.session.get(User, ids["anna"])
        db.session.get(User, ids["ben"]).profile_visibility = ProfileVisibility.SIGNED_IN
        announcements.send(announcements.draft(olga, group, event, Audience.GOING,
                                               payload[:200], payload))
        announcements.contact_organisers(anna, group, payload[:200], payload)
        db.session.flush()
        introductions.ask(olga, ids["anna"], ids["ben"], None, payload)


def assert_mails_inert(app, ids) -> None:
    """The cancellation mail (event title, club name, reason), an RSVP mail, the
    announcement, the message to the organisers and the introduction request."""
    with app.test_request_context(), transaction():
        event = lock_event(ids["event"])
        event_services.cancel(event, event.title)
    with app.app_context():
        mails = list(db.session.scalars(select(OutboxMessage)))
        assert {"announcement", "contact_organisers", "introduction_asked",
                "event_cancelled"} <= {mail.kind for mail in mails}
        for mail in mails:
            assert "\n" not in mail.subject and "\r" not in mail.subject
            if mail.body_html:
                assert_inert_mail_html(mail.body_html, f"mail {mail.kind}")
        send_pending()
