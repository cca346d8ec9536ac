"""Which events each feed holds, and a cheap fingerprint of them.

The fingerprint (ETag and Last-Modified) comes from a small query of ids,
sequence numbers and modification times, so a conditional request that gets
a 304 never builds the calendar.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.groups.policy import member_group_ids
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    EventVisibility,
    Group,
    RSVPStatus,
    User,
    Visibility,
    utcnow,
)

PAST_DAYS = 90  # feeds keep the last 90 days; cancelled events stay well past 30


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _window(query: Select) -> Select:
    return query.where(Event.status != EventStatus.DRAFT,
                       Event.starts_at >= utcnow() - timedelta(days=PAST_DAYS))


def group_feed_query(group: Group) -> Select:
    """What an anonymous visitor may see: public events of a public group."""
    return _window(select(Event).where(
        Event.group_id == group.id, Event.visibility == EventVisibility.PUBLIC,
        group.visibility == Visibility.PUBLIC))


def personal_feed_query(user: User) -> Select:
    """Events the person answered going or waitlist to and may still see, plus
    (if chosen) every event of their groups, members-only included."""
    mine = member_group_ids(user)
    answered = select(RSVP.event_id).where(
        RSVP.user_id == user.id, RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
    visible = Event.group_id.in_(mine) | (
        (Group.visibility == Visibility.PUBLIC) & (Event.visibility == EventVisibility.PUBLIC))
    wanted = Event.id.in_(answered)
    if user.calendar_all_groups:
        wanted = wanted | Event.group_id.in_(mine)
    return _window(select(Event).join(Event.group).where(visible, wanted))


def fingerprint(query: Select, *extra) -> Fingerprint:
    rows = db.session.execute(
        query.with_only_columns(Event.id, Event.sequence, Event.updated_at)
        .order_by(Event.id)).all()
    digest = hashlib.sha256(repr((rows, extra)).encode())
    stamps = [row.updated_at for row in rows] + [e for e in extra if isinstance(e, datetime)]
    return Fingerprint(digest.hexdigest()[:32], max(stamps) if stamps else None)


def events(query: Select) -> list[Event]:
    return list(db.session.scalars(
        query.options(joinedload(Event.group)).order_by(Event.starts_at, Event.id)))


def rsvp_states(user: User) -> dict[int, RSVP]:
    return {rsvp.event_id: rsvp for rsvp in db.session.scalars(
        select(RSVP).where(RSVP.user_id == user.id))}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(user: User) -> str:
    """A fresh secret (256 bits); the old feed address stops working."""
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = _hash(token)
    return token


def revoke_token(user: User) -> None:
    user.calendar_token_hash = None


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(User).where(User.calendar_token_hash == _hash(token)))
