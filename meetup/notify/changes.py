"""When an organiser moves a published event or changes its place, everyone going
or waiting gets an updated invitation (the same UID, the feed's new SEQUENCE) with
the change spelled out — "neu: 19:30 statt 19:00", "neuer Ort: … statt …"; its
reminders and "Still coming?" mails still waiting in the outbox are withdrawn
(the tick queues them again for the new start). A cancelled event withdraws them too.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from sqlalchemy import select

from meetup.extensions import db
from meetup.i18n import current_language, format_locale, when
from meetup.models import RSVP, Event, RSVPStatus, utcnow
from meetup.notify import messages, outbox

TIME_FIELDS = ("starts_at", "ends_at", "timezone")
PLACE_FIELDS = ("venue_name", "venue_address")
SCHEDULED = ("reminder", "still_coming")


def _moved(event: Event, before: dict) -> bool:
    return any(getattr(event, name) != before[name] for name in TIME_FIELDS)


def _relocated(event: Event, before: dict) -> bool:
    return any(getattr(event, name) != before[name] for name in PLACE_FIELDS + ("online_url",))


def after_update(event: Event, before: dict) -> None:
    """Tell people of a new time or place (``before``: the event's fields before)."""
    moved, relocated = _moved(event, before), _relocated(event, before)
    if not (moved or relocated) or not event.is_published or event.ends_at <= utcnow():
        return
    if moved:
        withdraw_scheduled(event)
    people = _answered(event)
    for rsvp in people:
        tentative = rsvp.status == RSVPStatus.WAITLIST
        messages.about_event(
            "event_changed", rsvp, kind="event_changed", version=event.sequence,
            attachment=messages.invitation(event, rsvp.user, "REQUEST", tentative=tentative),
            before=before, moved=moved, relocated=relocated,
            old_time=lambda: time_text(before["starts_at"], before["ends_at"],
                                       before["timezone"], event.starts_at),
            new_time=lambda: time_text(event.starts_at, event.ends_at, event.timezone,
                                       before["starts_at"]),
            old_place=place_text(before), new_place=place_text(_fields(event)))


def after_cancel(event: Event) -> None:
    withdraw_scheduled(event)


def withdraw_scheduled(event: Event) -> int:
    return sum(outbox.cancel(kind, f"event:{event.id}") for kind in SCHEDULED)


def _answered(event: Event) -> list[RSVP]:
    return list(db.session.scalars(
        select(RSVP).where(RSVP.event_id == event.id,
                           RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
        .order_by(RSVP.id)))


def _fields(event: Event) -> dict:
    return {name: getattr(event, name) for name in PLACE_FIELDS}


def place_text(values: dict) -> str:
    return ", ".join(part for part in (values["venue_name"], values["venue_address"]) if part)


def time_text(start: datetime, end: datetime, zone: str, other_start: datetime) -> str:
    """Only the start time when the day stays the same ("19:30"), else the whole
    date and time; in the language the mail is written in."""
    tz = ZoneInfo(zone)
    if start.astimezone(tz).date() == other_start.astimezone(tz).date():
        hours = "Hm" if current_language() == "de" else "hm"
        return format_skeleton(hours, start.astimezone(tz), locale=format_locale())
    return when(start, end, zone)
