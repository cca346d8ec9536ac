"""Queueing mails in the caller's transaction: rendered once, never twice, gone on rollback."""

import threading
import time
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from meetup.database import retry_when_locked
from meetup.extensions import db
from meetup.models import OutboxMessage, OutboxState, User
from meetup.notify.outbox import Attachment, cancel, queue
from meetup.notify.sender import send_pending
from tests.outbox_helpers import Person, count, queue_many, rows

CALENDAR = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nPRODID:-//test//EN\r\n"
            b"BEGIN:VEVENT\r\nUID:event-42@localhost\r\nSUMMARY:Stammtisch M\xc3\xbcnster\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def html_template(app):
    """An HTML version beside a text mail, as a feature would add one."""
    app.jinja_env.loader = ChoiceLoader([DictLoader({
        "mail/rsvp_test.txt": "{{ _('Choose a new password') }}\n\n"
                              "Hallo {{ user.name }}, Sie sind dabei: {{ title }}.\n",
        "mail/rsvp_test.html": "<p>Hallo {{ user.name }}, Sie sind dabei: "
                               "<strong>{{ title }}</strong>.</p>",
    }), app.jinja_env.loader])


def test_a_queued_mail_arrives_once_with_its_headers(app, mailbox, html_template):
    with app.app_context():
        message = queue("Mara@Example.com", "rsvp_test", "en", kind="rsvp_confirmation",
                        key="event:42", user=Person(), title="Stammtisch <Münster>",
                        sender_name="Anna Schneider via Treffpunkt",
                        reply_to="anna.schneider@example.com",
                        attachment=Attachment(CALENDAR, "REQUEST"),
                        headers={"List-Unsubscribe": "<http://localhost/unsubscribe/x>"})
        db.session.commit()
        message_id, created = message.message_id, message.created_at
    assert message_id.startswith("<") and message_id.endswith("@localhost>")

    result = _send(app)
    assert (result.sent, result.deferred, result.failed) == (1, 0, 0)
    mail = mailbox.wait_for("mara@example.com")[0]
    assert mail["Message-ID"] == message_id
    assert mail["Subject"] == "Choose a new password"  # rendered in English
    assert parseaddr(mail["From"]) == ("Anna Schneider via Treffpunkt", "noreply@treffpunkt.local")
    assert mail["Reply-To"] == "anna.schneider@example.com"
    assert mail["List-Unsubscribe"] == "<http://localhost/unsubscribe/x>"
    assert abs((parsedate_to_datetime(mail["Date"]) - created).total_seconds()) < 1
    text = mail.get_body(("plain",)).get_content()
    assert "Hallo Jürgen Groß, Sie sind dabei: Stammtisch <Münster>." in text
    html = mail.get_body(("html",)).get_content()
    assert "<strong>Stammtisch &lt;Münster&gt;</strong>" in html  # escaped once
    [calendar] = [part for part in mail.iter_attachments()
                  if part.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "invite.ics"
    assert calendar.get_payload(decode=True) == CALENDAR
    assert mailbox.by_message_id() == {message_id: 1}

    [row] = rows(app)
    assert (row.state, row.attempts, row.recipient) == (OutboxState.SENT, 1, "mara@example.com")
    assert row.sent_at is not None and row.lease_until is None
    assert _send(app).handled == 0  # nothing goes out twice
    assert len(mailbox.messages) == 1


def test_the_mail_is_rendered_in_the_recipients_language_at_queue_time(app, make_user):
    user_id, email = make_user(locale="en")
    with app.app_context():
        user = db.session.get(User, user_id)
        german = queue(email, "reset_password", "de", kind="reset_password", key="a", user=user,
                       link="http://localhost/r")
        english = queue(email, "reset_password", "en", kind="reset_password", key="b",
                        user=user, link="http://localhost/r")
        db.session.commit()
        assert german.subject == "Neues Passwort wählen"
        assert english.subject == "Choose a new password"
        assert german.user_id == user_id and german.locale == "de"
        assert "http://localhost/r" in german.body_text
        # The HTML part says the same, in the same language, with the link a link.
        assert '<a href="http://localhost/r">' in german.body_html
        assert "Neues Passwort wählen" in german.body_html


def test_queueing_the_same_key_twice_is_a_no_op(app):
    with app.app_context():
        first = queue("mara@example.com", "reset_password", "de", kind="reset_password",
                      key="user:1", user=Person(), link="http://localhost/1")
        db.session.commit()
        first_id, message_id = first.id, first.message_id
    with app.app_context():
        again = queue("MARA@example.com ", "reset_password", "en", kind="reset_password",
                      key="user:1", user=Person(), link="http://localhost/2")
        db.session.commit()
        assert (again.id, again.message_id, again.locale) == (first_id, message_id, "de")
        newer = queue("mara@example.com", "reset_password", "de", kind="reset_password",
                      key="user:1", version=2, user=Person(), link="http://localhost/3")
        other_kind = queue("mara@example.com", "verify_email", "de", kind="verify_email",
                           key="user:1", user=Person(), link="http://localhost/4")
        db.session.commit()
        assert len({first_id, newer.id, other_kind.id}) == 3
    assert count(app) == 3


def test_a_duplicate_inside_a_larger_transaction_keeps_the_callers_work(app):
    queue_many(app, 1)
    with app.app_context():
        person = User(email="new@example.com", name="Neu", password_hash="x")
        db.session.add(person)
        db.session.flush()
        queue("person0@example.com", "reset_password", "de", kind="reset_password",
              key="user:0", user=Person(), link="http://localhost/again")
        db.session.commit()
        assert db.session.scalar(select(User).filter_by(email="new@example.com"))
    assert count(app) == 1


def test_the_callers_rollback_leaves_no_mail(app):
    with app.app_context():
        message = queue("mara@example.com", "reset_password", "de", kind="reset_password",
                        key="user:1", user=Person(), link="http://localhost/x")
        assert message.id is not None  # flushed, so the caller sees it in its transaction
        assert db.session.scalar(select(OutboxMessage).filter_by(id=message.id)) is message
        db.session.rollback()
    assert count(app) == 0
    assert _send(app).handled == 0


def test_two_transactions_racing_for_one_key_queue_it_once(app):
    """The second INSERT waits for the first transaction; when that commits it
    finds the row (PostgreSQL: unique violation in a SAVEPOINT; SQLite: the stale
    transaction is run again, as every view is)."""
    inserted, results = threading.Event(), {}

    def first():
        with app.app_context():
            message = queue("mara@example.com", "reset_password", "de", kind="k", key="x",
                            user=Person(), link="http://localhost/1")
            inserted.set()
            time.sleep(0.2)  # the other one is waiting for this row now
            db.session.commit()
            results["first"] = message.id

    @retry_when_locked
    def second():
        message = queue("mara@example.com", "reset_password", "de", kind="k", key="x",
                        user=Person(), link="http://localhost/2")
        db.session.commit()
        return message.id

    def run_second():
        inserted.wait(timeout=10)
        with app.app_context():
            results["second"] = second()

    threads = [threading.Thread(target=first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results["first"] == results["second"]
    assert count(app) == 1


def test_an_empty_address_queues_nothing(app):
    with app.app_context():
        assert queue("  ", "reset_password", "de", kind="k", key="x", user=Person(),
                     link="x") is None
    assert count(app) == 0


def test_a_line_break_in_a_header_is_refused(app):
    with app.app_context():
        with pytest.raises(ValueError, match="line break"):
            queue("mara@example.com", "reset_password", "de", kind="k", key="x", user=Person(),
                  link="x", headers={"X-Test": "a\r\nBcc: victim@example.com"})
        message = queue("mara@example.com", "reset_password", "de", kind="k", key="y",
                        user=Person(), link="x", sender_name="Anna\r\nBcc: x@example.com")
        assert message.sender_name == "Anna Bcc: x@example.com"


def test_cancel_withdraws_only_waiting_mails_of_that_key(app, mailbox):
    with app.app_context():
        for email in ("a@example.com", "b@example.com"):
            queue(email, "reset_password", "de", kind="event_reminder", key="event:1",
                  user=Person(), link="x")
        queue("c@example.com", "reset_password", "de", kind="event_reminder", key="event:2",
              user=Person(), link="x")
        db.session.commit()
    _send(app)  # all three sent
    with app.app_context():
        queue("d@example.com", "reset_password", "de", kind="event_reminder", key="event:1",
              user=Person(), link="x")
        queue("e@example.com", "reset_password", "de", kind="event_reminder", key="event:1",
              user=Person(), link="x")
        db.session.commit()
        assert cancel("event_reminder", "event:1", recipient="E@example.com") == 1
        assert cancel("event_reminder", "event:1") == 1  # d; the sent ones stay sent
        db.session.commit()
    assert _send(app).handled == 0
    states = {row.recipient: row.state for row in rows(app)}
    assert states == {"a@example.com": "sent", "b@example.com": "sent", "c@example.com": "sent",
                      "d@example.com": "cancelled", "e@example.com": "cancelled"}
    assert len(mailbox.messages) == 3


def _send(app, limit: int = 100):
    with app.app_context():
        return send_pending(limit)
