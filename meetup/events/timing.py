"""Local wall-clock times of events: which zones, which years, and the two
hours a year that daylight saving makes odd (one missing, one twice)."""

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global

# IANA areas of real places ("Europe/Berlin"); leaves out "localtime",
# "Factory", "Etc/GMT+5", "US/Eastern", "CET" and the like.
AREAS = frozenset({"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic",
                   "Australia", "Europe", "Indian", "Pacific"})
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST = datetime(FIRST_YEAR, 1, 1)
LATEST = datetime.combine(date(LAST_YEAR, 12, 31), time.max)


@functools.cache
def place_zones() -> frozenset[str]:
    """IANA names of places (Area/Location), plus UTC."""
    return frozenset(zone for zone in available_timezones()
                     if zone.split("/", 1)[0] in AREAS and "/" in zone) | {"UTC"}


@functools.cache
def listed_zones() -> tuple[str, ...]:
    """The zones to offer, one per place: those CLDR (Babel's data) knows under
    their current name and places in a country. Old names of the same place
    ("Asia/Calcutta" for "Asia/Kolkata", "Europe/Kiev") stay accepted, not listed."""
    territories = get_global("zone_territories")
    return (*sorted(zone for zone in place_zones() if zone in territories), "UTC")


def in_range(value: date | datetime) -> bool:
    if isinstance(value, datetime):
        return EARLIEST <= value <= LATEST
    return EARLIEST.date() <= value <= LATEST.date()


def aware(local: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    return local.replace(tzinfo=zone, fold=fold)


def to_utc(local: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The instant in UTC. Compare and subtract only these: Python compares
    two times of one zone by their wall clocks, ignoring the offsets."""
    return aware(local, zone, fold).astimezone(UTC)


def does_not_exist(local: datetime, zone: ZoneInfo) -> bool:
    """True in the hour skipped when the clocks go forward (02:30 in Berlin
    on the last Sunday of March): no instant has this wall-clock time."""
    back = aware(local, zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back != local


def is_ambiguous(local: datetime, zone: ZoneInfo) -> bool:
    """True in the hour that happens twice when the clocks go back."""
    return (not does_not_exist(local, zone)
            and aware(local, zone, 0).utcoffset() != aware(local, zone, 1).utcoffset())
