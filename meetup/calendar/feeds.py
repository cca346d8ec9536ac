"""Which events each feed holds, and a cheap fingerprint of them.

The ETag hashes everything a feed is written from (event ids, sequence numbers
and modification times, the clubs' names, the reader's answers, language and
options); the database hashes the rows (see ``stamps``), so a conditional
request that gets a 304 costs one small statement and never builds the
calendar. Last-Modified is the time a feed's ETag was first seen; it is
written only when the ETag changes.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from meetup.calendar.ical import FORMAT_VERSION
from meetup.database import transaction
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, Group, RSVPStatus, User, utcnow
from meetup.models.calendar import FeedState
from meetup.policy import member_group_ids
from meetup.policy import visible_events as visible_event_condition

PAST_DAYS = 90  # feeds keep the last 90 days; cancelled events stay well past 30
LOAD_CHUNK = 500  # events loaded by id at most; more: the whole feed


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


@dataclass(frozen=True)
class Seen:
    """A feed's state as read together with its stamp (None: never served)."""

    etag: str | None = None
    modified_at: datetime | None = None


def window_start() -> datetime:
    return utcnow() - timedelta(days=PAST_DAYS)


def window(query: Select, since=None) -> Select:
    return query.where(Event.status != EventStatus.DRAFT,
                       Event.starts_at >= (window_start() if since is None else since))


def group_feed_query(group: Group, since=None) -> Select:
    """What an anonymous visitor may see: public events of a public group."""
    return window(select(Event).join(Event.group).where(
        Event.group_id == group.id, visible_event_condition(None)), since)


def personal_feed_query(user: User, since=None) -> Select:
    """Events the person answered going or waitlist to and may still see, plus
    (if chosen) every event of their groups, members-only included."""
    mine = member_group_ids(user)
    answered = select(RSVP.event_id).where(
        RSVP.user_id == user.id, RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
    visible = visible_event_condition(user)
    wanted = Event.id.in_(answered)
    if user.calendar_all_groups:
        wanted = wanted | Event.group_id.in_(mine)
    return window(select(Event).join(Event.group).where(visible, wanted), since)


def load_events(query: Select, ids: list[int]) -> list[Event]:
    """These events of the feed ``query``, with their groups, in one statement:
    by id when they are few, else the whole feed (a list of bound parameters as
    long as the feed would cost more than it saves)."""
    query = query.options(joinedload(Event.group))
    if len(ids) <= LOAD_CHUNK:
        return list(db.session.scalars(query.where(Event.id.in_(ids))))
    wanted = set(ids)
    return [event for event in db.session.scalars(query) if event.id in wanted]


def fingerprint(*parts, key: str | None = None, seen: Seen = Seen()) -> Fingerprint:
    """ETag of what a feed is written from; with a ``key``, also the feed's
    Last-Modified (remembered per key, so it never goes backwards)."""
    written_with = (FORMAT_VERSION, current_app.config["SITE_URL"],
                    current_app.config["MAIL_DEFAULT_SENDER"])
    digest = hashlib.sha256(repr((parts, written_with)).encode())
    etag = digest.hexdigest()[:32]
    return Fingerprint(etag, first_seen(key, etag, seen) if key else None)


def first_seen(key: str, etag: str, seen: Seen = Seen()) -> datetime:
    """When this feed first had this ETag: a new ETag moves it on, at least a second
    (HTTP dates have no finer resolution). Reads nothing when ``seen`` already has
    this ETag; otherwise writes, in a transaction of its own."""
    if seen.etag == etag and seen.modified_at is not None:
        return seen.modified_at
    for _attempt in range(3):
        state = db.session.get(FeedState, key)
        if state is not None and state.etag == etag:
            return state.modified_at
        try:
            with transaction():
                return _move_on(key, etag)
        except IntegrityError:  # another process wrote the first state at the same time
            continue
    raise RuntimeError(f"feed state {key} keeps changing")


def _move_on(key: str, etag: str) -> datetime:
    # Read again, locked: another process may have moved it on meanwhile.
    state = db.session.get(FeedState, key, with_for_update=True, populate_existing=True)
    now = utcnow().replace(microsecond=0)
    if state is None:
        state = FeedState(key=key, etag=etag, modified_at=now)
        db.session.add(state)
    elif state.etag != etag:
        state.etag = etag
        state.modified_at = max(now, state.modified_at + timedelta(seconds=1))
    db.session.flush()
    return state.modified_at


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"calendar-feed:{secret}".encode(), "sha256").hexdigest()[:24]


def new_token(user: User) -> str:
    """A fresh secret (256 bits) with our signature; the old feed address stops working.
    The signature tells an address we once issued (410 Gone) from a made-up one (404)."""
    secret = secrets.token_urlsafe(32)
    token = f"{secret}.{_signature(secret)}"
    user.calendar_token_hash = token_hash(token)
    return token


def was_issued(token: str) -> bool:
    secret, _dot, signature = token.rpartition(".")
    return bool(secret) and hmac.compare_digest(signature, _signature(secret))


def revoke_token(user: User) -> None:
    user.calendar_token_hash = None
