"""Mails about a club's news, by each member's choice: a new event at once, or all
of a week's new events on the Monday after; and for organisers who want it, a
daily summary of the answers their upcoming events got the day before. Days and
weeks are the club's own, in its time zone.

Each is keyed so that a second tick finds the first one's mail: a new event by
the event, a digest by the club and the ISO week, a summary by the club and day.
An event counts as announced once it has an ``EventAnnouncement`` row; a series
is announced once, with its first date.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from meetup.database import transaction
from meetup.extensions import db
from meetup.models import (
    RSVP,
    ClubMailSettings,
    Event,
    EventAnnouncement,
    EventStatus,
    Group,
    MailSettings,
    Membership,
    NewEvents,
    OutboxMessage,
    Role,
    RSVPStatus,
    User,
)
from meetup.notify import preferences
from meetup.notify.messages import locale_of
from meetup.notify.outbox import queue
from meetup.urls import external_url

ORGANISERS = (Role.OWNER, Role.ORGANISER)


def announce_new_events(now: datetime) -> int:
    """Tell the members who want it at once of each event published since the last tick."""
    count = 0
    for event_id in db.session.scalars(
            select(Event.id).where(
                Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
                ~exists().where(EventAnnouncement.event_id == Event.id))
            .order_by(Event.starts_at, Event.id)).all():
        with transaction():
            count += _announce(db.session.get(Event, event_id), now)
    return count


def _announce(event: Event, now: datetime) -> int:
    events = [event]
    if event.series_id is not None:
        events = db.session.scalars(select(Event).where(
            Event.series_id == event.series_id,
            ~exists().where(EventAnnouncement.event_id == Event.id))).all()
        if not events:  # an earlier date of its series announced them all
            return 0
    try:
        with db.session.begin_nested():  # another tick announcing it wins; this one stops
            db.session.add_all(EventAnnouncement(event_id=e.id, announced_at=now) for e in events)
    except IntegrityError:
        return 0
    first = min(events, key=lambda e: e.starts_at)
    sent = 0
    for member in members(event.group, NewEvents.IMMEDIATELY):
        if member.id == event.created_by_id:
            continue
        _club_mail(member, event.group, "new_event", f"event:{first.id}", 1,
                   event=first, series=len(events) > 1,
                   link=external_url("events.show", event_id=first.id))
        sent += 1
    return sent


def members(group: Group, mode: NewEvents) -> list[User]:
    """The club's members whose choice for new events is ``mode`` (no row: at once)."""
    choice = func.coalesce(ClubMailSettings.new_events, NewEvents.IMMEDIATELY.value)
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .outerjoin(ClubMailSettings, (ClubMailSettings.user_id == User.id)
                   & (ClubMailSettings.group_id == group.id))
        .where(Membership.group_id == group.id, choice == mode.value).order_by(User.id)))


def _club_mail(user: User, group: Group, kind: str, key: str, version: int,
               preference: str = "new_events", **context) -> None:
    link = preferences.unsubscribe_link(user, preference,
                                        group if preference in preferences.PER_CLUB else None)
    queue(user.email, kind, locale_of(user), kind=kind, key=key, version=version, user=user,
          sender_name=group.name, headers=preferences.list_headers(link), unsubscribe=link,
          group=group, **context)


def _queued(user: User, kind: str, key: str, version: int) -> bool:
    """This digest or summary is in the outbox already (an earlier tick)."""
    return db.session.scalar(select(OutboxMessage.id).filter_by(
        user_id=user.id, kind=kind, subject_key=key, version=version)) is not None


def week_of(day: date) -> int:
    year, week, _weekday = day.isocalendar()
    return year * 100 + week


def club_today(now: datetime, group: Group) -> date:
    """The date it is at ``now`` where the club meets: its days and weeks are its own."""
    return now.astimezone(ZoneInfo(group.timezone)).date()


def club_midnight(day: date, group: Group) -> datetime:
    """The start of ``day`` in the club's zone, in UTC (a DST day has 23 or 25 hours)."""
    return datetime.combine(day, time(), ZoneInfo(group.timezone)).astimezone(UTC)


def weekly_digests(now: datetime) -> int:
    """On and after each Monday, last week's new events to those who chose a digest
    (Monday to Sunday where the club meets)."""
    rows = db.session.execute(
        select(ClubMailSettings.user_id, ClubMailSettings.group_id)
        .join(Membership, (Membership.user_id == ClubMailSettings.user_id)
              & (Membership.group_id == ClubMailSettings.group_id))
        .where(ClubMailSettings.new_events == NewEvents.WEEKLY)).all()
    count = 0
    for user_id, group_id in rows:
        with transaction():
            group = db.session.get(Group, group_id)
            today = club_today(now, group)
            last_monday = today - timedelta(days=today.weekday() + 7)
            count += _digest(db.session.get(User, user_id), group,
                             club_midnight(last_monday, group),
                             club_midnight(last_monday + timedelta(days=7), group),
                             week_of(last_monday), now)
    return count


def _digest(user: User, group: Group, start: datetime, end: datetime, version: int,
            now: datetime) -> int:
    if _queued(user, "new_events_weekly", f"group:{group.id}", version):
        return 0
    events = db.session.scalars(
        select(Event).join(EventAnnouncement, EventAnnouncement.event_id == Event.id)
        .where(Event.group_id == group.id, Event.status == EventStatus.PUBLISHED,
               Event.starts_at > now, EventAnnouncement.announced_at >= start,
               EventAnnouncement.announced_at < end,
               Event.created_by_id.is_distinct_from(user.id)).order_by(Event.starts_at)).all()
    if not events:
        return 0
    _club_mail(user, group, "new_events_weekly", f"group:{group.id}", version, events=events,
               link=external_url("groups.show", slug=group.slug))
    return 1


def organiser_summaries(now: datetime) -> int:
    """Yesterday's new answers to their upcoming events, for organisers who want it
    (yesterday where the club meets)."""
    rows = db.session.execute(
        select(Membership.user_id, Membership.group_id)
        .join(MailSettings, MailSettings.user_id == Membership.user_id)
        .where(MailSettings.organiser_summary.is_(True), Membership.role.in_(ORGANISERS))).all()
    count = 0
    for user_id, group_id in rows:
        with transaction():
            group = db.session.get(Group, group_id)
            day = club_today(now, group) - timedelta(days=1)
            count += _summary(db.session.get(User, user_id), group, day, now)
    return count


def _summary(user: User, group: Group, day: date, now: datetime) -> int:
    if _queued(user, "organiser_summary", f"group:{group.id}", day.toordinal()):
        return 0
    answers = db.session.scalars(
        select(RSVP).join(RSVP.event).options(joinedload(RSVP.event), joinedload(RSVP.user))
        .where(Event.group_id == group.id, Event.starts_at > now,
               RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]),
               RSVP.updated_at >= club_midnight(day, group),
               RSVP.updated_at < club_midnight(day + timedelta(days=1), group))
        .order_by(Event.starts_at, RSVP.id)).all()
    if not answers:
        return 0
    _club_mail(user, group, "organiser_summary", f"group:{group.id}", day.toordinal(),
               preference="organiser_summary", answers=answers, day=day,
               link=external_url("groups.show", slug=group.slug))
    return 1
