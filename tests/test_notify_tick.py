"""``notifications tick``: reminders and "Still coming?" mails before each event,
sent once even when two ticks run at the same moment; a moved event's reminder
goes out for the new time, a cancelled event's not at all."""

from datetime import timedelta

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Group, OutboxMessage, OutboxState
from meetup.notify import schedule
from tests.helpers import log_in, redirects_to, submit
from tests.notify_world import (
    cancel,
    deliver,
    move,
    people_going,
    starts,
    subjects,
    text_of,
    tick,
)
from tests.outbox_helpers import in_threads, rows

PEOPLE = [("anna@example.com", "Anna Schneider", None), ("jens@example.com", "Jens Weber", "en")]


def reminders(app) -> list[OutboxMessage]:
    return rows(app, kind="reminder")


def test_two_ticks_at_once_send_each_reminder_once(app, club, make_user, add_member,
                                                   make_event, mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    start = starts(app, event)
    assert tick(app, start - timedelta(hours=25)).reminders == 0  # not yet
    results = in_threads(app, 2, lambda: schedule.tick(start - timedelta(hours=23)))
    assert sum(result.reminders for result in results) >= 2  # each tick may have seen them
    tick(app, start - timedelta(hours=22))  # and a later tick adds nothing
    assert len(reminders(app)) == 2
    deliver(app)
    mailbox.wait_for("jens@example.com", count=2)
    assert subjects(mailbox, "anna@example.com").count("Erinnerung: Stammtisch") == 1
    assert subjects(mailbox, "jens@example.com").count("Reminder: Stammtisch") == 1
    [mail] = [m for m in mailbox.messages if m["Subject"] == "Erinnerung: Stammtisch"]
    assert "Rathaus" in text_of(mail) and mail.get_body(("html",)) is not None


def test_a_club_sets_its_reminder_time_or_none(app, club, make_user, add_member, make_event,
                                               mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE[:1])
    start = starts(app, event)
    with app.app_context():
        group_id = db.session.get(schedule.Event, event).group_id
        schedule.set_hours(group_id, 2)
        db.session.commit()
    assert tick(app, start - timedelta(hours=23)).reminders == 0
    assert tick(app, start - timedelta(hours=1)).reminders == 1
    with app.app_context():
        schedule.set_hours(group_id, 0)
        db.session.commit()
    move(app, event, timedelta(days=1))
    assert tick(app, start + timedelta(hours=23)).reminders == 0


def test_a_moved_event_is_reminded_for_its_new_time(app, club, make_user, add_member,
                                                    make_event, mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    start = starts(app, event)
    tick(app, start - timedelta(hours=23))  # queued; the mail server has not had it yet
    move(app, event, timedelta(days=2))
    assert {row.state for row in reminders(app)} == {OutboxState.CANCELLED}
    assert tick(app, start - timedelta(hours=22)).reminders == 0  # the old time is gone
    assert tick(app, start + timedelta(days=2, hours=-23)).reminders == 2
    waiting = [row for row in reminders(app) if row.state == OutboxState.WAITING]
    assert len(waiting) == 2
    deliver(app)
    mail = [m for m in mailbox.wait_for("anna@example.com", count=3)
            if m["Subject"] == "Erinnerung: Stammtisch"]
    assert len(mail) == 1  # only the one for the new time went out
    with app.app_context():
        new_start = db.session.get(schedule.Event, event).starts_at
    assert new_start == start + timedelta(days=2)
    day = str(new_start.astimezone(schedule.Event.zone.fget(
        db_event(app, event))).day)
    assert f"{day}." in text_of(mail[0])


def db_event(app, event_id):
    with app.app_context():
        found = db.session.get(schedule.Event, event_id)
        db.session.expunge(found)
        return found


def test_a_cancelled_event_sends_no_reminder(app, club, make_user, add_member, make_event,
                                             mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE)
    start = starts(app, event)
    tick(app, start - timedelta(hours=47))  # "Still coming?" queued
    tick(app, start - timedelta(hours=23))  # reminders queued
    cancel(app, event)
    assert {row.state for row in reminders(app) + rows(app, kind="still_coming")} == {
        OutboxState.CANCELLED}
    assert tick(app, start - timedelta(hours=22)).reminders == 0
    deliver(app)
    mailbox.wait_for("anna@example.com", count=2)
    assert "Erinnerung: Stammtisch" not in subjects(mailbox, "anna@example.com")
    assert subjects(mailbox, "anna@example.com")[-1] == "Abgesagt: Stammtisch"


def test_the_command_line_tick(app, club, make_user, add_member, make_event, mailbox):
    event = make_event(club[0], capacity=10)
    people_going(app, make_user, add_member, club[0], event, PEOPLE[:1])
    result = app.test_cli_runner().invoke(args=["notifications", "tick"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Notifications: reminders 0, still coming 0,")
    with app.app_context():
        kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert "reminder" not in kinds


def test_the_clubs_settings_form_sets_the_reminder_time(app, club):
    slug, _owner = club
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    form = {"name": "Unternehmerclub Münster", "city": "Münster", "visibility": "public",
            "join_policy": "open", "timezone": "Europe/Berlin", "slug": slug}
    page = organiser.get(f"/groups/{slug}/edit").get_data(as_text=True)
    assert '<option selected value="24">' in page or '<option value="24" selected>' in page
    redirects_to(submit(organiser, f"/groups/{slug}/edit", {**form, "reminder_hours": "2"}),
                 f"/groups/{slug}")
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
        assert schedule.hours_for(group_id) == 2
    refused = submit(organiser, f"/groups/{slug}/edit", {**form, "reminder_hours": "5"})
    assert refused.status_code == 422
    off = submit(organiser, f"/groups/{slug}/edit", {**form, "reminder_hours": "0"})
    redirects_to(off, f"/groups/{slug}")
    with app.app_context():
        assert schedule.hours_for(group_id) == 0
