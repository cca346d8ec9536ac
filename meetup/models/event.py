"""Events and RSVPs."""

import enum
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import Group, str_enum
from meetup.models.user import DEFAULT_TIMEZONE, User
from meetup.urls import site_domain


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


class SeriesFrequency(enum.StrEnum):
    WEEKLY = "weekly"  # every N weeks on the start's weekday
    MONTHLY_WEEKDAY = "monthly_weekday"  # e.g. every first Tuesday
    MONTHLY_DAY = "monthly_day"  # e.g. every 15th


class EventSeries(Base):
    """The rule a series of events was made from; each occurrence is an Event."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[SeriesFrequency] = mapped_column(str_enum(SeriesFrequency))
    interval: Mapped[int] = mapped_column(default=1)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def new_ical_uid() -> str:
    """A calendar UID under this installation's domain (from SITE_URL), fixed at creation."""
    return f"event-{uuid.uuid4().hex}@{site_domain()}"


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind), default=EventKind.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    speaker: Mapped[str] = mapped_column(String(120), default="")
    speaker_bio: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # IANA zone the event happens in; times are shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    guests_allowed: Mapped[int] = mapped_column(default=0)
    rsvp_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: RSVPs close when the event starts.
    rsvp_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visibility: Mapped[EventVisibility] = mapped_column(
        str_enum(EventVisibility), default=EventVisibility.PUBLIC
    )
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus), default=EventStatus.PUBLISHED
    )
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True)
    # Raised whenever time, place, title or status change (calendar clients need it).
    sequence: Mapped[int] = mapped_column(default=0)
    # The iCalendar UID, kept for ever: changing it would duplicate the event in calendars.
    ical_uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_ical_uid)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Raised with every change to what its attendee list shows (people.listing).
    roster_version: Mapped[int] = mapped_column(default=0, server_default="0")

    group: Mapped[Group] = relationship()
    series: Mapped[EventSeries | None] = relationship()
    rsvps: WriteOnlyMapped["RSVP"] = relationship(back_populates="event", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def rsvp_deadline(self) -> datetime:
        return self.rsvp_closes_at or self.starts_at


class RSVP(Base):
    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RSVPStatus] = mapped_column(str_enum(RSVPStatus), default=RSVPStatus.GOING)
    guests: Mapped[int] = mapped_column(default=0)
    # Order on the waitlist: first come, first served. Kept while someone taken
    # from the waitlist at the door is checked in, so an undo restores their place.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While checked in: the status before (or "none": no answer), for an exact undo.
    before_check_in: Mapped[str | None] = mapped_column(String(16))
    # "Don't list me": counted among those going, never named.
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="rsvps")
    user: Mapped[User] = relationship()

    @property
    def seats(self) -> int:
        return 1 + self.guests

    @property
    def is_going(self) -> bool:
        return self.status == RSVPStatus.GOING

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RSVPStatus.WAITLIST
