"""Delivery: nothing lost while the mail server is down, every mail exactly once
afterwards (also with two senders at once), refused recipients failed on their own,
expired leases taken over."""

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event

from meetup.extensions import db
from meetup.models import AttemptOutcome, OutboxState, utcnow
from meetup.notify.claims import Claims
from meetup.notify.sender import Sender, retry_delay, send_pending
from tests.outbox_helpers import (
    attempts,
    expire_leases,
    in_threads,
    make_due,
    queue_many,
    rows,
)
from tests.pg import free_port


def send(app, limit: int = 1000, **kwargs):
    with app.app_context():
        return send_pending(limit, **kwargs)


def test_mail_server_down_loses_nothing_then_every_mail_arrives_once(app, mailbox, smtp):
    app.config["OUTBOX_BATCH"] = 7  # several claims per pass
    message_ids = queue_many(app, 50)
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    before = utcnow()
    result = send(app)
    assert (result.sent, result.deferred, result.failed) == (0, 50, 0)
    assert mailbox.messages == []
    waiting = rows(app)
    assert [row.state for row in waiting] == [OutboxState.WAITING] * 50
    assert all(row.attempts == 1 and row.claimed_by and row.lease_until is None
               for row in waiting)
    # Backoff: 120 s after the first failure, less up to half by chance.
    for row in waiting:
        assert before + timedelta(seconds=59) < row.next_attempt_at
        assert row.next_attempt_at < utcnow() + timedelta(seconds=121)
        assert "ConnectionRefusedError" in row.last_error
    assert len({row.next_attempt_at for row in waiting}) > 1  # jitter spreads them
    tried = attempts(app)
    assert len(tried) == 50
    assert {a.outcome for a in tried} == {AttemptOutcome.TEMPORARY}

    app.config["MAIL_PORT"] = smtp[0].port  # the server is back
    assert send(app).handled == 0  # not due yet
    make_due(app)
    results = in_threads(app, 2, lambda: send_pending(1000))
    assert sum(r.sent for r in results) == 50
    mailbox.wait_for_count(50)
    assert mailbox.by_message_id() == dict.fromkeys(message_ids, 1)
    assert {(row.state, row.attempts) for row in rows(app)} == {(OutboxState.SENT, 2)}
    assert len(attempts(app)) == 100


@pytest.mark.parametrize("senders", [2, 3])
def test_senders_running_together_send_each_mail_exactly_once(app, mailbox, senders):
    app.config["OUTBOX_BATCH"] = 5
    message_ids = queue_many(app, 150)
    results = in_threads(app, senders, lambda: Sender().send_pending(1000))
    assert sum(r.sent for r in results) == 150
    assert all(r.deferred == r.failed == 0 for r in results)
    mailbox.wait_for_count(150)
    assert mailbox.by_message_id() == dict.fromkeys(message_ids, 1)
    assert {row.state for row in rows(app)} == {OutboxState.SENT}
    tried = attempts(app)
    assert len(tried) == 150
    assert len({a.sender for a in tried}) == senders  # they really shared the work


def test_a_refused_recipient_fails_alone_and_at_once(app, mailbox):
    mailbox.refused["person1@example.com"] = "550 5.1.1 <person1@example.com>: no such user"
    message_ids = queue_many(app, 4)
    result = send(app)
    assert (result.sent, result.deferred, result.failed) == (3, 0, 1)
    mailbox.wait_for_count(3)
    assert set(mailbox.by_message_id()) == {message_ids[0], *message_ids[2:]}
    states = {row.recipient: (row.state, row.attempts) for row in rows(app)}
    assert states["person1@example.com"] == (OutboxState.FAILED, 1)
    [refused] = rows(app, recipient="person1@example.com")
    [attempt] = attempts(app, refused.id)
    assert attempt.outcome == AttemptOutcome.PERMANENT
    assert attempt.reply.startswith("550 5.1.1")
    assert refused.last_error == attempt.reply
    make_due(app)
    assert send(app).handled == 0  # a failed mail is not tried again


def test_a_temporarily_refused_recipient_is_retried_a_bounded_number_of_times(app, mailbox):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    mailbox.refused["person0@example.com"] = "450 4.2.1 mailbox busy, try later"
    queue_many(app, 3)
    for attempt_number in (1, 2, 3):
        result = send(app)
        assert result.deferred + result.failed == 1
        [row] = rows(app, recipient="person0@example.com")
        assert row.attempts == attempt_number
        make_due(app)
    assert row.state == OutboxState.FAILED and row.last_error.startswith("450 4.2.1")
    tried = attempts(app, row.id)
    assert [a.outcome for a in tried] == [AttemptOutcome.TEMPORARY] * 3
    assert send(app).handled == 0
    assert len(mailbox.wait_for_count(2)) == 2  # the others went out in the first pass
    assert {r.state for r in rows(app) if r.id != row.id} == {OutboxState.SENT}


def test_a_server_that_hangs_up_costs_the_next_mail_nothing(app, mailbox):
    """A 421 closes the connection: the mail waits, the next one gets a new connection."""
    mailbox.refused["person0@example.com"] = "421 4.3.2 service shutting down"
    queue_many(app, 3)
    result = send(app)
    assert (result.sent, result.deferred, result.failed) == (2, 1, 0)
    assert [(a.outcome, a.reply[:3]) for a in attempts(app)] == [
        (AttemptOutcome.TEMPORARY, "421"), (AttemptOutcome.SENT, "250"),
        (AttemptOutcome.SENT, "250")]


def test_backoff_doubles_up_to_a_ceiling_with_jitter(app):
    with app.app_context():
        for attempt, ceiling in [(1, 120), (2, 240), (3, 480), (8, 4 * 3600), (20, 4 * 3600)]:
            delays = {retry_delay(attempt).total_seconds() for _ in range(20)}
            assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, delays)
            assert len(delays) > 1


def test_an_expired_lease_makes_the_mail_claimable_again(app, mailbox):
    [message_id] = queue_many(app, 1)
    with app.app_context():
        [taken] = Claims(db.engine, "host-that-died:1").claim(10)  # and never reports back
    assert send(app).handled == 0  # the lease holds: nobody else sends it
    assert mailbox.messages == []
    expire_leases(app)
    assert send(app).sent == 1
    assert mailbox.by_message_id() == {message_id: 1}
    [row] = rows(app)
    assert (row.state, row.attempts) == (OutboxState.SENT, 2)
    expired, sent = attempts(app)
    assert (expired.outcome, expired.sender) == (AttemptOutcome.EXPIRED, "host-that-died:1")
    assert sent.outcome == AttemptOutcome.SENT and sent.sender != "host-that-died:1"
    with app.app_context():  # the dead sender's late report changes nothing
        assert Claims(db.engine, "host-that-died:1").record(
            taken, AttemptOutcome.SENT, "250 late") is False
    assert rows(app)[0].claimed_by == sent.sender


def test_a_claim_takes_at_most_its_limit_oldest_first(app):
    ids = queue_many(app, 12)
    with app.app_context():
        first = Claims(db.engine, "one:1").claim(5)
        second = Claims(db.engine, "two:1").claim(5)
        third = Claims(db.engine, "three:1").claim(5)
    assert [len(first), len(second), len(third)] == [5, 5, 2]
    taken = [c.fields["message_id"] for c in first + second + third]
    assert sorted(taken) == sorted(ids) and len(set(taken)) == 12


def test_a_mail_whose_sender_keeps_dying_fails_after_the_last_attempt(app):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    queue_many(app, 1)
    for number in (1, 2):
        with app.app_context():
            assert len(Claims(db.engine, f"dies-{number}").claim(1)) == 1
        expire_leases(app)
    assert send(app).handled == 0
    [row] = rows(app)
    assert (row.state, row.attempts) == (OutboxState.FAILED, 2)
    assert [a.outcome for a in attempts(app)] == [AttemptOutcome.EXPIRED] * 2


def test_a_stopping_sender_hands_back_what_it_did_not_try(app, mailbox):
    queue_many(app, 5)

    def stop() -> bool:  # asked before every mail: a SIGTERM after the second one
        return len(mailbox.messages) >= 2

    result = send(app, stop=stop)
    assert result.sent == 2
    by_state = {}
    for row in rows(app):
        by_state.setdefault(row.state, []).append(row.attempts)
    assert by_state == {OutboxState.SENT: [1, 1], OutboxState.WAITING: [0, 0, 0]}
    assert send(app).sent == 3  # due at once, untouched by the stop
    assert len(mailbox.wait_for_count(5)) == 5


def test_without_a_mail_server_mails_go_to_the_development_mailbox(app, mailbox, caplog):
    app.config["MAIL_SERVER"] = None
    queue_many(app, 2)
    with caplog.at_level("INFO", logger=app.logger.name):
        result = send(app)
    assert result.sent == 2
    assert mailbox.messages == []
    assert "To: person0@example.com" in caplog.text
    assert "Subject: Neues Passwort wählen" in caplog.text  # readable, not encoded
    assert "http://localhost/reset/1" in caplog.text
    assert {row.state for row in rows(app)} == {OutboxState.SENT}
    assert all("development mailbox" in a.reply for a in attempts(app))


def test_a_busy_database_while_recording_does_not_send_the_mail_again(app, mailbox, caplog):
    """The mail server took the mail, then the database refuses the record for a
    moment (SQLite: the write lock held elsewhere beyond the busy timeout): the
    sender tries the record again instead of leaving the mail to be sent twice."""
    [message_id] = queue_many(app, 1)
    holder = threading.Thread(target=hold_the_write_lock, args=(app, 1.5))

    def lock_the_database(message) -> None:  # the server has the mail, the record follows
        holder.start()
        time.sleep(0.2)

    mailbox.on_arrival = lock_the_database
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        db.engine.dispose()  # new connections, with the short timeout below
        event.listen(db.engine, "connect", short_busy_timeout)
        with caplog.at_level("WARNING", logger=app.logger.name):
            result = send_pending(10)
    holder.join()
    assert result.sent == 1
    assert mailbox.by_message_id() == {message_id: 1}
    assert [(row.state, row.attempts) for row in rows(app)] == [(OutboxState.SENT, 1)]
    if sqlite:
        assert "database error while recording" in caplog.text


def short_busy_timeout(dbapi_connection, record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA busy_timeout=100")


def hold_the_write_lock(app, seconds: float) -> None:
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            raw = sqlite3.connect(url.database, isolation_level=None)
            raw.execute("BEGIN IMMEDIATE")
            time.sleep(seconds)
            raw.rollback()
            raw.close()
            return
        with db.engine.connect() as connection:
            connection.exec_driver_sql("LOCK TABLE outbox_message IN EXCLUSIVE MODE")
            time.sleep(seconds)
            connection.rollback()
