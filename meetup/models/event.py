"""Events and RSVPs."""

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import Group, str_enum
from meetup.models.user import DEFAULT_TIMEZONE, User


class EventKind(enum.StrEnum):
    STAMMTISCH = "stammtisch"
    TALK = "talk"
    EVENING = "evening"
    WORKSHOP = "workshop"
    OTHER = "other"


class EventVisibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RSVPStatus(enum.StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"
    WAITLIST = "waitlist"


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind), default=EventKind.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # IANA zone the event happens in; times are shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    visibility: Mapped[EventVisibility] = mapped_column(
        str_enum(EventVisibility), default=EventVisibility.PUBLIC
    )
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus), default=EventStatus.PUBLISHED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()
    rsvps: WriteOnlyMapped["RSVP"] = relationship(back_populates="event", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class RSVP(Base):
    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RSVPStatus] = mapped_column(str_enum(RSVPStatus), default=RSVPStatus.GOING)
    guests: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="rsvps")
    user: Mapped[User] = relationship()
