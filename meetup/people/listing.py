"""Each event's attendee-list version, ``Event.roster_version``: raised in the
same transaction as every change to what an attendee list of that event shows.

A kept roster or rendered attendee block is kept under the version, so a change
is never shown stale: the next request simply misses. What changes a list:

- an answer (RSVP) written, changed (promotion, withdrawal, check-in, "don't
  list me") or deleted: its event;
- a person's profile, visibility or listing consent changed, or the account
  deleted: every coming event they are listed at;
- a membership (role, title, joining, leaving, a ban) or a block: the coming
  events its people are listed at (a title is shown there, and sharing a club
  decides who may see a profile).

Changes made through the session's unit of work are read before each flush; bulk
UPDATE, DELETE and INSERT statements on those tables are read before they run.
Both raise with one UPDATE … WHERE id IN (subquery).
"""

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, attributes

from meetup.models import RSVP, Block, Event, Membership, RSVPStatus, User, utcnow

LISTED = (RSVPStatus.GOING, RSVPStatus.WAITLIST)
# Account columns no attendee list shows or depends on.
UNSHOWN = frozenset({"email", "password_hash", "email_verified_at", "is_admin", "timezone",
                     "locale", "session_token", "calendar_token_hash", "calendar_all_groups",
                     "allow_introductions", "phone", "birthday_day", "birthday_month"})
PEOPLE_COLUMNS = {Membership: ("user_id",), Block: ("blocker_id", "blocked_id"),
                  User: ("id",)}


def bump(connection, event_ids=(), user_ids=()) -> None:
    """Raise the version of these events and of the coming events these people
    are listed at (their time of change stays what it was)."""
    table = Event.__table__
    conditions = []
    if event_ids:
        conditions.append(table.c.id.in_(sorted(set(event_ids))))
    if user_ids:
        conditions.append(table.c.id.in_(select(RSVP.event_id).where(
            RSVP.user_id.in_(sorted(set(user_ids))), RSVP.status.in_(LISTED))))
    for condition in conditions:
        connection.execute(update(table).where(condition, table.c.ends_at >= utcnow())
                           .values(roster_version=table.c.roster_version + 1,
                                   updated_at=table.c.updated_at))


def _profile_changed(user: User) -> bool:
    state = attributes.instance_state(user)
    return any(attr.key not in UNSHOWN and attr.history.has_changes()
               for attr in state.attrs)


def _changed(session: Session) -> tuple[set[int], set[int]]:
    event_ids, user_ids = set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, RSVP):  # a new answer may know its event only as an object
            event_ids.add(obj.event_id if obj.event_id is not None
                          else getattr(obj.event, "id", None))
        elif isinstance(obj, User):
            if obj in session.deleted or (obj not in session.new and _profile_changed(obj)):
                user_ids.add(obj.id)
        elif type(obj) in PEOPLE_COLUMNS:
            user_ids.update(getattr(obj, name) for name in PEOPLE_COLUMNS[type(obj)])
    return event_ids - {None}, user_ids - {None}


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances) -> None:
    """Before the rows go (a deleted account takes its answers with it)."""
    event_ids, user_ids = _changed(session)
    if event_ids or user_ids:
        bump(session.connection(), event_ids, user_ids)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """A statement writing many rows at once: read whom it touches first."""
    model = getattr(state.bind_mapper, "class_", None)
    if state.is_select or (model is not RSVP and model not in PEOPLE_COLUMNS):
        return
    connection = state.session.connection()
    columns = ("event_id",) if model is RSVP else PEOPLE_COLUMNS[model]
    if state.is_insert:
        rows = state.parameters or state.statement.compile(dialect=connection.dialect).params
        rows = rows if isinstance(rows, list) else [rows]
        ids = {row.get(name) for row in rows for name in columns} - {None}
    else:
        table = model.__table__
        where = state.statement.whereclause
        ids = {value for row in connection.execute(
            select(*(table.c[name] for name in columns))
            .where(*([] if where is None else [where]))) for value in row}
    if model is RSVP:
        bump(connection, event_ids=ids)
    else:
        bump(connection, user_ids=ids)
