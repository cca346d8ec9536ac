"""Reading events: what a visitor may see, and how many are going."""

from collections.abc import Sequence

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.groups.policy import visible_event_condition
from meetup.models import (
    RSVP,
    Event,
    Group,
    RSVPStatus,
    User,
    utcnow,
)


def visible_events(user: User | None) -> Select:
    """Published or cancelled events the person may see: public events of public
    groups, plus every event of the groups they belong to."""
    return (
        select(Event)
        .join(Event.group)
        .where(visible_event_condition(user))
        .options(joinedload(Event.group))
    )


def upcoming_events(user: User | None, group: Group | None = None,
                    limit: int = 12) -> Sequence[Event]:
    query = visible_events(user).where(Event.ends_at >= utcnow()).order_by(Event.starts_at)
    if group is not None:
        query = query.where(Event.group_id == group.id)
    return db.session.scalars(query.limit(limit)).all()


def going_counts(events: Sequence[Event]) -> dict[int, int]:
    """People going (guests included) per event, in one query."""
    if not events:
        return {}
    rows = db.session.execute(
        select(RSVP.event_id, func.count(RSVP.id) + func.coalesce(func.sum(RSVP.guests), 0))
        .where(RSVP.event_id.in_([event.id for event in events]),
               RSVP.status == RSVPStatus.GOING)
        .group_by(RSVP.event_id)
    )
    return {event_id: int(count) for event_id, count in rows}


def event_counts(event: Event) -> dict[str, int | None]:
    """Seats taken (guests included), people waiting, seats left: one query."""
    seats = func.coalesce(func.sum(case((RSVP.status == RSVPStatus.GOING, 1 + RSVP.guests),
                                        else_=0)), 0)
    waiting = func.coalesce(func.sum(case((RSVP.status == RSVPStatus.WAITLIST, 1),
                                          else_=0)), 0)
    going, waitlist = db.session.execute(
        select(seats, waiting).where(RSVP.event_id == event.id)).one()
    left = None if event.capacity is None else max(event.capacity - going, 0)
    return {"going": int(going), "waitlist": int(waitlist), "left": left}
