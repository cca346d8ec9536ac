"""The sender's side of the outbox table: each step a short transaction of its own.

A sender *claims* due mails (state ``sending``, its name, a lease), commits, talks
to the mail server with no transaction open, then *records* each outcome. Claims
are one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``:
on PostgreSQL two senders never take the same row and never wait for each other;
on SQLite the statement's write takes the database's one write lock at once, so
claims happen one after the other. The lease makes a mail claimable again only
when its sender has not reported back in time (it died); a sender checks its
lease before it sends, so no mail is sent by two senders.

The statements here run on the sender's own connections, never in the caller's
``db.session`` (and without the ORM's unit of work: one mail, one short statement).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from meetup.models import AttemptOutcome, OutboxAttempt, OutboxMessage, OutboxState, utcnow

# What a sender needs to build and deliver a mail, read when it claims it.
RECORD_TRIES = 6  # a mail the server took must not be sent again for a database hiccup
_COLUMNS = ("id", "attempts", "lease_until", "recipient", "sender_name", "reply_to",
            "subject", "body_text", "body_html", "attachment", "attachment_method",
            "headers", "message_id", "created_at", "next_attempt_at")


@dataclass(frozen=True)
class Claimed:
    """A mail this sender holds until ``lease_until``; plain data, no session."""

    id: int
    attempts: int  # including this one
    lease_until: datetime
    fields: dict[str, Any]

    @property
    def recipient(self) -> str:
        return self.fields["recipient"]


class Claims:
    """Claim and record for one sender, named ``name`` in ``claimed_by``."""

    def __init__(self, engine: Engine, name: str):
        self.engine = engine
        self.name = name
        config = current_app.config
        self.lease = timedelta(seconds=config["OUTBOX_LEASE"])
        self.max_attempts = config["OUTBOX_MAX_ATTEMPTS"]

    def claim(self, limit: int) -> list[Claimed]:
        """Take up to ``limit`` due mails, oldest due first; first hand back the
        mails of senders whose lease ran out."""
        now = utcnow()
        with self.engine.begin() as connection:
            self._expire_leases(connection, now)
            due = (select(OutboxMessage.id)
                   .where(OutboxMessage.state == OutboxState.WAITING,
                          OutboxMessage.next_attempt_at <= now)
                   .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                   .limit(limit).with_for_update(skip_locked=True)
                   # Materialised, the choice runs once: inside ``IN (…)`` PostgreSQL
                   # may run it again per row, and SKIP LOCKED then finds more rows.
                   .cte("due").prefix_with("MATERIALIZED"))
            rows = connection.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(select(due.c.id)))
                .values(state=OutboxState.SENDING, claimed_by=self.name,
                        lease_until=now + self.lease, attempts=OutboxMessage.attempts + 1)
                .returning(*(getattr(OutboxMessage, column) for column in _COLUMNS))).all()
        claimed = [Claimed(row.id, row.attempts, row.lease_until, row._asdict())
                   for row in rows]
        return sorted(claimed, key=lambda c: (c.fields["next_attempt_at"], c.id))

    def _expire_leases(self, connection: Connection, now: datetime) -> None:
        """Mails whose sender did not report back in time wait again (or fail,
        once out of attempts: a mail that kills its sender must not loop)."""
        expired = (select(OutboxMessage.id)
                   .where(OutboxMessage.state == OutboxState.SENDING,
                          OutboxMessage.lease_until < now)
                   .with_for_update(skip_locked=True))
        out_of_attempts = OutboxMessage.attempts >= self.max_attempts
        rows = connection.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(expired))
            .values(state=case((out_of_attempts, OutboxState.FAILED.value),
                               else_=OutboxState.WAITING.value),
                    lease_until=None, next_attempt_at=now,
                    last_error="the sender's lease ran out before it reported back")
            .returning(OutboxMessage.id, OutboxMessage.claimed_by)).all()
        if rows:
            connection.execute(insert(OutboxAttempt), [
                {"outbox_message_id": row.id, "attempted_at": now, "sender": row.claimed_by,
                 "outcome": AttemptOutcome.EXPIRED,
                 "reply": "lease ran out before the sender reported back"} for row in rows])

    def record(self, mail: Claimed, outcome: AttemptOutcome, reply: str,
               retry_at: datetime | None = None) -> bool:
        """Note one attempt and the mail's new state: sent, waiting until
        ``retry_at``, or failed. False if the lease was lost meanwhile."""
        now = utcnow()
        values = _new_state(outcome, reply, retry_at, now)

        def write(connection: Connection) -> int:
            held = connection.execute(
                self._mine([mail.id]).values(lease_until=None, **values)).rowcount
            connection.execute(insert(OutboxAttempt).values(
                outbox_message_id=mail.id, attempted_at=now, outcome=outcome,
                reply=reply[:2000], sender=self.name))
            return held

        if self._write(write):
            return True
        current_app.logger.warning("Outbox: lease on mail %s was lost before %s was "
                                   "recorded", mail.id, outcome)
        return False

    def release(self, mails: list[Claimed]) -> None:
        """Hand back mails this sender took but did not try (it is stopping)."""
        if not mails:
            return
        statement = (self._mine([mail.id for mail in mails])
                     .values(state=OutboxState.WAITING, lease_until=None,
                             attempts=OutboxMessage.attempts - 1))
        self._write(lambda connection: connection.execute(statement))

    def _write(self, work: Callable[[Connection], Any]) -> Any:
        """Run ``work`` in a transaction of its own; again, a few times, when the
        database was away or busy (within the lease, which outlasts the tries)."""
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except OperationalError:
                if attempt == RECORD_TRIES:
                    raise
                current_app.logger.warning("Outbox: database error while recording; again")
                time.sleep(0.25 * 2**attempt)

    def _mine(self, ids: list[int]):
        return update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                           OutboxMessage.claimed_by == self.name,
                                           OutboxMessage.state == OutboxState.SENDING)


def _new_state(outcome: AttemptOutcome, reply: str, retry_at: datetime | None,
               now: datetime) -> dict:
    if outcome == AttemptOutcome.SENT:
        return {"state": OutboxState.SENT, "sent_at": now, "last_error": None}
    if retry_at is not None:
        return {"state": OutboxState.WAITING, "next_attempt_at": retry_at, "last_error": reply}
    return {"state": OutboxState.FAILED, "last_error": reply}
