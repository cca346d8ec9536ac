"""Times years ahead and on DST switch days read right in every reader, and each
VTIMEZONE's transitions are exactly those of the IANA database (zoneinfo)."""

import json
import subprocess
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from icalendar import vRecur

from meetup.extensions import db
from meetup.models import RSVP, User, utcnow
from tests.helpers import log_in
from tests.test_calendar import JS, READERS, personal_url, read_icaljs

ZONES = ("Europe/Berlin", "America/New_York")


def zone_transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple]:
    """(UTC instant, offset before, offset after) of every change between start and end."""
    found, day = [], timedelta(days=1)
    moment = start
    while moment < end:
        before, after = moment.astimezone(zone).utcoffset(), (moment + day).astimezone(
            zone).utcoffset()
        if before != after:
            low, high = moment, moment + day
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((high.replace(microsecond=0), before, after))
        moment += day
    return found


def switch_days(zone: ZoneInfo, year: int) -> list:
    start = datetime(year, 1, 1, tzinfo=UTC)
    return [instant.astimezone(zone).date() for instant, _before, _after in
            zone_transitions(zone, start, start.replace(year=year + 1))]


def unambiguous(local: datetime, zone: ZoneInfo) -> bool:
    """The wall-clock time exists exactly once (not in a gap, not in an overlap)."""
    first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    return exists and first.utcoffset() == second.utcoffset()


def wall_clock_times() -> list[tuple[str, datetime]]:
    """Events one, two and five years ahead, and on both switch days of six years."""
    now = utcnow()
    times = [("Europe/Berlin", datetime(2028, 1, 11, 19)),
             ("Europe/Berlin", datetime(2027, 10, 31, 10))]
    for zone_name in ZONES:
        zone = ZoneInfo(zone_name)
        for years in (1, 2, 5):
            times += [(zone_name, datetime(now.year + years, month, 11, 19)) for month in
                      (1, 7)]
            times.append((zone_name, (now + timedelta(days=365 * years)).astimezone(zone)
                          .replace(tzinfo=None, second=0, microsecond=0)))
        for year in range(now.year, now.year + 7):
            for day in switch_days(zone, year):
                for hour, minute in ((0, 30), (1, 30), (2, 30), (3, 30), (10, 0), (19, 0)):
                    local = datetime.combine(day, time(hour, minute))
                    if unambiguous(local, zone) and local.replace(tzinfo=zone) > now - \
                            timedelta(days=80):
                        times.append((zone_name, local))
    return times


def vtimezone_transitions(component, end: datetime) -> list[tuple]:
    """The changes a VTIMEZONE describes (DTSTART, RDATE and RRULE), as UTC instants."""
    found = []
    for part in component.walk():
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
        starts = [part.decoded("DTSTART")]
        rdates = part.get("RDATE", [])
        for value in rdates if isinstance(rdates, list) else [rdates]:
            starts += [item.dt for item in value.dts]
        if "RRULE" in part:
            rule = vRecur(part["RRULE"])
            if "UNTIL" in rule:  # UTC in the file; the rule runs in local time
                rule["UNTIL"] = [rule["UNTIL"][0].astimezone(UTC).replace(tzinfo=None) + before]
            rule = rrulestr(rule.to_ical().decode(), dtstart=starts[0])
            starts += rule.between(starts[0], end.replace(tzinfo=None))
        found += [(local.replace(tzinfo=UTC) - before, before, after) for local in starts
                  if before != after]
    return sorted(set(found))


def assert_zones_match_iana(data: bytes, times: list[tuple[str, datetime]]) -> None:
    calendar = icalendar.Calendar.from_ical(data)
    zones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    assert set(zones) == {name for name, _local in times}
    for name, component in zones.items():
        locals_ = [local.replace(tzinfo=ZoneInfo(name)).astimezone(UTC) for zone, local in times
                   if zone == name]
        start, end = min(locals_) - timedelta(days=2), max(locals_) + timedelta(days=2)
        written = [t for t in vtimezone_transitions(component, end) if start <= t[0] <= end]
        assert written == zone_transitions(ZoneInfo(name), start, end), name


def assert_wall_clock_everywhere(data: bytes, times: list[tuple[str, datetime]]) -> None:
    want = sorted(local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) for zone, local in times)
    for name, reader in READERS.items():
        got = sorted(row["start"] for row in reader(data))
        assert got == want, (name, [(a, b) for a, b in zip(got, want, strict=True) if a != b])
    read_icaljs(data)  # skips without Node
    parsed = json.loads(subprocess.run(["node", str(JS / "read_ics.mjs")], input=data,
                                       capture_output=True, check=True).stdout)
    shown = sorted((e["tzid"], e["localStart"]) for e in parsed["events"])
    assert shown == sorted((zone, local.isoformat()) for zone, local in times)


@pytest.fixture
def far_ahead(app, club, make_event):
    slug, owner_id = club
    times = wall_clock_times()
    ids = [make_event(slug, f"{zone} {local:%Y-%m-%d %H:%M}", local, zone=zone)
           for zone, local in times]
    return slug, owner_id, times, ids


def test_the_club_feed_shows_wall_clock_times_years_ahead(client, far_ahead):
    slug, _owner, times, _ids = far_ahead
    data = client.get(f"/groups/{slug}/calendar.ics").data
    assert_wall_clock_everywhere(data, times)
    assert_zones_match_iana(data, times)


def test_the_personal_feed_shows_wall_clock_times_years_ahead(app, client, far_ahead):
    _slug, owner_id, times, ids = far_ahead
    with app.app_context():
        owner = db.session.get(User, owner_id)
        db.session.add_all([RSVP(event_id=event_id, user_id=owner.id) for event_id in ids])
        email = owner.email
        db.session.commit()
    log_in(client, email)
    data = app.test_client().get(personal_url(client)).data
    assert_wall_clock_everywhere(data, times)
    assert_zones_match_iana(data, times)


@pytest.mark.parametrize("zone, local", [("Europe/Berlin", datetime(2028, 1, 11, 19)),
                                         ("Europe/Berlin", datetime(2027, 10, 31, 10)),
                                         ("Europe/Berlin", datetime(2027, 3, 28, 3, 30)),
                                         ("America/New_York", datetime(2031, 3, 9, 3, 30))])
def test_a_single_download_far_ahead(app, client, club, zone, local, make_event):
    slug, _owner = club
    event_id = make_event(slug, "Einzeln", local, zone=zone)
    data = client.get(f"/events/{event_id}.ics").data
    assert_wall_clock_everywhere(data, [(zone, local)])
    assert_zones_match_iana(data, [(zone, local)])



def test_every_file_carries_the_same_definition_of_a_zone(app, client, club, make_event):
    """Readers such as vobject keep the first VTIMEZONE they see for a TZID."""
    slug, _owner = club
    near = make_event(slug, "Bald", (utcnow() + timedelta(days=3)).replace(tzinfo=None))
    far = make_event(slug, "Weit", datetime(2033, 7, 1, 19))

    def berlin(url):
        zones = icalendar.Calendar.from_ical(client.get(url).data).walk("VTIMEZONE")
        return [zone.to_ical() for zone in zones if str(zone["TZID"]) == "Europe/Berlin"]

    assert berlin(f"/events/{near}.ics") == berlin(f"/events/{far}.ics") == berlin(
        f"/groups/{slug}/calendar.ics")
