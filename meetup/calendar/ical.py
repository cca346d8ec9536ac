"""A pure iCalendar builder: events in, bytes out. No request, no access rules.

Views decide which events a person may see; this module only writes them,
with the ``icalendar`` library, in a form every mainstream client reads:
stable UIDs, SEQUENCE, deterministic DTSTAMP, times in the event's zone with
a VTIMEZONE for each zone used.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta

from icalendar import Calendar, vCalAddress, vDDDTypes
from icalendar import Event as VEvent

from meetup.calendar import zones
from meetup.models import Event, EventStatus
from meetup.text import plain_text

PRODID = "-//Treffpunkt//Treffpunkt Events//DE"
UID_DOMAIN = "treffpunkt"
KIND_CATEGORY = {"stammtisch": "Stammtisch", "talk": "Vortrag", "evening": "Abendveranstaltung",
                 "workshop": "Workshop", "other": "Sonstiges"}


@dataclass(frozen=True)
class Entry:
    """One event as one person may see it."""

    event: Event
    url: str
    tentative: bool = False  # waitlisted
    show_online_link: bool = False  # only for people who are going


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


def uid(event: Event) -> str:
    return f"event-{event.id}@{UID_DOMAIN}"


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
        text = f"Abgesagt / Cancelled: {event.cancel_reason}\n\n{text}".strip()
    if event.speaker:
        text = f"{text}\n\n{event.speaker}".strip()
    return f"{text}\n\n{entry.url}".strip()


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
    component.add("summary", event.title)
    component.add("description", _description(entry))
    component.add("url", entry.url)
    location = _location(entry)
    if location:
        component.add("location", location)
    component.add("categories", [KIND_CATEGORY.get(str(event.kind), "Sonstiges")])
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = event.group.name
    component.add("organizer", organizer)
    component.add("status", _status(entry))
    component.add("transp", "TRANSPARENT" if entry.tentative else "OPAQUE")
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params.update({"cn": attendee.name, "role": "REQ-PARTICIPANT",
                               "partstat": "ACCEPTED" if not entry.tentative else "TENTATIVE"})
        component.add("attendee", address)
    return component


def build(entries: Iterable[Entry], *, name: str, description: str, organizer_email: str,
          method: str = "PUBLISH", attendee: Attendee | None = None) -> bytes:
    """The calendar as bytes. ``method`` REQUEST or CANCEL with an ``attendee``
    makes an invitation for mail; PUBLISH (the default) a feed or download."""
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", vDDDTypes(timedelta(hours=1)),
                 parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        component = vevent(entry, organizer_email, attendee)
        if method == "CANCEL":
            component["status"] = "CANCELLED"
        calendar.add_component(component)
    # Before the events, as readers that stream the file need them first.
    for index, tzid in enumerate(sorted({e.event.timezone for e in entries})):
        calendar.subcomponents.insert(index, zones.vtimezone(tzid))
    return calendar.to_ical()

