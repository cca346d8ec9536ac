"""The mail server is down while fifty people say yes: every answer is saved and its
confirmation waits; when the server is back, two senders at once deliver each
confirmation exactly once (on SQLite and on PostgreSQL)."""

from collections import Counter

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import RSVP, OutboxMessage, OutboxState, RSVPStatus
from meetup.notify.sender import send_pending
from tests.outbox_helpers import in_threads, make_due
from tests.pg import free_port
from tests.test_notifications import answer, member

PEOPLE = 50


def test_fifty_answers_while_the_mail_server_is_down_arrive_once_each(
        app, club, make_user, add_member, make_event, mailbox, smtp):
    slug, _owner = club
    event = make_event(slug, capacity=PEOPLE)
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # fifty people, one test address
    for number in range(PEOPLE):
        client = member(app, make_user, add_member, slug, f"person{number}@example.com",
                        f"Person {number}")
        response = answer(client, event)
        assert response.status_code == 302, number  # the answer does not wait for mail
        with app.app_context():
            send_pending(1000)  # a sender beside the web server finds no mail server
    with app.app_context():
        going = db.session.scalar(select(func.count()).select_from(RSVP).where(
            RSVP.event_id == event, RSVP.status == RSVPStatus.GOING))
        waiting = db.session.scalars(select(OutboxMessage)).all()
    assert going == PEOPLE
    assert len(waiting) == PEOPLE and {m.state for m in waiting} == {OutboxState.WAITING}
    assert mailbox.messages == []

    app.config["MAIL_PORT"] = smtp[0].port  # the server is back
    make_due(app)
    results = in_threads(app, 2, lambda: send_pending(1000))
    assert sum(result.sent for result in results) == PEOPLE
    arrived = mailbox.wait_for_count(PEOPLE)
    assert len(arrived) == PEOPLE
    assert Counter(mail["To"] for mail in arrived) == {
        f"person{number}@example.com": 1 for number in range(PEOPLE)}
    assert set(mailbox.by_message_id().values()) == {1}
    assert {mail["Subject"] for mail in arrived} == {"Sie sind dabei: Stammtisch"}
