"""Mail that people write to many: an organiser's announcement, a message to the
organisers. Only the fact is kept (who, when, to whom, how many), for the log on
the management page and the daily limits; a contact message's text is not kept."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import str_enum


class Audience(enum.StrEnum):
    GOING = "going"  # the people going to the event
    WAITLIST = "waitlist"  # the people on its waiting list
    MEMBERS = "members"  # every member of the club


class Announcement(Base):
    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class ContactMessage(Base):
    """A message someone sent to a club's organisers (its text went by mail only)."""

    __tablename__ = "contact_message"
    __table_args__ = (Index("ix_contact_message_sender_created", "sender_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
