"""After the evening: marks ("we met"), confirmed contacts, each side's private
card (note, tags, follow-up) and blocks.

A mark is one person's private statement "I talked to X at this event". When X
marks back, both marks are replaced by one ``Contact`` of the pair with the event
as a ``ContactEvent``; a pair meeting again adds another event to the same contact.
Each side keeps a ``ContactCard`` that only its owner ever sees.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.event import Event
from meetup.models.user import User


class MeetingMark(Base):
    """``marker`` says they met ``marked`` at ``event``; pending until marked back."""

    __tablename__ = "meeting_mark"
    __table_args__ = (UniqueConstraint("event_id", "marker_id", "marked_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    marker_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    marked_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    # The marked person chose "ignore": the prompt is gone; the marker is never told.
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    marker: Mapped[User] = relationship(foreign_keys=[marker_id])


class Contact(Base):
    """Two people who both said they met; stored once per pair (lower id first),
    so the unique constraint makes a second one impossible."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("first_id", "second_id"),
                      CheckConstraint("first_id < second_id", name="ordered_pair"))

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactEvent(Base):
    """An event where both of a contact said they met: the contact's context."""

    __tablename__ = "contact_event"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()


class ContactCard(Base):
    """One side of a contact: what ``owner`` keeps about ``other``. Private to the owner."""

    __tablename__ = "contact_card"
    __table_args__ = (UniqueConstraint("owner_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                          index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # Wiedervorlage: a calendar day in the owner's zone.
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    # When the reminder mail for ``follow_up_on`` went out; cleared when the date changes.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    other: Mapped[User] = relationship(foreign_keys=[other_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class ContactTag(Base):
    """A free-text label on a card ("Steuern", "Kunde?"); a few per card."""

    __tablename__ = "contact_tag"
    __table_args__ = (UniqueConstraint("card_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("contact_card.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))


class Block(Base):
    """``blocker`` no longer wants contact with ``blocked``: neither sees the
    other's profile, neither can mark the other."""

    __tablename__ = "block"
    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                            index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blocked: Mapped[User] = relationship(foreign_keys=[blocked_id])
