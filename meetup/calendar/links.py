"""'Add to calendar' links for web calendars that cannot open a file."""

from datetime import UTC
from urllib.parse import urlencode

from meetup.models import Event


def _stamp(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _place(event: Event) -> str:
    return ", ".join(part for part in (event.venue_name, event.venue_address) if part)


def google(event: Event, url: str) -> str:
    query = {"action": "TEMPLATE", "text": event.title,
             "dates": f"{_stamp(event.starts_at)}/{_stamp(event.ends_at)}",
             "ctz": event.timezone, "details": url, "location": _place(event)}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook(event: Event, url: str) -> str:
    query = {"path": "/calendar/action/compose", "rru": "addevent", "subject": event.title,
             "startdt": _iso(event.starts_at), "enddt": _iso(event.ends_at), "body": url,
             "location": _place(event)}
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
