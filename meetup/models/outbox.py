"""The mail outbox: every mail is a row, written in the transaction that caused it.

A row holds the message fully rendered at queue time (in the recipient's language),
so a sender needs no templates, no request and no other table to deliver it. The
unique key (recipient, kind, subject key, version) makes queueing idempotent: the
same confirmation for the same event is never queued twice.
"""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import str_enum


class OutboxState(enum.StrEnum):
    WAITING = "waiting"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"  # the mail server accepted it (or the development mailbox took it)
    FAILED = "failed"  # refused for good, or out of attempts
    CANCELLED = "cancelled"  # withdrawn before it was sent


class AttemptOutcome(enum.StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # 4xx, no connection, …: tried again unless out of attempts
    PERMANENT = "permanent"  # refused for good (5xx for the recipient or the content)
    EXPIRED = "expired"  # the sender's lease ran out before it reported back


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "subject_key", "version"),
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "verify_email", "rsvp_confirmation"
    subject_key: Mapped[str] = mapped_column(String(80))  # "event:42", "user:7"
    version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str] = mapped_column(String(8))
    # The rendered message. The From address comes from MAIL_DEFAULT_SENDER when
    # sent; only its display name is chosen per message ("Anna Schneider via …").
    sender_name: Mapped[str | None] = mapped_column(String(120))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)  # an iCalendar file
    attachment_method: Mapped[str | None] = mapped_column(String(16))  # REQUEST, CANCEL
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # List-Unsubscribe…
    message_id: Mapped[str] = mapped_column(String(255), unique=True)  # "<…@site>"

    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.WAITING)
    attempts: Mapped[int] = mapped_column(default=0)  # claims so far
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.subject_key} to {self.recipient}>"


class OutboxAttempt(Base):
    """One delivery attempt and what the mail server answered."""

    __tablename__ = "outbox_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[AttemptOutcome] = mapped_column(str_enum(AttemptOutcome))
    reply: Mapped[str] = mapped_column(Text, default="")  # SMTP reply or the error
    sender: Mapped[str] = mapped_column(String(120), default="")  # claimed_by of the sender
