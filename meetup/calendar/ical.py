"""A pure iCalendar builder: events in, bytes out. No request, no access rules.

Views decide which events a person may see; this module only writes them,
with the ``icalendar`` library, in a form every mainstream client reads:
stable UIDs, SEQUENCE, deterministic DTSTAMP, times in the event's zone with
a VTIMEZONE for each zone used.
"""

import logging
import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, vCalAddress, vDDDTypes, vText
from icalendar import Event as VEvent

from meetup.calendar import zones
from meetup.models import Event, EventStatus
from meetup.text import plain_text

log = logging.getLogger(__name__)
PRODID = "-//Treffpunkt//Treffpunkt Events//DE"
# Part of every ETag: a new way of writing the same data is new content.
FORMAT_VERSION = 2
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
KIND_CATEGORY = {"stammtisch": "Stammtisch", "talk": "Vortrag", "evening": "Abendveranstaltung",
                 "workshop": "Workshop", "other": "Sonstiges"}


@dataclass(frozen=True)
class Entry:
    """One event as one person may see it."""

    event: Event
    url: str
    tentative: bool = False  # waitlisted
    show_online_link: bool = False  # only for people who are going
    busy: bool = True  # False: shown as free time (declined, not answered)


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


def uid(event: Event) -> str:
    return event.ical_uid


def text(value: str) -> vText:
    """A TEXT value: line breaks as \\n (the library escapes , ; \\ and newlines),
    other control characters, which no content line may hold, dropped."""
    return vText(_CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")))


def _param(value: str) -> str:
    """A parameter value (CN) cannot hold line breaks or double quotes at all."""
    return " ".join(_CONTROL.sub(" ", value.replace("\n", " ")).replace('"', "'").split())


def _location(entry: Entry) -> str:
    event = entry.event
    parts = [part for part in (event.venue_name, event.venue_address) if part]
    if event.online_url and entry.show_online_link:
        parts.append(event.online_url)
    return ", ".join(parts) or ("Online" if event.online_url else "")


def _description(entry: Entry) -> str:
    event = entry.event
    text = plain_text(event.description)
    if event.status == EventStatus.CANCELLED and event.cancel_reason:
        text = f"{_cancelled(event.cancel_reason)}\n\n{text}".strip()
    if event.speaker:
        text = f"{text}\n\n{event.speaker}".strip()
    return f"{text}\n\n{entry.url}".strip()


def _cancelled(value: str) -> str:
    return _("Cancelled: %(text)s", text=value)


def _summary(event: Event) -> str:
    # Many clients ignore STATUS:CANCELLED and would show a normal appointment.
    return _cancelled(event.title) if event.status == EventStatus.CANCELLED else event.title


def _status(entry: Entry) -> str:
    if entry.event.status == EventStatus.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if entry.tentative else "CONFIRMED"


def vevent(entry: Entry, organizer_email: str, attendee: Attendee | None = None) -> VEvent:
    event = entry.event
    component = VEvent()
    component.add("uid", uid(event))
    component.add("sequence", event.sequence)
    # DTSTAMP from the data, not the clock: the same content gives the same bytes.
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("dtstart", event.starts_at.astimezone(event.zone))
    component.add("dtend", event.ends_at.astimezone(event.zone))
    component.add("summary", text(_summary(event)))
    component.add("description", text(_description(entry)))
    component.add("url", entry.url)
    location = _location(entry)
    if location:
        component.add("location", text(location))
    component.add("categories", [KIND_CATEGORY.get(str(event.kind), "Sonstiges")])
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = _param(event.group.name)
    component.add("organizer", organizer)
    component.add("status", _status(entry))
    component.add("transp", "OPAQUE" if entry.busy and not entry.tentative else "TRANSPARENT")
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params.update({"cn": _param(attendee.name), "role": "REQ-PARTICIPANT",
                               "partstat": "ACCEPTED" if not entry.tentative else "TENTATIVE"})
        component.add("attendee", address)
    return component


def _calendar(name: str, description: str, method: str) -> Calendar:
    """The calendar's own properties, before any component."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for key in ("name", "x-wr-calname"):
        calendar.add(key, text(name))
    for key in ("description", "x-wr-caldesc"):
        calendar.add(key, text(description))
    calendar.add("refresh-interval", vDDDTypes(timedelta(hours=1)),
                 parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def build(entries: Iterable[Entry], *, name: str, description: str, organizer_email: str,
          method: str = "PUBLISH", attendee: Attendee | None = None,
          language: str | None = None) -> bytes:
    """The calendar as bytes, its texts in ``language`` (default: the current one).
    ``method`` REQUEST or CANCEL with an ``attendee`` makes an invitation for mail;
    PUBLISH (the default) a feed or download. An event that cannot be written
    (a date beyond the calendar's range) is left out and logged: one bad row never
    breaks a feed."""
    calendar = _calendar(name, description, method)
    tzids = set()
    with force_locale(language) if language else nullcontext():
        for entry in entries:
            component = writable(entry, organizer_email, attendee)
            if component is None:
                continue
            if method == "CANCEL":
                component["status"] = "CANCELLED"
            calendar.add_component(component)
            tzids.add(entry.event.timezone)
    # Before the events, as readers that stream the file need them first.
    for index, tzid in enumerate(sorted(tzids)):
        calendar.subcomponents.insert(index, zones.vtimezone(tzid))
    return calendar.to_ical()


def writable(entry: Entry, organizer_email: str, attendee: Attendee | None = None):
    """The VEVENT, or None (logged) when the event's data cannot be written."""
    component = _written(entry, organizer_email, attendee)
    return component and component[0]


def vevent_bytes(entry: Entry, organizer_email: str) -> bytes | None:
    """The VEVENT of a published feed exactly as ``build`` writes it, or None (logged)
    when the event cannot be written. ``build`` is ``head``, the VTIMEZONEs of the
    zones used, these blocks in order, then ``END``; callers set the language."""
    component = _written(entry, organizer_email)
    return component and component[1]


def _written(entry: Entry, organizer_email: str, attendee: Attendee | None = None):
    try:
        component = vevent(entry, organizer_email, attendee)
        data = component.to_ical()  # fails here, not halfway through the whole calendar
        zones.vtimezone_bytes(entry.event.timezone)
    except (OverflowError, ValueError, AssertionError, LookupError) as error:
        log.warning("Event %s left out of a calendar: %r", entry.event.id, error)
        return None
    return component, data


END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def head(name: str, description: str) -> bytes:
    """A published feed's first lines, up to its first component."""
    data = _calendar(name, description, "PUBLISH").to_ical()
    assert data.endswith(END)
    return data[: -len(END)]
