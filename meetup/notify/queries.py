"""Reads of the outbox: counts for ``outbox status``, lists for the mailbox page,
and whether an address keeps being refused."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    AttemptOutcome,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    normalise_email,
)
from meetup.pagination import paginate


@dataclass(frozen=True)
class Status:
    counts: dict[OutboxState, int]
    oldest_waiting: datetime | None  # when the oldest waiting mail was queued
    next_due: datetime | None


def status() -> Status:
    rows = db.session.execute(select(OutboxMessage.state, func.count())
                              .group_by(OutboxMessage.state)).all()
    counts = dict.fromkeys(OutboxState, 0) | {OutboxState(state): n for state, n in rows}
    waiting = select(OutboxMessage).where(OutboxMessage.state == OutboxState.WAITING)
    # min() keeps the column's type: aware UTC on SQLite too.
    oldest = db.session.scalar(waiting.with_only_columns(func.min(OutboxMessage.created_at)))
    due = db.session.scalar(waiting.with_only_columns(func.min(OutboxMessage.next_attempt_at)))
    return Status(counts, oldest, due)


def mailbox_page(per_page: int = 50) -> Pagination:
    """Newest first."""
    return paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page)


def attempts(message: OutboxMessage) -> list[OutboxAttempt]:
    return list(db.session.scalars(
        select(OutboxAttempt).where(OutboxAttempt.outbox_message_id == message.id)
        .order_by(OutboxAttempt.id)))


def _attempts_to(email: str, outcome: AttemptOutcome):
    return (select(OutboxAttempt.attempted_at)
            .join(OutboxMessage, OutboxMessage.id == OutboxAttempt.outbox_message_id)
            .where(OutboxMessage.recipient == normalise_email(email),
                   OutboxAttempt.outcome == outcome))


def address_failing(email: str) -> bool:
    """The mail server refused this address for good (5xx) at least
    ``BOUNCES_TO_FLAG`` times since a mail to it last got through. A new address
    starts clean, and one delivered mail clears it."""
    last_sent = _attempts_to(email, AttemptOutcome.SENT).with_only_columns(
        func.max(OutboxAttempt.attempted_at)).scalar_subquery()
    refused = _attempts_to(email, AttemptOutcome.PERMANENT).where(
        (OutboxAttempt.attempted_at > last_sent) | last_sent.is_(None))
    count = db.session.scalar(select(func.count()).select_from(refused.subquery()))
    return count >= current_app.config["BOUNCES_TO_FLAG"]
