"""Organiser alerts, queued by the tick: an upcoming event is full, and people are
waiting for a seat. Each goes once per event to every organiser of the club who has
not switched organiser alerts off; an ``OrganiserAlert`` row records that it went
(the demo data gets these rows too: its full evening is no news). Found by one query
per tick rather than in the RSVP's transaction, so an RSVP costs not one statement
more."""

from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError

from meetup.database import transaction
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    Membership,
    OrganiserAlert,
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
    count = 0
    for event_id, kinds in pending(now):
        with transaction():
            count += _alert(db.session.get(Event, event_id), kinds, now)
    return count


def pending(now: datetime) -> list[tuple[int, list[str]]]:
    """(event id, kinds) of the alerts that upcoming events call for and nobody got."""
    seats = func.sum(case((RSVP.status == RSVPStatus.GOING, 1 + RSVP.guests), else_=0))
    waiting = func.sum(case((RSVP.status == RSVPStatus.WAITLIST, 1), else_=0))
    rows = db.session.execute(
        select(Event.id, Event.capacity, seats, waiting, _sent("event_full"),
               _sent("waitlist_forming")).join(RSVP, RSVP.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .group_by(Event.id, Event.capacity)
        .having((waiting > 0) | ((Event.capacity.is_not(None)) & (seats >= Event.capacity)))
    ).all()
    found = []
    for event_id, capacity, taken, waits, full_sent, waitlist_sent in rows:
        kinds = [kind for kind, due in (
            ("event_full", capacity is not None and taken >= capacity and not full_sent),
            ("waitlist_forming", waits > 0 and not waitlist_sent)) if due]
        if kinds:
            found.append((event_id, kinds))
    return found


def _sent(kind: str):
    return exists().where(and_(OrganiserAlert.event_id == Event.id,
                               OrganiserAlert.kind == kind)).label(kind)


def mark_alerted(event_id: int, kinds: list[str], now: datetime) -> bool:
    """Record that these alerts went (flushes); False when another tick was first."""
    try:
        with db.session.begin_nested():
            db.session.add_all(OrganiserAlert(event_id=event_id, kind=kind, alerted_at=now)
                               for kind in kinds)
    except IntegrityError:
        return False
    return True


def organisers(group_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group_id,
               Membership.role.in_([Role.OWNER, Role.ORGANISER])).order_by(User.id)))


def _alert(event: Event, kinds: list[str], now: datetime) -> int:
    if not mark_alerted(event.id, kinds, now):
        return 0
    people = organisers(event.group_id)
    out = preferences.opted_out(people, "organiser_alerts")
    count = 0
    for user in (person for person in people if person.id not in out):
        link = preferences.unsubscribe_link(user, "organiser_alerts")
        for kind in kinds:
            queue(user.email, kind, locale_of(user), kind=kind, key=f"event:{event.id}",
                  version=1, user=user, sender_name=event.group.name,
                  headers=preferences.list_headers(link), unsubscribe=link, event=event,
                  group=event.group, link=external_url("events.show", event_id=event.id))
            count += 1
    return count
