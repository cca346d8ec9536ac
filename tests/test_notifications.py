"""RSVP mails through the outbox: confirmations and promotions that land in a calendar
as accepted appointments, withdrawals and cancellations that take them out again."""

import json
import shutil
import subprocess

import icalendar
import pytest
import vobject
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event, OutboxMessage
from meetup.notify.sender import send_pending
from tests.helpers import log_in, redirects_to, submit
from tests.test_calendar import JS


def deliver(app) -> None:
    with app.app_context():
        send_pending()


def calendar_of(mail):
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    data = part.get_payload(decode=True)
    return part, icalendar.Calendar.from_ical(data), vobject.readOne(data.decode())


def icaljs(mail) -> dict:
    """The invitation as Thunderbird's reader (ical.js) understands it."""
    if not shutil.which("node") or not (JS / "node_modules" / "ical.js").exists():
        pytest.skip("Node.js or ical.js missing (make test installs ical.js)")
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    result = subprocess.run(["node", str(JS / "read_ics.mjs")],
                            input=part.get_payload(decode=True), capture_output=True,
                            check=True, timeout=60)
    return json.loads(result.stdout)


def member(app, make_user, add_member, slug, email, name, locale=None):
    user_id, _ = make_user(email, name=name, locale=locale)
    add_member(slug, user_id)
    client = app.test_client()
    log_in(client, email)
    return client


def answer(client, event_id, yes=True):
    page = f"/events/{event_id}"
    return submit(client, f"{page}/rsvp", {"answer": "yes" if yes else "no", "guests": "0"},
                  page=page)


def test_a_yes_brings_an_invitation_with_the_feeds_uid(app, club, make_user, add_member,
                                                      make_event, mailbox):
    event = make_event(club[0], capacity=10)
    anna = member(app, make_user, add_member, club[0], "anna@example.com", "Anna Schneider")
    redirects_to(answer(anna, event), f"/events/{event}")
    deliver(app)
    [mail] = mailbox.wait_for("anna@example.com")
    assert mail["Subject"] == "Sie sind dabei: Stammtisch"
    assert "Unternehmerclub Münster" in mail["From"]
    part, calendar, reader = calendar_of(mail)
    assert part.get_param("method") == "REQUEST"
    with app.app_context():
        uid = db.session.get(Event, event).ical_uid
    [vevent] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and str(vevent["UID"]) == uid
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:anna@example.com"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    # The independent reader agrees.
    assert reader.method.value == "REQUEST"
    assert reader.vevent.uid.value == uid
    assert reader.vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]
    assert int(reader.vevent.sequence.value) == int(vevent["SEQUENCE"])
    # And so does Thunderbird's.
    thunderbird = icaljs(mail)
    [seen] = thunderbird["events"]
    assert thunderbird["method"] == "REQUEST" and seen["uid"] == uid
    assert seen["sequence"] == int(vevent["SEQUENCE"])
    assert seen["attendees"] == [{"address": "mailto:anna@example.com", "partstat": "ACCEPTED"}]


def test_the_same_answer_twice_is_one_mail(app, club, make_user, add_member, make_event,
                                          mailbox):
    event = make_event(club[0], capacity=10)
    anna = member(app, make_user, add_member, club[0], "anna@example.com", "Anna Schneider")
    answer(anna, event)
    answer(anna, event)  # a double click: nothing changed, nothing to tell
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_freed_seat_promotes_and_mails_the_next_in_line(app, club, make_user, add_member,
                                                         make_event, mailbox):
    event = make_event(club[0], capacity=1)
    anna = member(app, make_user, add_member, club[0], "anna@example.com", "Anna Schneider")
    jens = member(app, make_user, add_member, club[0], "jens@example.com", "Jens Weber",
                  locale="en")
    answer(anna, event)
    answer(jens, event)  # full: the waitlist
    answer(anna, event, yes=False)
    deliver(app)
    anna_mails = mailbox.wait_for("anna@example.com", count=2)
    jens_mails = mailbox.wait_for("jens@example.com", count=2)
    assert [m["Subject"] for m in anna_mails] == [
        "Sie sind dabei: Stammtisch", "Anmeldung storniert: Stammtisch"]
    assert calendar_of(anna_mails[1])[1]["METHOD"] == "CANCEL"
    assert [m["Subject"] for m in jens_mails] == [
        "On the waitlist: Stammtisch", "A seat is free for you: Stammtisch"]
    assert "position 1" in jens_mails[0].get_body(("plain",)).get_content()
    _part, calendar, _reader = calendar_of(jens_mails[1])
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    promoted = icaljs(jens_mails[1])
    assert promoted["method"] == "REQUEST"
    assert promoted["events"][0]["uid"] == str(calendar.walk("VEVENT")[0]["UID"])
    assert promoted["events"][0]["attendees"] == [
        {"address": "mailto:jens@example.com", "partstat": "ACCEPTED"}]
    assert icaljs(anna_mails[1])["method"] == "CANCEL"


def test_every_rsvp_mail_is_text_and_html_with_the_invitation_beside_them(
        app, club, make_user, add_member, make_event, mailbox):
    """multipart/mixed around multipart/alternative (text, then HTML) and the invitation:
    the layout mail readers expect, so the calendar part is offered as an appointment and
    the HTML part as the readable body."""
    event = make_event(club[0], capacity=1)
    anna = member(app, make_user, add_member, club[0], "anna@example.com", "Anna Schneider")
    jens = member(app, make_user, add_member, club[0], "jens@example.com", "Jens Weber",
                  locale="en")
    answer(anna, event)
    answer(jens, event)  # waitlist
    answer(anna, event, yes=False)  # withdrawn; Jens promoted
    deliver(app)
    mails = mailbox.wait_for("anna@example.com", count=2) + mailbox.wait_for(
        "jens@example.com", count=2)
    for mail in mails:
        html = mail.get_body(("html",))
        assert html is not None, mail["Subject"]
        plain = mail.get_body(("plain",)).get_content()
        language = "en" if mail["To"].startswith("jens") else "de"
        assert f'<html lang="{language}">' in html.get_content()
        assert "Stammtisch" in html.get_content() and "Stammtisch" in plain
        calendars = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        if calendars:
            assert mail.get_content_type() == "multipart/mixed"
            [alternative] = [p for p in mail.iter_parts()
                             if p.get_content_type() == "multipart/alternative"]
            assert [p.get_content_type() for p in alternative.iter_parts()] == [
                "text/plain", "text/html"]
        else:  # the waitlist mail has no invitation
            assert mail.get_content_type() == "multipart/alternative"
    assert sum(1 for m in mails if any(
        p.get_content_type() == "text/calendar" for p in m.iter_attachments())) == 3


def test_a_cancelled_event_takes_itself_out_of_every_calendar(app, club, make_user, add_member,
                                                             make_event, mailbox):
    slug, owner_id = club
    event = make_event(slug, capacity=1)
    for email, name in (("anna@example.com", "Anna Schneider"), ("jens@example.com", "Jens")):
        answer(member(app, make_user, add_member, slug, email, name), event)
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    redirects_to(submit(organiser, f"/events/{event}/cancel", {"reason": "Der Wirt ist krank."},
                        page=f"/events/{event}"), f"/events/{event}")
    deliver(app)
    for email in ("anna@example.com", "jens@example.com"):  # going and waiting
        mail = mailbox.wait_for(email, count=2)[-1]
        assert mail["Subject"] == "Abgesagt: Stammtisch"
        assert "Der Wirt ist krank." in mail.get_body(("plain",)).get_content()
        _part, calendar, reader = calendar_of(mail)
        assert calendar["METHOD"] == "CANCEL" and reader.method.value == "CANCEL"
        assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
        thunderbird = icaljs(mail)
        assert thunderbird["method"] == "CANCEL"
        assert thunderbird["events"][0]["status"] == "CANCELLED"
        assert thunderbird["events"][0]["uid"] == str(calendar.walk("VEVENT")[0]["UID"])
        assert thunderbird["events"][0]["sequence"] == int(
            calendar.walk("VEVENT")[0]["SEQUENCE"])
    # Cancelling twice tells nobody twice.
    submit(organiser, f"/events/{event}/cancel", {"reason": "Nochmal"}, page=f"/events/{event}")
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("event_cancelled") == 2
