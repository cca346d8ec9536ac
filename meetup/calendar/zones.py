"""VTIMEZONE components built from the IANA database (zoneinfo), valid for any date.

icalendar's ``Timezone.from_tzinfo`` covers a fixed range only and writes the
onset of daylight time at the local time *after* the change (03:00 instead of
02:00 in Berlin). A range is dangerous on its own: readers such as vobject keep
the first definition they see for a TZID, so a feed whose range ends in 2029
makes an event in 2031 an hour off. Here every zone gets one definition, the
same in every feed: each change since ``FIRST`` as the standard requires
(DTSTART in the local time before the change), yearly patterns folded into
RRULEs, and the rule in force today left open-ended.
"""

import calendar as month_calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

FIRST = datetime(2000, 1, 1, tzinfo=UTC)  # no event here is older
HORIZON = datetime(2045, 1, 1, tzinfo=UTC)  # past tzdata's explicit transitions
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Change:
    at: datetime  # UTC
    before: timedelta
    after: timedelta
    name: str
    daylight: bool

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, before it happens (RFC 5545 3.6.5)."""
        return (self.at + self.before).replace(tzinfo=None)

    def pattern(self) -> tuple:
        """What a yearly rule must keep: offsets, name, month, weekday, time of day."""
        local = self.local
        return (self.before, self.after, self.name, self.daylight, local.month,
                local.weekday(), local.time())


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def changes(zone: ZoneInfo, start: datetime = FIRST, end: datetime = HORIZON) -> list[Change]:
    """Every change of UTC offset between start and end, to the second."""
    found, day, moment = [], timedelta(days=1), start
    while moment < end:
        before, after = _offset(zone, moment), _offset(zone, moment + day)
        if before != after:
            low, high = moment, moment + day
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(zone, middle) == before else (low, middle)
            high = high.replace(microsecond=0)
            local = high.astimezone(zone)
            found.append(Change(high, before, after, local.tzname() or "",
                                bool(local.dst())))
        moment += day
    return found


def _byday(run: list[Change]) -> str | None:
    """-1SU (last Sunday) or 2SU (second Sunday) if every change of the run fits it."""
    days = [change.local for change in run]
    weekday = WEEKDAYS[days[0].weekday()]
    if all(d.day + 7 > month_calendar.monthrange(d.year, d.month)[1] for d in days):
        return f"-1{weekday}"
    nth = {(d.day - 1) // 7 + 1 for d in days}
    return f"{nth.pop()}{weekday}" if len(nth) == 1 else None


def _runs(found: list[Change]) -> list[list[Change]]:
    """Group changes that recur every year on the same rule."""
    runs: list[list[Change]] = []
    for change in found:
        for run in runs:
            last = run[-1]
            if (last.pattern() == change.pattern()
                    and change.local.year == last.local.year + 1
                    and _byday([*run, change])):
                run.append(change)
                break
        else:
            runs.append([change])
    return runs


def _observance(run: list[Change], open_ended: bool):
    first = run[0]
    part = TimezoneDaylight() if first.daylight else TimezoneStandard()
    part.add("dtstart", first.local)
    part.add("tzoffsetfrom", first.before)
    part.add("tzoffsetto", first.after)
    if first.name:
        part.add("tzname", first.name)
    if len(run) > 1:
        rule = {"freq": "yearly", "bymonth": first.local.month, "byday": _byday(run)}
        if not open_ended:
            rule["until"] = run[-1].at
        part.add("rrule", rule)
    return part


@lru_cache(maxsize=64)
def _vtimezone_bytes(tzid: str) -> bytes:
    zone = ZoneInfo(tzid)
    component = Timezone()
    component.add("tzid", tzid)
    initial = FIRST.astimezone(zone)
    component.add_component(_observance([Change(
        FIRST, initial.utcoffset(), initial.utcoffset(), initial.tzname() or "",
        bool(initial.dst()))], False))
    for run in _runs(changes(zone)):
        component.add_component(_observance(run, run[-1].at.year >= HORIZON.year - 2))
    return component.to_ical()


def vtimezone(tzid: str) -> Timezone:
    """The zone as a VTIMEZONE, right for every date from 2000 on."""
    return Timezone.from_ical(_vtimezone_bytes(tzid))


@lru_cache(maxsize=64)
def vtimezone_bytes(tzid: str) -> bytes:
    """``vtimezone(tzid)`` as a calendar writes it (the same for every feed)."""
    return vtimezone(tzid).to_ical()
