"""What each person wants by mail, the club's reminder setting, and what the
scheduled notifications have done already (so that a tick never does it twice)."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import str_enum

DEFAULT_REMINDER_HOURS = 24
REMINDER_CHOICES = (0, 2, 4, 12, 24, 48, 72)  # hours before the event; 0: no reminder


class NewEvents(enum.StrEnum):
    """How a member hears of a new event in their club."""

    IMMEDIATELY = "immediately"
    WEEKLY = "weekly"
    OFF = "off"


class MailSettings(Base):
    """A person's switches for the mails they may do without; no row: the defaults."""

    __tablename__ = "mail_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    still_coming: Mapped[bool] = mapped_column(default=True)
    organiser_alerts: Mapped[bool] = mapped_column(default=True)
    organiser_summary: Mapped[bool] = mapped_column(default=False)
    announcements: Mapped[bool] = mapped_column(default=True)
    follow_ups: Mapped[bool] = mapped_column(default=True, server_default=true())


class ClubMailSettings(Base):
    """A person's choices for one club; no row: the defaults."""

    __tablename__ = "club_mail_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    new_events: Mapped[NewEvents] = mapped_column(str_enum(NewEvents),
                                                  default=NewEvents.IMMEDIATELY)
    announcements: Mapped[bool] = mapped_column(default=True)


class GroupReminder(Base):
    """How many hours before its events a club reminds the people going (0: never);
    no row: ``DEFAULT_REMINDER_HOURS``."""

    __tablename__ = "group_reminder"

    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"),
                                          primary_key=True)
    hours: Mapped[int] = mapped_column(default=DEFAULT_REMINDER_HOURS)


class StillComingAnswer(Base):
    """The one use of a "Still coming?" mail's links: one answer per person, event
    and start time (a moved event asks again)."""

    __tablename__ = "still_coming_answer"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    version: Mapped[int]  # the event's start (seconds since the epoch) the mail asked about
    answer: Mapped[str] = mapped_column(String(16))  # "yes" or "release"
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventAnnouncement(Base):
    """The event was announced to its club's members (at once, and in weekly digests)."""

    __tablename__ = "event_announcement"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OrganiserAlert(Base):
    """The organisers were told that the event is full, or that people wait for a
    seat: once per event and kind, whoever was an organiser then."""

    __tablename__ = "organiser_alert"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)  # event_full, waitlist_forming
    alerted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
