"""Reading events: what a visitor may see, how many are going, who is at the door."""

from collections.abc import Sequence

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from meetup.events.lifecycle import Lifecycle, lifecycle
from meetup.extensions import db
from meetup.guards import MAX_ID
from meetup.models import (
    RSVP,
    Event,
    Group,
    Membership,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.policy import ANSWERED, visible_events, visible_people
from meetup.search import contains


def visible(user: User | None) -> Select:
    """Events the person may see (``policy.visible_events``), with their clubs
    (read from the join the condition needs, not joined a second time)."""
    return (
        select(Event)
        .join(Event.group)
        .where(visible_events(user))
        .options(contains_eager(Event.group))
    )


def upcoming_events(user: User | None, group: Group | None = None,
                    limit: int = 12) -> Sequence[Event]:
    query = visible(user).where(Event.ends_at >= utcnow()).order_by(Event.starts_at)
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


def _tallies(event_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(seats going, parties waiting, seats checked in) per event, one query."""
    going = RSVP.status == RSVPStatus.GOING
    rows = db.session.execute(
        select(RSVP.event_id,
               func.sum(case((going, 1 + RSVP.guests), else_=0)),
               func.sum(case((RSVP.status == RSVPStatus.WAITLIST, 1), else_=0)),
               func.sum(case((going & RSVP.checked_in_at.is_not(None), 1 + RSVP.guests),
                             else_=0)))
        .where(RSVP.event_id.in_(event_ids)).group_by(RSVP.event_id))
    return {event_id: (int(seats or 0), int(waiting or 0), int(arrived or 0))
            for event_id, seats, waiting, arrived in rows}


def event_life(event: Event) -> Lifecycle:
    """Where the event is in its life, with seats taken, people waiting and
    people checked in: one query."""
    return event_cards([event])[event.id]


def event_cards(events: Sequence[Event]) -> dict[int, Lifecycle]:
    """The lifecycle of each event of a list, for its card: one query for all."""
    if not events:
        return {}
    tallies = _tallies([event.id for event in events])
    now = utcnow()
    return {event.id: lifecycle(event, *tallies.get(event.id, (0, 0, 0)), now=now)
            for event in events}


def past_events(user: User | None, group: Group) -> Select:
    """The club's events that are over, newest first."""
    return (visible(user).where(Event.group_id == group.id, Event.ends_at < utcnow())
            .order_by(Event.starts_at.desc(), Event.id.desc()))



def check_in_rows(event: Event, organiser: User,
                  q: str = "") -> tuple[list[RSVP], int, int]:
    """People going or waiting, named as far as each allows (the others check in
    with their QR code), how many are not named, and how many answers are of
    deleted accounts (former members: counted, never named)."""
    answered = (select(RSVP).join(RSVP.user).options(joinedload(RSVP.user))
                .where(RSVP.event_id == event.id, RSVP.status.in_(ANSWERED)))
    listed = and_(~RSVP.hidden, visible_people(organiser))
    unlisted, former = db.session.execute(
        select(func.count(), func.count().filter(User.former())).select_from(RSVP)
        .join(RSVP.user).where(RSVP.event_id == event.id, RSVP.status.in_(ANSWERED),
                               ~listed)).one()
    query = answered.where(listed)
    if q:
        query = query.where(or_(contains(User.name, q), contains(User.company, q)))
    rows = db.session.scalars(query.order_by(RSVP.status, func.lower(User.name))).all()
    return list(rows), unlisted - former, former


def _walk_in_candidates(event: Event, organiser: User) -> Select:
    """Members the organiser may see, except those named as going. People
    going unlisted stay among them: searching their name finds them like
    any member not registered, so nothing singles them out."""
    named_going = select(RSVP.user_id).where(RSVP.event_id == event.id, ~RSVP.hidden,
                                             RSVP.status == RSVPStatus.GOING)
    return (select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == event.group_id, visible_people(organiser),
                   User.id.not_in(named_going)))


def walk_in_candidates(event: Event, organiser: User, q: str, limit: int) -> list[User]:
    return list(db.session.scalars(
        _walk_in_candidates(event, organiser)
        .where(or_(contains(User.name, q), contains(User.company, q)))
        .order_by(func.lower(User.name), User.id).limit(limit)))


def walk_in(event: Event, organiser: User, user_id: int | None) -> User | None:
    """The member chosen at the door, if the organiser may pick them."""
    if user_id is None or not 0 < user_id <= MAX_ID:
        return None
    return db.session.scalar(_walk_in_candidates(event, organiser).where(User.id == user_id))
