"""Published feeds written from kept parts: the bytes ``ical.build`` writes for the
same events, without writing again what has not changed.

A feed is ``ical.head``, a VTIMEZONE for each zone its events use, each event's
VEVENT in feed order, then ``ical.END``. VEVENTs come from the cache where their
key (everything they are written from) is known; only the others are loaded and
written, and kept for the next feed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version

from flask import current_app
from flask_babel import force_locale

from meetup.calendar import ical, zones
from meetup.calendar.cache import caches
from meetup.models import Event
from meetup.urls import external_url

# A new library release may write the same data differently.
WRITER = (ical.FORMAT_VERSION, version("icalendar"))


@dataclass(frozen=True)
class Row:
    """One event of a feed as the reader sees it: what its VEVENT is written from
    (the event's modification time stands for all its own fields)."""

    event_id: int
    uid: str
    sequence: int
    updated_at: datetime
    group_name: str
    timezone: str
    tentative: bool = False
    show_online_link: bool = False
    busy: bool = True

    @classmethod
    def of(cls, event: Event, **view) -> "Row":
        return cls(event.id, event.ical_uid, event.sequence, event.updated_at,
                   event.group.name, event.timezone, **view)

    def key(self, context: tuple) -> tuple:
        return (self.uid, self.event_id, self.sequence, self.updated_at, self.group_name,
                self.tentative, self.show_online_link, self.busy, *context)


@dataclass(frozen=True)
class Written:
    body: bytes
    fresh: bool  # every event loaded was still as its row said: the body matches the rows
    left_out: int  # events that cannot be written (logged)


def event_url(event_id: int) -> str:
    return external_url("events.show", event_id=event_id)


def feed(rows: list[Row], *, name: str, description: str, organizer_email: str,
         language: str, load: Callable[[list[int]], list[Event]]) -> Written:
    """The feed of these rows, in their order; ``load`` fetches the events whose
    VEVENT is not kept."""
    store = caches()
    context = (*WRITER, current_app.config["SITE_URL"], organizer_email, language)
    keys = [row.key(context) for row in rows]
    found = store.vevents(keys)
    blocks = {row.event_id: (found[key], row.timezone)
              for row, key in zip(rows, keys, strict=True) if key in found}
    missing = [row for row in rows if row.event_id not in blocks]
    fresh = True
    if missing:
        written, fresh = _write(missing, context, organizer_email, language, load)
        store.keep_vevents({key: data for key, data, _zone in written.values()})
        blocks.update({event_id: (data, zone) for event_id, (_key, data, zone)
                       in written.items()})
    used = [blocks[row.event_id] for row in rows if row.event_id in blocks]
    tzids = sorted({zone for data, zone in used if data})
    body = b"".join([ical.head(name, description),
                     *(zones.vtimezone_bytes(tzid) for tzid in tzids),
                     *(data for data, _zone in used), ical.END])
    return Written(body, fresh and len(used) == len(rows),
                   sum(1 for data, _zone in used if not data))


def _write(rows: list[Row], context: tuple, organizer_email: str, language: str, load):
    """By event id: the key of what its VEVENT was written from, the VEVENT (b"" for
    an event that cannot be written) and its zone; and whether all matched their rows."""
    events = {event.id: event for event in load([row.event_id for row in rows])}
    written, fresh = {}, len(events) == len(rows)
    with force_locale(language):
        for row in rows:
            event = events.get(row.event_id)
            if event is None:
                continue  # deleted since the rows were read
            view = {"tentative": row.tentative, "show_online_link": row.show_online_link,
                    "busy": row.busy}
            current = Row.of(event, **view)
            fresh = fresh and current == row
            entry = ical.Entry(event, event_url(event.id), **view)
            data = ical.vevent_bytes(entry, organizer_email) or b""
            written[event.id] = (current.key(context), data, event.timezone)
    return written, fresh
