"""Which events each feed holds, and a cheap fingerprint of them.

The ETag hashes everything a feed is written from (event ids, sequence numbers
and modification times, the clubs' names, the reader's answers, language and
options). The database hashes the rows itself (``digest.row_digest``), in the
same statement that finds the club or the reader and the feed's state, so a
conditional request that gets a 304 costs one or two small statements and
never builds the calendar. Last-Modified is the time a feed's ETag was first
seen; it is written only when the ETag changes.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import BindParameter, Select, String, and_, bindparam, cast, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from meetup.calendar.digest import row_digest
from meetup.calendar.ical import FORMAT_VERSION
from meetup.calendar.render import Row
from meetup.extensions import db
from meetup.groups.policy import member_group_ids, visible_event_condition
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    Group,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.models.calendar import FeedState
from meetup.search import storable

PAST_DAYS = 90  # feeds keep the last 90 days; cancelled events stay well past 30
LOAD_CHUNK = 500  # events loaded by id at most; more: the whole feed
ROW_COLUMNS = (Event.id, Event.ical_uid, Event.sequence, Event.updated_at, Group.name,
               Event.timezone)


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


@dataclass(frozen=True)
class Seen:
    """A feed's state as read together with its stamp (None: never served)."""

    etag: str | None = None
    modified_at: datetime | None = None


@dataclass(frozen=True)
class _Bound:
    """Stands for a group or person in a statement built once per process: its id
    is a parameter, so the access conditions of ``policy`` apply unchanged."""

    id: BindParameter
    calendar_all_groups: bool = False
    is_authenticated: bool = True


SINCE = bindparam("since")  # the start of the feeds' window, given per request


def _since() -> datetime:
    return utcnow() - timedelta(days=PAST_DAYS)


def _window(query: Select, since=None) -> Select:
    return query.where(Event.status != EventStatus.DRAFT,
                       Event.starts_at >= (_since() if since is None else since))


def group_feed_query(group: Group, since=None) -> Select:
    """What an anonymous visitor may see: public events of a public group."""
    return _window(select(Event).join(Event.group).where(
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
    return _window(select(Event).join(Event.group).where(visible, wanted), since)


def read_statement_by_statement() -> None:
    """Run this request's next statements each on its own, without BEGIN and
    ROLLBACK around them (PostgreSQL). A feed reads with single statements that
    are each consistent in themselves (rows come with the digest they were read
    with), and the two round trips saved are much of what a 304 costs. SQLite
    runs in our process and saves nothing; its transactions stay as they are."""
    session = db.session()
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _state_key(kind: str, id_column):
    return literal(f"{kind}:") + cast(id_column, String)


# Statements are built once (building one costs more than running it); values
# are parameters.

def _group_digest(group_id, correlated: bool):
    """The digest of the group feed's events: of the Group row of the enclosing
    statement, or (not correlated) computed once for the group ``group_id``."""
    query = select(row_digest(Event.id, Event.sequence, Event.updated_at)).select_from(Event)
    if not correlated:
        query = query.join(Event.group)
    query = _window(query.where(Event.group_id == group_id, visible_event_condition(None)),
                    SINCE)
    return query.correlate(Group if correlated else None).scalar_subquery()


@cache
def _group_statements() -> tuple[Select, Select]:
    stamp = (select(Group, _group_digest(Group.id, True), FeedState.etag,
                    FeedState.modified_at)
             .outerjoin(FeedState, FeedState.key == _state_key("group", Group.id))
             .where(Group.slug == bindparam("slug")))
    group = _Bound(bindparam("group_id"))
    rows = group_feed_query(group, SINCE).with_only_columns(
        *ROW_COLUMNS, _group_digest(group.id, False)).order_by(Event.starts_at, Event.id)
    return stamp, rows


def group_stamp(slug: str) -> tuple[Group, str | None, Seen] | None:
    """The group, the digest of its feed's events and the feed's state: one statement."""
    if not storable(slug):
        return None
    row = db.session.execute(_group_statements()[0], {"slug": slug, "since": _since()}
                             ).first()
    return None if row is None else (row[0], row[1], Seen(row[2], row[3]))


def group_rows(group: Group) -> tuple[list[Row], tuple]:
    """The feed's events in order, and the digest they were read with."""
    rows = db.session.execute(_group_statements()[1], {"group_id": group.id,
                                                       "since": _since()}).all()
    return [Row(*row[:6]) for row in rows], tuple(rows[0][6:]) if rows else ()


@cache
def _user_stamp_statement() -> Select:
    return (select(User, FeedState.etag, FeedState.modified_at)
            .outerjoin(FeedState, FeedState.key == _state_key("user", User.id))
            .where(User.calendar_token_hash == bindparam("token_hash")))


def user_stamp(token: str) -> tuple[User, Seen] | None:
    """The feed's owner and the feed's state: one statement."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_user_stamp_statement(), {"token_hash": _hash(token)}).first()
    return None if row is None else (row[0], Seen(row[1], row[2]))


@cache
def _personal_statements(all_groups: bool) -> tuple[Select, Select]:
    user = _Bound(bindparam("user_id"), all_groups)
    events = personal_feed_query(user, SINCE).with_only_columns(
        row_digest(Event.id, Event.sequence, Event.updated_at, Group.name))
    answers = select(row_digest(RSVP.event_id, RSVP.status, RSVP.updated_at)).where(
        RSVP.user_id == user.id)
    digests = [query.correlate(None).scalar_subquery() for query in (events, answers)]
    answer = aliased(RSVP)
    rows = personal_feed_query(user, SINCE).outerjoin(answer, and_(
        answer.event_id == Event.id, answer.user_id == user.id)).with_only_columns(
        *ROW_COLUMNS, answer.status, *digests).order_by(Event.starts_at, Event.id)
    return select(*digests), rows


def _personal(user: User, which: int):
    return db.session.execute(_personal_statements(user.calendar_all_groups)[which],
                              {"user_id": user.id, "since": _since()})


def personal_digest(user: User) -> tuple:
    """Digests of the feed's events and of all the owner's answers: one statement."""
    return tuple(_personal(user, 0).one())


def personal_rows(user: User) -> tuple[list[Row], tuple]:
    """The feed's events in order as the owner sees them, and the digests read with them."""
    rows = _personal(user, 1).all()
    return [Row(*row[:6], tentative=row[6] == RSVPStatus.WAITLIST,
                show_online_link=row[6] == RSVPStatus.GOING, busy=row[6] == RSVPStatus.GOING)
            for row in rows], tuple(rows[0][7:]) if rows else ()


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
    this ETag; otherwise commits its own small write."""
    if seen.etag == etag and seen.modified_at is not None:
        return seen.modified_at
    for _attempt in range(3):
        state = db.session.get(FeedState, key)
        if state is not None and state.etag == etag:
            return state.modified_at
        now = utcnow().replace(microsecond=0)
        if state is None:
            state = FeedState(key=key, etag=etag, modified_at=now)
            db.session.add(state)
        else:
            state.etag = etag
            state.modified_at = max(now, state.modified_at + timedelta(seconds=1))
        try:
            db.session.commit()
            return state.modified_at
        except IntegrityError:  # another process wrote the first state at the same time
            db.session.rollback()
    raise RuntimeError(f"feed state {key} keeps changing")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"calendar-feed:{secret}".encode(), "sha256").hexdigest()[:24]


def new_token(user: User) -> str:
    """A fresh secret (256 bits) with our signature; the old feed address stops working.
    The signature tells an address we once issued (410 Gone) from a made-up one (404)."""
    secret = secrets.token_urlsafe(32)
    token = f"{secret}.{_signature(secret)}"
    user.calendar_token_hash = _hash(token)
    return token


def was_issued(token: str) -> bool:
    secret, _dot, signature = token.rpartition(".")
    return bool(secret) and hmac.compare_digest(signature, _signature(secret))


def revoke_token(user: User) -> None:
    user.calendar_token_hash = None
