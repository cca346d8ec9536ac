"""Organiser alerts, queued by the tick: an upcoming event is full, and people are
waiting for a seat. Each goes once per event to every organiser of the club who has
not switched organiser alerts off. (Found by one query per tick rather than in the
RSVP's transaction, so an RSVP costs not one statement more.)"""

from datetime import datetime

from sqlalchemy import case, func, select

from meetup.database import transaction
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    Membership,
    OutboxMessage,
    Role,
    RSVPStatus,
    User,
)
from meetup.notify import preferences
from meetup.notify.messages import locale_of
from meetup.notify.outbox import queue
from meetup.urls import external_url

KINDS = ("event_full", "waitlist_forming")


def due_alerts(now: datetime) -> int:
    """Queue the alerts of every upcoming event that is full or has a waitlist."""
    seats = func.sum(case((RSVP.status == RSVPStatus.GOING, 1 + RSVP.guests), else_=0))
    waiting = func.sum(case((RSVP.status == RSVPStatus.WAITLIST, 1), else_=0))
    rows = db.session.execute(
        select(Event.id, Event.capacity, seats, waiting).join(RSVP, RSVP.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .group_by(Event.id, Event.capacity)
        .having((waiting > 0) | ((Event.capacity.is_not(None)) & (seats >= Event.capacity)))
    ).all()
    count = 0
    for event_id, capacity, taken, waits in rows:
        kinds = [kind for kind, yes in (("event_full", capacity is not None and taken >= capacity),
                                        ("waitlist_forming", waits > 0)) if yes]
        with transaction():
            count += _alert(db.session.get(Event, event_id), kinds)
    return count


def organisers(group_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group_id,
               Membership.role.in_([Role.OWNER, Role.ORGANISER])).order_by(User.id)))


def _alert(event: Event, kinds: list[str]) -> int:
    done = set(db.session.execute(select(OutboxMessage.user_id, OutboxMessage.kind).where(
        OutboxMessage.subject_key == f"event:{event.id}", OutboxMessage.kind.in_(KINDS))).all())
    count = 0
    people = organisers(event.group_id)
    out = preferences.opted_out(people, "organiser_alerts")
    for user in people:
        todo = [kind for kind in kinds if (user.id, kind) not in done]
        if not todo or user.id in out:
            continue
        link = preferences.unsubscribe_link(user, "organiser_alerts")
        for kind in todo:
            queue(user.email, kind, locale_of(user), kind=kind, key=f"event:{event.id}",
                  version=1, user=user, sender_name=event.group.name,
                  headers=preferences.list_headers(link), unsubscribe=link, event=event,
                  group=event.group, link=external_url("events.show", event_id=event.id))
            count += 1
    return count
