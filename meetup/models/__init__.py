"""The shared model package; every model is re-exported here."""

from meetup.models.announcement import Announcement, Audience, ContactMessage
from meetup.models.audit import AuditEntry
from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.calendar import FeedState
from meetup.models.changes import FeedGeneration
from meetup.models.contact import (
    Block,
    Contact,
    ContactCard,
    ContactEvent,
    ContactTag,
    MeetingMark,
)
from meetup.models.event import (
    RSVP,
    Event,
    EventKind,
    EventSeries,
    EventStatus,
    EventVisibility,
    RSVPStatus,
    SeriesFrequency,
)
from meetup.models.group import (
    Application,
    ApplicationStatus,
    Ban,
    Group,
    Invitation,
    JoinPolicy,
    Membership,
    Role,
    Visibility,
)
from meetup.models.introduction import EXPIRES_AFTER, IntroductionRequest, IntroductionState
from meetup.models.notify import (
    DEFAULT_REMINDER_HOURS,
    REMINDER_CHOICES,
    ClubMailSettings,
    EventAnnouncement,
    GroupReminder,
    MailSettings,
    NewEvents,
    OrganiserAlert,
    StillComingAnswer,
)
from meetup.models.outbox import AttemptOutcome, OutboxAttempt, OutboxMessage, OutboxState
from meetup.models.privacy import AccountDeletion, ConsentRecord, DataExport
from meetup.models.user import (
    DEFAULT_TIMEZONE,
    LoginThrottle,
    ProfileVisibility,
    User,
    hash_password,
    normalise_email,
)

__all__ = [
    "Announcement",
    "Audience",
    "ContactMessage",
    "DEFAULT_REMINDER_HOURS",
    "ClubMailSettings",
    "EventAnnouncement",
    "GroupReminder",
    "MailSettings",
    "NewEvents",
    "OrganiserAlert",
    "REMINDER_CHOICES",
    "StillComingAnswer",
    "AccountDeletion",
    "ConsentRecord",
    "DataExport",
    "DEFAULT_TIMEZONE",
    "EXPIRES_AFTER",
    "Application",
    "ApplicationStatus",
    "AttemptOutcome",
    "AuditEntry",
    "Ban",
    "Block",
    "Contact",
    "ContactCard",
    "ContactEvent",
    "ContactTag",
    "Invitation",
    "IntroductionRequest",
    "IntroductionState",
    "RSVP",
    "Base",
    "Event",
    "FeedGeneration",
    "FeedState",
    "LoginThrottle",
    "MeetingMark",
    "EventKind",
    "EventSeries",
    "EventStatus",
    "EventVisibility",
    "Group",
    "JoinPolicy",
    "Membership",
    "OutboxAttempt",
    "OutboxMessage",
    "OutboxState",
    "ProfileVisibility",
    "RSVPStatus",
    "SeriesFrequency",
    "Role",
    "UTCDateTime",
    "User",
    "Visibility",
    "hash_password",
    "normalise_email",
    "utcnow",
]
