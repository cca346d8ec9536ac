"""The attendee preview of an event: who is coming, as far as each allows,
and whom the viewer should meet. A fixed number of queries for any size."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.models import RSVP, Event, Membership, RSVPStatus, User
from meetup.people.matching import Person, Suggestion, key, suggest
from meetup.policy import visible_profiles


@dataclass
class Preview:
    going: list[RSVP] = field(default_factory=list)
    waiting: list[RSVP] = field(default_factory=list)
    unlisted_going: int = 0  # counted, not named
    unlisted_waiting: int = 0
    titles: dict[int, str] = field(default_factory=dict)
    suggestions: list[Suggestion] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def person(user: User) -> Person:
    return Person(user.id, user.name, user.industry or "", tuple(user.topics or ()),
                  tuple(user.offers or ()), tuple(user.needs or ()))


def build(event: Event, viewer: User, industry: str = "", topic: str = "",
          sort: str = "name") -> Preview:
    rows = db.session.scalars(
        select(RSVP).options(joinedload(RSVP.user))
        .where(RSVP.event_id == event.id,
               RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
        .order_by(RSVP.waitlisted_at, RSVP.id)).all()
    visible = visible_profiles(viewer, [row.user for row in rows])
    listed = [row for row in rows if row.user_id in visible and not row.hidden]
    unlisted = [row for row in rows if row.user_id not in visible or row.hidden]
    preview = Preview(
        unlisted_going=sum(1 for r in unlisted if r.status == RSVPStatus.GOING),
        unlisted_waiting=sum(1 for r in unlisted if r.status == RSVPStatus.WAITLIST))
    preview.industries = sorted({r.user.industry for r in listed if r.user.industry})
    preview.topics = sorted({t for r in listed for t in (r.user.topics or [])}, key=key)
    shown = [r for r in listed if (not industry or r.user.industry == industry)
             and (not topic or key(topic) in {key(t) for t in r.user.topics or []})]
    order = (lambda r: (key(r.user.company or "~"), key(r.user.name))) if sort == "company" \
        else (lambda r: key(r.user.name))
    preview.going = sorted((r for r in shown if r.status == RSVPStatus.GOING), key=order)
    preview.waiting = [r for r in shown if r.status == RSVPStatus.WAITLIST]
    ids = [r.user_id for r in listed]
    if ids:
        preview.titles = dict(db.session.execute(
            select(Membership.user_id, Membership.title).where(
                Membership.group_id == event.group_id, Membership.user_id.in_(ids),
                Membership.title != "")).all())
    preview.suggestions = suggest(person(viewer), [person(r.user) for r in listed])
    return preview
