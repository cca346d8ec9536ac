"""``notifications tick``: the mails that are due because time passed.

Safe to run every minute and on several hosts at once: every mail has its
outbox key (recipient, kind, subject, version), so a second tick queueing the
same mail finds the row of the first (on PostgreSQL its INSERT waits for the
first tick's commit, then finds it); each step runs in its own short transaction.

- reminders, ``GroupReminder.hours`` (default 24) before an event, to people going;
- "Still coming?" 48 hours before, with the one-click links (``still_coming``);
- contact follow-ups whose day has come (``contacts.queries.due_follow_ups``);
- new events of a club, at once, and the weekly digest (``digests``);
- the organisers' daily summary of new answers (``digests``), and their alerts:
  an event is full, a waitlist forms (``alerts``);
- and, not a mail of its own making: the data exports people asked for are
  prepared, each mailed when ready (``privacy.worker``).

A reminder's version is the event's start: a moved event gets a new one, and
``changes.after_update`` withdraws the one still waiting for the old start.
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup.contacts import queries as contact_queries
from meetup.contacts import services as contact_services
from meetup.database import transaction
from meetup.extensions import db
from meetup.models import (
    DEFAULT_REMINDER_HOURS,
    REMINDER_CHOICES,
    RSVP,
    Event,
    EventStatus,
    GroupReminder,
    OutboxMessage,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.notify import alerts, digests, preferences, still_coming
from meetup.notify.messages import about_event, locale_of
from meetup.notify.outbox import queue
from meetup.privacy import worker
from meetup.urls import external_url

STILL_COMING_HOURS = 48
LOOK_AHEAD = timedelta(hours=max(max(REMINDER_CHOICES), STILL_COMING_HOURS))


@dataclass
class TickResult:
    reminders: int = 0
    still_coming: int = 0
    follow_ups: int = 0
    new_events: int = 0
    digests: int = 0
    summaries: int = 0
    organiser_alerts: int = 0
    purged_marks: int = 0
    exports: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{field.name.replace('_', ' ')} {getattr(self, field.name)}"
                         for field in fields(self))


def tick(now: datetime | None = None) -> TickResult:
    """Queue every mail that is due at ``now``; each step its own transaction."""
    now = now or utcnow()
    result = TickResult()
    events = _upcoming(now)
    hours = reminder_hours([event.group_id for event in events])
    for event in events:
        reminder = hours.get(event.group_id, DEFAULT_REMINDER_HOURS)
        if _window_open(event, reminder, now):  # no write lock for events not yet due
            with transaction():
                result.reminders += _reminders(event, reminder, now)
        if _window_open(event, STILL_COMING_HOURS, now):
            with transaction():
                result.still_coming += _still_coming(event, now)
    with transaction():
        result.follow_ups = follow_ups(now)
    result.new_events = digests.announce_new_events(now)
    result.digests = digests.weekly_digests(now)
    result.summaries = digests.organiser_summaries(now)
    result.organiser_alerts = alerts.due_alerts(now)
    with transaction():
        result.purged_marks = contact_services.purge_expired_marks(now)
    result.exports = worker.run()
    return result


def reminder_hours(group_ids: list[int]) -> dict[int, int]:
    rows = db.session.scalars(select(GroupReminder).where(GroupReminder.group_id.in_(group_ids)))
    return {row.group_id: row.hours for row in rows}


def hours_for(group_id: int) -> int:
    row = db.session.get(GroupReminder, group_id)
    return DEFAULT_REMINDER_HOURS if row is None else row.hours


def set_hours(group_id: int, hours: int) -> None:
    """A club's reminder time (flushes); 0 switches reminders off."""
    row = db.session.get(GroupReminder, group_id) or GroupReminder(group_id=group_id)
    row.hours = hours
    db.session.add(row)
    db.session.flush()


def _upcoming(now: datetime) -> list[Event]:
    events = db.session.scalars(
        select(Event).options(joinedload(Event.group))
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
               Event.starts_at <= now + LOOK_AHEAD).order_by(Event.starts_at, Event.id)).all()
    db.session.rollback()  # read only: hold nothing while the steps run
    return list(events)


def _window_open(event: Event, hours: int, now: datetime) -> bool:
    return hours > 0 and event.starts_at - timedelta(hours=hours) <= now < event.starts_at


def _due(event: Event, kind: str, hours: int, now: datetime) -> list[RSVP]:
    """People going whom this mail about this start has not reached yet; one who
    answered inside the window was just told everything by the confirmation."""
    due_at = event.starts_at - timedelta(hours=hours)
    if not _window_open(event, hours, now):
        return []
    version = still_coming.version(event)
    queued = set(db.session.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.kind == kind, OutboxMessage.subject_key == f"event:{event.id}",
        OutboxMessage.version == version, OutboxMessage.user_id.is_not(None))))
    rsvps = db.session.scalars(
        select(RSVP).join(RSVP.user).options(joinedload(RSVP.user))
        .where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.GOING,
               RSVP.updated_at < due_at).order_by(RSVP.id))
    return [rsvp for rsvp in rsvps if rsvp.user_id not in queued]


def _reminders(event: Event, hours: int, now: datetime) -> int:
    due = _wanted(_due(event, "reminder", hours, now), "reminders")
    for rsvp in due:
        _scheduled(rsvp, "reminder", "reminders", hours=hours)
    return len(due)


def _still_coming(event: Event, now: datetime) -> int:
    due = _wanted(_due(event, "still_coming", STILL_COMING_HOURS, now), "still_coming")
    for rsvp in due:
        _scheduled(rsvp, "still_coming", "still_coming", answers=still_coming.links(rsvp))
    return len(due)


def _wanted(rsvps: list[RSVP], preference: str) -> list[RSVP]:
    out = preferences.opted_out([rsvp.user for rsvp in rsvps], preference)
    return [rsvp for rsvp in rsvps if rsvp.user_id not in out]


def _scheduled(rsvp: RSVP, kind: str, preference: str, **context) -> None:
    unsubscribe = preferences.unsubscribe_link(rsvp.user, preference)
    about_event(kind, rsvp, kind=kind, version=still_coming.version(rsvp.event),
                headers=preferences.list_headers(unsubscribe), unsubscribe=unsubscribe,
                **context)


def follow_ups(now: datetime) -> int:
    """One mail per person with every follow-up due today; the cards are marked,
    also those of people who switched these mails off (switching them on again
    later brings the next ones, not a pile of old ones). How many were mailed."""
    by_owner: dict[int, list] = {}
    for card in contact_queries.due_follow_ups(now):
        by_owner.setdefault(card.owner_id, []).append(card)
    out = preferences.opted_out([cards[0].owner for cards in by_owner.values()], "follow_ups")
    mailed = 0
    for owner_id, cards in by_owner.items():
        if owner_id not in out:
            _follow_up_mail(cards[0].owner, cards)
            mailed += len(cards)
        contact_services.mark_reminded(cards, now)
    return mailed


def _follow_up_mail(owner: User, cards: list) -> None:
    # Two ticks see the same cards: one mail. A card due later that day: a new one.
    day = max(card.follow_up_on for card in cards)
    unsubscribe = preferences.unsubscribe_link(owner, "follow_ups")
    queue(owner.email, "follow_up", locale_of(owner), kind="follow_up",
          key=f"user:{owner.id}:{day.isoformat()}", version=max(c.id for c in cards),
          user=owner, cards=cards, link=external_url("contacts.index"),
          headers=preferences.list_headers(unsubscribe), unsubscribe=unsubscribe)
