"""Series: the dates a rule makes, the preview shown before they are saved, which
dates a change reaches ("this", "this and following", "all"), and the rule in words.

A series always ends: on a last date or after a number of dates, never open-ended,
and never with more than ``MAX_OCCURRENCES`` dates. Changes to several dates never
touch a date that is over: past evenings stay as they happened (their attendance
record included). The changes themselves are in ``services``.
"""

import enum
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import Event, EventSeries, SeriesFrequency, utcnow

MAX_OCCURRENCES = 104  # two years of weekly evenings
# What an empty "number of dates" means: about a quarter of weekly evenings,
# a year of monthly ones. The form shows it before anything is saved.
DEFAULT_COUNTS = {SeriesFrequency.WEEKLY: 10, SeriesFrequency.MONTHLY_WEEKDAY: 12,
                  SeriesFrequency.MONTHLY_DAY: 12}


class Scope(enum.StrEnum):
    THIS = "this"
    FOLLOWING = "following"  # this date and the later ones
    ALL = "all"  # every date of the series that is not over


@dataclass
class Repeat:
    frequency: SeriesFrequency
    interval: int = 1
    until: date | None = None
    count: int | None = None


def occurrences(start: datetime, repeat: Repeat) -> list[datetime]:
    """Local start times of a series; the wall-clock time never moves, also
    across daylight-saving changes, because it is computed before the zone."""
    if repeat.until is None and repeat.count is None:
        raise RuleError(_l("A series needs an end: a last date or a number of dates."), 422)
    if repeat.count is not None and repeat.count > MAX_OCCURRENCES:
        raise RuleError(_too_many(repeat.count), 422)
    rule = {"interval": repeat.interval, "dtstart": start}
    if repeat.frequency == SeriesFrequency.WEEKLY:
        rule["freq"] = WEEKLY
    elif repeat.frequency == SeriesFrequency.MONTHLY_WEEKDAY:
        nth = (start.day - 1) // 7 + 1
        rule.update(freq=MONTHLY, byweekday=weekday(start.weekday(), -1 if nth == 5 else nth))
    else:
        rule.update(freq=MONTHLY, bymonthday=start.day)
    if repeat.until:
        rule["until"] = datetime.combine(repeat.until, start.time())
    else:
        rule["count"] = repeat.count
    starts = list(rrule(**rule))  # bounded: dates end in 2100 at the latest
    if len(starts) > MAX_OCCURRENCES:
        raise RuleError(_too_many(len(starts)), 422)
    if not starts:
        raise RuleError(_l("The series must end on or after its first date."), 422)
    return starts


def _too_many(number: int):
    return _l("This series would have %(num)d dates; a series can have at most %(max)d. "
              "Please choose an earlier end or fewer dates.", num=number, max=MAX_OCCURRENCES)


class Preview:
    """The dates a new series will have, shown before it is saved. Its
    ``signature`` goes into the form: the confirmation saves exactly these
    dates, or (when a field changed in between) shows the new ones first."""

    def __init__(self, starts: list[datetime], timezone: str, length: timedelta):
        zone = ZoneInfo(timezone)
        self.dates = [start.replace(tzinfo=zone) for start in starts]
        self.ends = [(start + length).replace(tzinfo=zone) for start in starts]
        self.timezone = timezone
        text = timezone + "|" + "|".join(start.isoformat() for start in starts)
        self.signature = hashlib.sha256(text.encode()).hexdigest()[:20]

    @property
    def count(self) -> int:
        return len(self.dates)


def dates_in_scope(event: Event, scope: Scope) -> list[Event]:
    """The dates a change to ``event`` with ``scope`` reaches, in start order:
    ``event`` itself, and with a wider scope the dates of its series that are
    not over (from ``event`` on for FOLLOWING). Locked in one order (by id)."""
    if scope == Scope.THIS or event.series_id is None:
        return [event]
    query = select(Event).where(Event.series_id == event.series_id,
                                or_(Event.id == event.id, Event.ends_at > utcnow()))
    if scope == Scope.FOLLOWING:
        query = query.where(Event.starts_at >= event.starts_at)
    query = query.order_by(Event.id).with_for_update()
    return sorted(db.session.scalars(query).all(), key=lambda e: (e.starts_at, e.id))


# --- words ---------------------------------------------------------------------------

ORDINALS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}


def describe(series: EventSeries, first_start: datetime, locale: str) -> str:
    """The rule in words, e.g. "every first Tuesday of the month", from the
    local start of the series' first date."""
    day_name = get_day_names("wide", locale=locale)[first_start.weekday()]
    interval = series.interval or 1
    if series.frequency == SeriesFrequency.WEEKLY:
        if interval == 1:
            return _("every week on %(weekday)s", weekday=day_name)
        return _("every %(num)d weeks on %(weekday)s", num=interval, weekday=day_name)
    if series.frequency == SeriesFrequency.MONTHLY_WEEKDAY:
        nth = (first_start.day - 1) // 7 + 1
        ordinal = ORDINALS[-1 if nth == 5 else nth]
        if interval == 1:
            return _("every %(nth)s %(weekday)s of the month", nth=ordinal, weekday=day_name)
        return _("every %(num)d months on the %(nth)s %(weekday)s", num=interval, nth=ordinal,
                 weekday=day_name)
    if interval == 1:
        return _("every month on day %(day)d", day=first_start.day)
    return _("every %(num)d months on day %(day)d", num=interval, day=first_start.day)
