"""Organiser changes to events: create (also as a series), edit (one date, or
several dates of its series: ``rules.Scope``), duplicate, cancel, publish, delete
drafts. Functions flush and never commit; refusals raise ``RuleError``."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetup import audit
from meetup.audit import Act
from meetup.errors import RuleError
from meetup.events import timing
from meetup.events.rsvp import promote
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventSeries,
    EventStatus,
    EventVisibility,
    Group,
    RSVPStatus,
    User,
    Visibility,
    utcnow,
)
from meetup.notify import changes, messages
from meetup.series.rules import Repeat, Scope, dates_in_scope, occurrences

# Changing any of these changes what a calendar shows: SEQUENCE goes up.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "timezone", "venue_name", "venue_address",
                   "online_url", "status")
EDITABLE = ("title", "kind", "description", "speaker", "speaker_bio", "venue_name",
            "venue_address", "online_url", "capacity", "guests_allowed", "visibility")


@dataclass
class Schedule:
    """When an event happens, in its own zone: local wall-clock times."""

    start: datetime  # naive, local
    end: datetime  # naive, local
    timezone: str
    rsvp_opens: datetime | None = None  # naive, local
    rsvp_closes: datetime | None = None  # naive, local
    # Which of two equal wall-clock times is meant (when the clocks go back):
    # 0 the first, 1 the second; by name of the time, e.g. {"start": 1}.
    folds: dict[str, int] = field(default_factory=dict)

    def aware(self, value: datetime | None, name: str = "") -> datetime | None:
        """The instant (in UTC) of a local time; ``name`` picks its fold."""
        if value is None:
            return None
        return timing.to_utc(value, ZoneInfo(self.timezone), self.folds.get(name, 0))


def validate(schedule: Schedule, now: datetime, new: bool) -> None:
    """Compares instants, not wall-clock times: 02:45 winter time is after
    02:15 summer time on the night the clocks go back."""
    zone = ZoneInfo(schedule.timezone)
    if any(value is not None and not timing.in_range(value)
           for value in (schedule.start, schedule.end, schedule.rsvp_opens,
                         schedule.rsvp_closes)):
        raise RuleError(_l("Please enter a date between %(first)d and %(last)d.",
                            first=timing.FIRST_YEAR, last=timing.LAST_YEAR))
    if timing.does_not_exist(schedule.start, zone) or timing.does_not_exist(schedule.end, zone):
        raise RuleError(_l("This time does not exist in this zone: the clocks go forward "
                            "that night. Please choose another time."))
    start, end = schedule.aware(schedule.start, "start"), schedule.aware(schedule.end, "end")
    opens = schedule.aware(schedule.rsvp_opens, "rsvp_opens")
    closes = schedule.aware(schedule.rsvp_closes, "rsvp_closes")
    if end <= start:
        raise RuleError(_l("The end must be after the start."))
    if new and start <= now:
        raise RuleError(_l("The start must be in the future."))
    if closes and closes > end:
        raise RuleError(_l("Registration must close before the event ends."))
    if opens and closes and opens >= closes:
        raise RuleError(_l("Registration must open before it closes."))


def _fields_for(group: Group, values: dict) -> dict:
    values = {name: values[name] for name in EDITABLE if name in values}
    if group.visibility == Visibility.PRIVATE:
        # A private group's events are never public.
        values["visibility"] = EventVisibility.MEMBERS
    return values


def create(group: Group, author: User, values: dict, schedule: Schedule, publish: bool,
           repeat: Repeat | None = None, now: datetime | None = None) -> list[Event]:
    """Create one event, or every occurrence of a series."""
    validate(schedule, now or utcnow(), new=True)
    series = None
    starts = [schedule.start]
    if repeat is not None:
        starts = occurrences(schedule.start, repeat)
        until = datetime.combine(repeat.until, schedule.start.time()) if repeat.until else None
        series = EventSeries(group_id=group.id, frequency=repeat.frequency,
                             interval=repeat.interval, count=repeat.count,
                             until=schedule.aware(until))
        db.session.add(series)
    duration = schedule.end - schedule.start
    events = []
    for start in starts:
        shift = start - schedule.start
        event = Event(group_id=group.id, created_by_id=author.id, series=series,
                      status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
                      timezone=schedule.timezone, **_fields_for(group, values))
        _apply_schedule(event, schedule, shift, duration)
        db.session.add(event)
        events.append(event)
    db.session.flush()
    return events


def _apply_schedule(event: Event, schedule: Schedule, shift: timedelta,
                    duration: timedelta) -> None:
    start = schedule.start + shift
    event.timezone = schedule.timezone
    event.starts_at = schedule.aware(start, "start")
    event.ends_at = schedule.aware(start + duration, "end")
    if event.ends_at <= event.starts_at:
        # A later date of a series fell into a daylight-saving change.
        event.ends_at = event.starts_at + (schedule.aware(schedule.end, "end")
                                           - schedule.aware(schedule.start, "start"))
    event.rsvp_opens_at = schedule.aware(schedule.rsvp_opens + shift, "rsvp_opens") \
        if schedule.rsvp_opens else None
    event.rsvp_closes_at = schedule.aware(schedule.rsvp_closes + shift, "rsvp_closes") \
        if schedule.rsvp_closes else None


def _bump_sequence(event: Event, before: dict) -> None:
    if any(getattr(event, name) != before[name] for name in CALENDAR_FIELDS):
        event.sequence += 1


def _snapshot(event: Event) -> dict:
    return {name: getattr(event, name) for name in CALENDAR_FIELDS}


AUDITED = (*EDITABLE, "starts_at", "ends_at", "timezone", "rsvp_opens_at", "rsvp_closes_at",
           "status", "cancel_reason")


def _audit(event: Event, actor: User | None, action: Act, before: dict) -> None:
    """An audit entry with the fields that changed (none: no entry)."""
    after = {name: getattr(event, name) for name in AUDITED}
    changed = [name for name in AUDITED if before[name] != after[name]]
    if changed:
        audit.record(event.group_id, actor, action, event,
                     {name: before[name] for name in changed},
                     {name: after[name] for name in changed})


def update(event: Event, values: dict, schedule: Schedule,
           scope: Scope = Scope.THIS, actor: User | None = None) -> list[Event]:
    """Edit an event, or with a wider ``scope`` the dates of its series that are
    not over and not cancelled. Their times move by the same local shift; their
    dates stay their own. ``actor``: the organiser, for the audit trail."""
    validate(schedule, utcnow(), new=False)
    targets = [target for target in dates_in_scope(event, scope)
               if target is event or target.status != EventStatus.CANCELLED]
    local_start = event.starts_at.astimezone(event.zone).replace(tzinfo=None)
    befores = []
    for target in targets:
        before, audited = _snapshot(target), {name: getattr(target, name) for name in AUDITED}
        befores.append(before)
        for name, value in _fields_for(target.group, values).items():
            setattr(target, name, value)
        own_start = target.starts_at.astimezone(target.zone).replace(tzinfo=None)
        # Keep each occurrence's own date; take the new time of day and length.
        day_shift = timedelta(days=(own_start.date() - local_start.date()).days)
        _apply_schedule(target, schedule, day_shift, schedule.end - schedule.start)
        if target.capacity is not None and target.capacity < 0:
            raise RuleError(_l("The capacity cannot be negative."))
        _bump_sequence(target, before)
        _audit(target, actor, Act.EVENT_EDIT, audited)
    db.session.flush()
    for target, before in zip(targets, befores, strict=True):
        changes.after_update(target, before)  # a new time or place is mailed
        promote(target)  # a higher capacity frees seats
    return targets


def cancel(event: Event, reason: str, now: datetime | None = None,
           actor: User | None = None) -> None:
    """Call the event off, with a reason everyone sees (one that is over stays as it
    was); everyone going or waiting gets a mail that takes it out of their calendar."""
    if event.status == EventStatus.CANCELLED:
        return
    if event.ends_at <= (now or utcnow()):
        raise RuleError(_l("This event is over; it can no longer be cancelled."))
    before, audited = _snapshot(event), {name: getattr(event, name) for name in AUDITED}
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()[:500]
    _bump_sequence(event, before)
    _audit(event, actor, Act.EVENT_CANCEL, audited)
    db.session.flush()
    changes.after_cancel(event)
    messages.cancelled(event, list(db.session.scalars(
        select(RSVP).where(RSVP.event_id == event.id,
                           RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
        .order_by(RSVP.id))))


def publish(event: Event) -> None:
    if event.status == EventStatus.DRAFT:
        event.status = EventStatus.PUBLISHED


def delete_draft(event: Event) -> None:
    if event.status != EventStatus.DRAFT:
        raise RuleError(_l("Only drafts can be deleted. Cancel the event instead."))
    db.session.delete(event)


def duplicate(event: Event, author: User) -> Event:
    """A draft copy one week later, without RSVPs."""
    copy = Event(group_id=event.group_id, created_by_id=author.id, status=EventStatus.DRAFT,
                 timezone=event.timezone, **{name: getattr(event, name) for name in EDITABLE})
    local = event.zone
    week = timedelta(weeks=1)

    def later(value):
        if value is None:
            return None
        return (value.astimezone(local).replace(tzinfo=None) + week).replace(tzinfo=local)

    copy.starts_at, copy.ends_at = later(event.starts_at), later(event.ends_at)
    copy.rsvp_opens_at, copy.rsvp_closes_at = later(event.rsvp_opens_at), later(
        event.rsvp_closes_at)
    copy.title = event.title
    db.session.add(copy)
    db.session.flush()
    return copy

