"""The data export as a ZIP: a pure builder (what was read in, bytes out).

``data.json`` holds the person's own data; other people appear only by the
name the person already knew them by. Who may download is the view's business.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from meetup.models import (
    RSVP,
    Application,
    Block,
    ConsentRecord,
    ContactCard,
    Event,
    MeetingMark,
    Membership,
    OutboxMessage,
    User,
)

FORMAT = "treffpunkt-export/1"
ACCOUNT_FIELDS = ("id", "email", "name", "locale", "timezone", "created_at",
                  "email_verified_at", "profile_visibility", "listed_as_attendee")
PROFILE_FIELDS = ("headline", "position", "company", "industry", "city", "topics", "offers",
                  "needs", "website", "linkedin", "xing", "bio")


@dataclass
class Bundle:
    user: User
    memberships: list[Membership] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    rsvps: list[RSVP] = field(default_factory=list)
    cards: list[ContactCard] = field(default_factory=list)
    shared: dict[int, list[Event]] = field(default_factory=dict)  # contact id → events
    tags: dict[int, list[str]] = field(default_factory=dict)  # card id → tags
    marks_made: list[MeetingMark] = field(default_factory=list)
    marks_received: list[MeetingMark] = field(default_factory=list)
    marked: dict[int, str] = field(default_factory=dict)  # user id → name
    blocks: list[Block] = field(default_factory=list)
    mails: list[OutboxMessage] = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _pick(obj, names) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def _event(event: Event) -> dict:
    return {"id": event.id, "title": event.title, "club": event.group.name,
            "starts_at": _value(event.starts_at), "ends_at": _value(event.ends_at),
            "timezone": event.timezone, "status": _value(event.status)}


def _rsvp(rsvp: RSVP) -> dict:
    return {"event": _event(rsvp.event), **_pick(rsvp, (
        "status", "guests", "hidden", "waitlisted_at", "checked_in_at", "created_at",
        "updated_at"))}


def _contact(bundle: Bundle, card: ContactCard) -> dict:
    return {"name": card.other.name, "note": card.note, "tags": bundle.tags.get(card.id, []),
            "follow_up_on": _value(card.follow_up_on), "reminded_at": _value(card.reminded_at),
            "met_at": [_event(event) for event in bundle.shared.get(card.contact_id, [])]}


def _marks(bundle: Bundle) -> dict:
    # Whether a mark was ignored is the other person's business: not in the marker's export.
    made = [{"event": _event(mark.event), "person": bundle.marked.get(mark.marked_id, ""),
             "created_at": _value(mark.created_at)} for mark in bundle.marks_made]
    received = [{"event": _event(mark.event), "person": mark.marker.name,
                 "created_at": _value(mark.created_at),
                 "ignored_at": _value(mark.dismissed_at)} for mark in bundle.marks_received]
    return {"made": made, "received": received}


def _mail(message: OutboxMessage) -> dict:
    return _pick(message, ("kind", "subject", "state", "created_at", "sent_at", "locale"))


def data(bundle: Bundle, exported_at: datetime) -> dict:
    """The JSON document: the person's account, profile and everything they did."""
    user = bundle.user
    return {
        "format": FORMAT, "exported_at": _value(exported_at),
        "account": _pick(user, ACCOUNT_FIELDS),
        "profile": {**_pick(user, PROFILE_FIELDS), "photo": "photo.png" if user.photo else None},
        "memberships": [{"club": m.group.name, **_pick(m, ("role", "title", "created_at"))}
                        for m in bundle.memberships],
        "applications": [{"club": a.group.name, **_pick(a, (
            "message", "status", "created_at", "decided_at"))} for a in bundle.applications],
        "rsvps": [_rsvp(rsvp) for rsvp in bundle.rsvps],
        "contacts": [_contact(bundle, card) for card in bundle.cards],
        "marks": _marks(bundle),
        "blocked": [{"name": b.blocked.name, "created_at": _value(b.created_at)}
                    for b in bundle.blocks],
        "mails": [_mail(message) for message in bundle.mails],
        "calendar_feed": {"active": user.calendar_token_hash is not None,
                          "all_groups": user.calendar_all_groups},
        "consents": [_pick(c, ("kind", "granted", "recorded_at")) for c in bundle.consents],
    }


def archive(document: dict, files: dict[str, bytes]) -> bytes:
    """The ZIP: ``data.json`` and the other ``files`` (vCard, calendar, photo)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, body in files.items():
            zipped.writestr(name, body)
    return buffer.getvalue()
