"""The statements a feed request runs, built once per process.

Building a statement costs more than running it, so each is built once with
its values as parameters (a club's slug, a token's hash, the window's start).
One statement finds the club or the person, the feed's state and the digest
of the feed's rows (``digest.row_digest``): that is all a 304 needs. A build
reads the rows with the digest again, so a feed changed in between is noticed
and not kept under the older ETag.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from meetup.calendar.digest import row_digest
from meetup.calendar.feeds import (
    Seen,
    group_feed_query,
    personal_feed_query,
    token_hash,
    window,
    window_start,
)
from meetup.calendar.render import Row
from meetup.extensions import db
from meetup.models import RSVP, Event, Group, RSVPStatus, User
from meetup.models.calendar import FeedState
from meetup.policy import visible_events as visible_event_condition
from meetup.search import storable

SINCE = bindparam("since")  # the start of the feeds' window, given per request
ROW_COLUMNS = (Event.id, Event.ical_uid, Event.sequence, Event.updated_at, Group.name,
               Event.timezone)


@dataclass(frozen=True)
class _Bound:
    """Stands for a group or person in a statement built once per process: its id
    is a parameter, so the access conditions of ``policy`` apply unchanged."""

    id: ColumnElement
    calendar_all_groups: bool = False
    is_authenticated: bool = True


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
    query = window(query.where(Event.group_id == group_id, visible_event_condition(None)),
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
    row = db.session.execute(_group_statements()[0], {"slug": slug, "since": window_start()}
                             ).first()
    return None if row is None else (row[0], row[1], Seen(row[2], row[3]))


def group_rows(group: Group) -> tuple[list[Row], tuple]:
    """The feed's events in order, and the digest they were read with."""
    rows = db.session.execute(_group_statements()[1], {"group_id": group.id,
                                                       "since": window_start()}).all()
    return [Row(*row[:6]) for row in rows], tuple(rows[0][6:]) if rows else ()


def _personal_digests(user: _Bound) -> list:
    """Digests of the person's feed and of all their answers (``user.id`` a
    parameter or a subquery), each computed once for the statement."""
    events = personal_feed_query(user, SINCE).with_only_columns(
        row_digest(Event.id, Event.sequence, Event.updated_at, Group.name))
    answers = select(row_digest(RSVP.event_id, RSVP.status, RSVP.updated_at)).where(
        RSVP.user_id == user.id)
    return [query.correlate(None).scalar_subquery() for query in (events, answers)]


@cache
def _user_stamp_statement() -> Select:
    # The person is found by the token in the digests too (an indexed lookup, no
    # correlation through the policy's nested conditions). Whether they want all
    # their clubs' events is only known from the row: the database computes the
    # digest the row asks for.
    user_id = select(User.id).where(
        User.calendar_token_hash == bindparam("token_hash")).scalar_subquery()
    only_answered, all_groups = (_personal_digests(_Bound(user_id, flag))
                                 for flag in (False, True))
    events = case((User.calendar_all_groups, all_groups[0]), else_=only_answered[0])
    return (select(User, FeedState.etag, FeedState.modified_at, events, all_groups[1])
            .outerjoin(FeedState, FeedState.key == _state_key("user", User.id))
            .where(User.calendar_token_hash == bindparam("token_hash")))


def user_stamp(token: str) -> tuple[User, tuple, Seen] | None:
    """The feed's owner, the digests of their feed and answers, and the feed's
    state: one statement."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_user_stamp_statement(), {"token_hash": token_hash(token),
                                                       "since": window_start()}).first()
    return None if row is None else (row[0], (row[3], row[4]), Seen(row[1], row[2]))


@cache
def _personal_rows_statement(all_groups: bool) -> Select:
    user = _Bound(bindparam("user_id"), all_groups)
    answer = aliased(RSVP)
    return personal_feed_query(user, SINCE).outerjoin(answer, and_(
        answer.event_id == Event.id, answer.user_id == user.id)).with_only_columns(
        *ROW_COLUMNS, answer.status, *_personal_digests(user)).order_by(
        Event.starts_at, Event.id)


def personal_rows(user: User) -> tuple[list[Row], tuple]:
    """The feed's events in order as the owner sees them, and the digests read with them."""
    rows = db.session.execute(_personal_rows_statement(user.calendar_all_groups),
                              {"user_id": user.id, "since": window_start()}).all()
    return [Row(*row[:6], tentative=row[6] == RSVPStatus.WAITLIST,
                show_online_link=row[6] == RSVPStatus.GOING, busy=row[6] == RSVPStatus.GOING)
            for row in rows], tuple(rows[0][7:]) if rows else ()


