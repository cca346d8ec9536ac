"""Reading a series: its dates with their answers, and the line on each date's page."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from meetup import policy
from meetup.extensions import db
from meetup.i18n import format_locale
from meetup.models import RSVP, Event, EventSeries, Group, RSVPStatus, utcnow
from meetup.series import rules


@dataclass(frozen=True)
class Date:
    """One date of a series as its page lists it."""

    event: Event
    going: int  # seats taken, guests included
    waiting: int
    is_over: bool


@dataclass(frozen=True)
class Summary:
    """A series in a sentence: "every first Tuesday of the month", and how many dates."""

    id: int
    rule: str
    count: int


def _visible(series: EventSeries, viewer: policy.Viewer, group: Group):
    return (select(Event).join(Event.group)
            .where(Event.series_id == series.id, policy.visible_dates(viewer, group)))


def dates(series: EventSeries, group: Group, viewer: policy.Viewer) -> list[Date]:
    """Every date of the series the viewer may see, in order, with its answers:
    two queries, however many dates and answers there are."""
    events = db.session.scalars(_visible(series, viewer, group).options(
        joinedload(Event.group)).order_by(Event.starts_at, Event.id)).all()
    answers = _answers([event.id for event in events])
    now = utcnow()
    return [Date(event, *answers.get(event.id, (0, 0)), is_over=event.ends_at <= now)
            for event in events]


def _answers(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not event_ids:
        return {}
    seats = func.sum(case((RSVP.status == RSVPStatus.GOING, 1 + RSVP.guests), else_=0))
    waiting = func.sum(case((RSVP.status == RSVPStatus.WAITLIST, 1), else_=0))
    rows = db.session.execute(select(RSVP.event_id, seats, waiting)
                              .where(RSVP.event_id.in_(event_ids)).group_by(RSVP.event_id))
    return {event_id: (int(going or 0), int(waits or 0)) for event_id, going, waits in rows}


def describe(series: EventSeries, first_start: datetime, timezone: str) -> str:
    local = first_start.astimezone(ZoneInfo(timezone))
    return rules.describe(series, local, str(format_locale()))


def summary(event: Event, viewer: policy.Viewer) -> Summary | None:
    """For the event page: the series ``event`` belongs to, in one query."""
    if event.series_id is None:
        return None
    row = db.session.execute(
        select(EventSeries, func.count(Event.id), func.min(Event.starts_at))
        .join(Event, Event.series_id == EventSeries.id).join(Event.group)
        .where(EventSeries.id == event.series_id, policy.visible_dates(viewer, event.group))
        .group_by(EventSeries.id)).first()
    if row is None:
        return None
    series, count, first = row
    return Summary(series.id, describe(series, first, event.timezone), count)


def exists(series_id: int) -> bool:
    return db.session.get(EventSeries, series_id) is not None
