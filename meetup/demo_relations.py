"""Demo data for the relationship part of the home page: a contact the demo login
(Anna Schneider) met at a New Year's reception over a year ago and not since — a
dormant relationship — who is going to one of the next Münster evenings."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from meetup import policy
from meetup.contacts import services as contacts
from meetup.extensions import db
from meetup.models import (
    DEFAULT_TIMEZONE,
    RSVP,
    ContactCard,
    Event,
    EventKind,
    EventStatus,
    EventVisibility,
    Group,
    Membership,
    RSVPStatus,
    User,
    utcnow,
)

TITLE = "Neujahrsempfang des Stammtischs"
DAYS_AGO = 430  # over a year: the relationship is dormant
NOTE = "Lange nicht gesprochen – fragen, wie die Expansion nach Österreich lief."


def _reception(group: Group, zone) -> Event:
    event = db.session.scalar(select(Event).filter_by(group_id=group.id, title=TITLE))
    if event is None:
        day = datetime.now(zone).date() - timedelta(days=DAYS_AGO)
        starts_at = datetime.combine(day, time(18), tzinfo=zone)
        event = Event(group_id=group.id, title=TITLE, kind=EventKind.EVENING,
                      description="Der Jahresauftakt des Stammtischs mit Sekt und Brezeln.",
                      starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
                      timezone=DEFAULT_TIMEZONE, venue_name="Rathaus, Friedenssaal",
                      venue_address="Prinzipalmarkt 10, 48143 Münster",
                      visibility=EventVisibility.PUBLIC, capacity=80)
        db.session.add(event)
        db.session.flush()
    return event


def _partner(anna: User, group: Group) -> User | None:
    """A member Anna has no contact with yet who is going to an upcoming evening."""
    known = select(ContactCard.other_id).where(ContactCard.owner_id == anna.id)
    upcoming = select(Event.id).where(Event.group_id == group.id, Event.starts_at > utcnow(),
                                      Event.status == EventStatus.PUBLISHED)
    return db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(RSVP, RSVP.user_id == User.id)
        .where(Membership.group_id == group.id, User.id != anna.id, User.id.not_in(known),
               RSVP.event_id.in_(upcoming), RSVP.status == RSVPStatus.GOING, ~RSVP.hidden)
        .order_by(Membership.id).limit(1))


def seed(anna: User, group: Group, zone) -> None:
    """Anna and a fellow member both checked in at the reception and said they met."""
    event = _reception(group, zone)
    if db.session.scalar(select(RSVP.id).filter_by(event_id=event.id)):
        return  # seeded before
    partner = _partner(anna, group)
    if partner is None:
        return
    for person in (anna, partner):
        db.session.add(RSVP(event_id=event.id, user_id=person.id, status=RSVPStatus.GOING,
                            checked_in_at=event.starts_at + timedelta(minutes=10)))
    db.session.flush()
    when = event.ends_at + timedelta(hours=12)
    for me, other in ((anna, partner), (partner, anna)):
        contacts.record_meetings(event, me, policy.attendance(me, event), [other.id], when)
    card = db.session.scalar(select(ContactCard).filter_by(owner_id=anna.id,
                                                          other_id=partner.id))
    contacts.save_card(card, NOTE, ["Lange nicht gesehen"], None)
