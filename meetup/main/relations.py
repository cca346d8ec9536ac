"""The relationship part of the signed-in home: follow-ups due, how many
relationships are active or dormant, and a few nudges ("Anna Schneider, whom you
met at …, is going to …"). Read-only, a fixed number of queries.

A relationship is active when the two last met within ``ACTIVE`` (12 months),
dormant when they met before that and not since. A nudge names a contact going to
an event of the next eight weeks the viewer may see with its attendees, never a "don't list me"
RSVP, never across a block; events the viewer has not signed up for come first.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Subquery, and_, case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from meetup import policy
from meetup.contacts.queries import today_for
from meetup.extensions import db
from meetup.models import (
    RSVP,
    ContactCard,
    ContactEvent,
    Event,
    EventStatus,
    RSVPStatus,
    User,
)

ACTIVE = timedelta(days=365)
FOLLOW_UPS = 5
NUDGES = 3
NUDGE_AHEAD = timedelta(weeks=8)  # a nudge is about the next few weeks, not next year
NUDGE_ROWS = 60  # candidates read to choose the few nudges from


@dataclass(frozen=True)
class FollowUp:
    card: ContactCard
    overdue: bool  # the day has passed, not just today


@dataclass(frozen=True)
class Nudge:
    person: User
    event: Event  # upcoming, with its group loaded
    registered: bool  # the viewer is going or waiting
    dormant: bool
    last_met: datetime
    met_at: Event | None = None  # the last shared event the viewer may still see


@dataclass
class Relations:
    follow_ups: list[FollowUp] = field(default_factory=list)
    due: int = 0  # all follow-ups due, of which ``follow_ups`` shows the first few
    active: int = 0
    dormant: int = 0
    nudges: list[Nudge] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.follow_ups or self.active or self.dormant)


def _last_met(me: User) -> Subquery:
    """Per contact of mine: when we last met (the latest shared event's start).
    Only my contacts, so the work does not grow with everyone else's."""
    met = aliased(Event)
    mine = select(ContactCard.contact_id).where(ContactCard.owner_id == me.id)
    return (select(ContactEvent.contact_id, func.max(met.starts_at).label("last"))
            .join(met, met.id == ContactEvent.event_id)
            .where(ContactEvent.contact_id.in_(mine)).group_by(ContactEvent.contact_id)
            .subquery())


def follow_ups(me: User, today: date) -> tuple[list[FollowUp], int]:
    """My follow-ups due by ``today`` (oldest first, a few) and how many are due."""
    rows = db.session.execute(
        select(ContactCard, func.count(ContactCard.id).over()).join(ContactCard.other)
        .options(contains_eager(ContactCard.other))
        .where(ContactCard.owner_id == me.id, ContactCard.follow_up_on <= today)
        .order_by(ContactCard.follow_up_on, func.lower(User.name), ContactCard.id)
        .limit(FOLLOW_UPS)).all()
    due = rows[0][1] if rows else 0
    return [FollowUp(card, card.follow_up_on < today) for card, _count in rows], due


def counts(me: User, now: datetime) -> tuple[int, int]:
    """(active, dormant) relationships of mine."""
    last = _last_met(me)
    recent = last.c.last >= now - ACTIVE
    active, dormant = db.session.execute(
        select(func.coalesce(func.sum(case((recent, 1), else_=0)), 0),
               func.coalesce(func.sum(case((recent, 0), else_=1)), 0))
        .select_from(ContactCard).join(last, last.c.contact_id == ContactCard.contact_id)
        .where(ContactCard.owner_id == me.id)).one()
    return int(active), int(dormant)


def _candidates(me: User, now: datetime) -> list[tuple]:
    """(contact id, person, event, registered, last met) for contacts of mine going
    to events of the next weeks whose attendees I may see; unregistered events first."""
    theirs, mine, last = aliased(RSVP), aliased(RSVP), _last_met(me)
    registered = mine.status.in_(policy.ANSWERED)
    return db.session.execute(
        select(ContactCard.contact_id, User, Event, registered, last.c.last)
        .select_from(ContactCard).join(User, User.id == ContactCard.other_id)
        .join(last, last.c.contact_id == ContactCard.contact_id)
        .join(theirs, and_(theirs.user_id == ContactCard.other_id,
                           theirs.status == RSVPStatus.GOING, ~theirs.hidden))
        .join(Event, Event.id == theirs.event_id).join(Event.group)
        .outerjoin(mine, and_(mine.event_id == Event.id, mine.user_id == me.id))
        .options(contains_eager(Event.group))
        .where(ContactCard.owner_id == me.id, Event.status == EventStatus.PUBLISHED,
               Event.starts_at > now, Event.starts_at <= now + NUDGE_AHEAD,
               policy.visible_events(me), policy.visible_people(me),
               policy.sees_attendees(me, mine),
               or_(mine.id.is_(None), mine.status != RSVPStatus.NOT_GOING))
        .order_by(case((registered, 1), else_=0), Event.starts_at, Event.id, User.id)
        .limit(NUDGE_ROWS)).all()


def _choose(rows: list[tuple], now: datetime) -> list[tuple]:
    """At most ``NUDGES``, one per person and, while there are enough, per event;
    a dormant relationship first when there is one (it needs the nudge most)."""
    rows = sorted(rows, key=lambda row: row[4] >= now - ACTIVE)  # stable: keeps the order
    chosen, people, events = [], set(), set()
    for distinct_events in (True, False):
        for row in rows:
            person, event = row[1], row[2]
            if len(chosen) < NUDGES and person.id not in people and not (
                    distinct_events and event.id in events):
                chosen.append(row)
                people.add(person.id)
                events.add(event.id)
    return chosen


def _met_at(me: User, contact_ids: list[int]) -> dict[int, Event]:
    """Per contact, the latest shared event I may still see (a club I left hides it)."""
    if not contact_ids:
        return {}
    latest = {}
    for contact_id, event in db.session.execute(
            select(ContactEvent.contact_id, Event).join(ContactEvent.event).join(Event.group)
            .where(ContactEvent.contact_id.in_(contact_ids), policy.visible_events(me))
            .order_by(Event.starts_at.desc())):
        latest.setdefault(contact_id, event)
    return latest


def nudges(me: User, now: datetime) -> list[Nudge]:
    chosen = _choose(_candidates(me, now), now)
    met_at = _met_at(me, [row[0] for row in chosen])
    return [Nudge(person, event, bool(registered), last < now - ACTIVE, last,
                  met_at.get(contact_id))
            for contact_id, person, event, registered, last in chosen]


def relations(me: User, now: datetime) -> Relations:
    shown, due = follow_ups(me, today_for(me, now))
    active, dormant = counts(me, now)
    return Relations(follow_ups=shown, due=due, active=active, dormant=dormant,
                     nudges=nudges(me, now))
