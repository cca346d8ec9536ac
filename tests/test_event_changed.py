"""A published event moved or relocated: everyone going or waiting gets an updated
invitation (METHOD:REQUEST, the feed's UID and new SEQUENCE) with the change spelled
out, in their language; a change of other details sends nothing."""

import re
from datetime import timedelta

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Event, OutboxMessage
from tests.notify_world import deliver, move, people_going, text_of
from tests.test_notifications import answer, calendar_of, icaljs, member

PEOPLE = [("anna@example.com", "Anna Schneider", None)]


def changed_mail(mailbox, to):
    [mail] = [m for m in mailbox.wait_for(to, count=2) if m["Subject"].startswith(
        ("Geändert", "Changed"))]
    return mail


def test_a_new_time_is_spelled_out_with_an_updated_invitation(app, club, make_user, add_member,
                                                              make_event, mailbox):
    event = make_event(club[0], capacity=1)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    answer(member(app, make_user, add_member, club[0], "jens@example.com", "Jens Weber",
                  locale="en"), event)  # full: waiting
    with app.app_context():
        before = db.session.get(Event, event)
        uid, sequence = before.ical_uid, before.sequence
    move(app, event, minutes=30)
    deliver(app)
    anna, jens = changed_mail(mailbox, "anna@example.com"), changed_mail(mailbox,
                                                                         "jens@example.com")
    assert anna["Subject"] == "Geändert: Stammtisch"
    assert "neu: 19:30 statt 19:00" in text_of(anna)
    assert "neu: 19:30 statt 19:00" in anna.get_body(("html",)).get_content()
    assert jens["Subject"] == "Changed: Stammtisch"
    assert re.search(r"new: 7:30\s?pm instead of 7:00\s?pm", text_of(jens))
    for mail, partstat in ((anna, "ACCEPTED"), (jens, "TENTATIVE")):
        part, calendar, reader = calendar_of(mail)
        [vevent] = calendar.walk("VEVENT")
        assert part.get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST" and reader.method.value == "REQUEST"
        assert str(vevent["UID"]) == uid == reader.vevent.uid.value
        assert int(vevent["SEQUENCE"]) == sequence + 1 == int(reader.vevent.sequence.value)
        assert vevent["ATTENDEE"].params["PARTSTAT"] == partstat
        assert vevent.decoded("DTSTART").strftime("%H:%M") == "19:30"
        thunderbird = icaljs(mail)
        [seen] = thunderbird["events"]
        assert thunderbird["method"] == "REQUEST" and seen["uid"] == uid
        assert seen["sequence"] == sequence + 1
        assert [a["partstat"] for a in seen["attendees"]] == [partstat]
        assert seen["localStart"].endswith("T19:30:00")


def test_a_new_place_is_spelled_out(app, club, make_user, add_member, make_event, mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    move(app, event, venue_name="Stadtweinhaus", venue_address="Prinzipalmarkt 8")
    deliver(app)
    text = text_of(changed_mail(mailbox, "anna@example.com"))
    assert ("neuer Ort: Stadtweinhaus, Prinzipalmarkt 8 statt Rathaus, "
            "Prinzipalmarkt 10, 48143 Münster") in text
    assert "statt 19:00" not in text  # the time stayed


def test_a_new_day_names_the_dates_and_other_edits_send_nothing(app, club, make_user,
                                                                add_member, make_event,
                                                                mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    move(app, event, description="Mit Grillbuffet.")  # neither time nor place
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "event_changed" not in kinds
    move(app, event, timedelta(days=1))
    deliver(app)
    text = text_of(changed_mail(mailbox, "anna@example.com"))
    # Both dates in full: "neu: Do., 10. Dezember 2026, 19:00–22:00 statt Mi., 9. …"
    day = r"\w+\., \d+\. \w+ \d{4}, 19:00"
    assert re.search(rf"neu: {day}\S+ Uhr statt {day}", text), text
