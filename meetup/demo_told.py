"""The demo data as the notifications tick would have left it: its events announced,
its full evening's organisers alerted, its due follow-up reminded. So the first tick
after ``seed-demo`` mails nothing about the demo itself, while everything done after
seeding (a new event, an RSVP that fills an evening) is mailed as always.

The tick's own records say so (``EventAnnouncement``, ``OrganiserAlert``,
``ContactCard.reminded_at``); no stand-in rows in the outbox, whose every row is a
mail and is listed in the development mailbox."""

from datetime import datetime

from sqlalchemy import select

from meetup.contacts import queries as contact_queries
from meetup.contacts import services as contacts
from meetup.extensions import db
from meetup.models import Event, EventAnnouncement, User
from meetup.notify import alerts


def mark(users: list[User], events: list[Event], now: datetime) -> None:
    """Record as done what the tick would mail about these demo people and events."""
    ids = {event.id for event in events}
    announced = set(db.session.scalars(select(EventAnnouncement.event_id)
                                       .where(EventAnnouncement.event_id.in_(ids))))
    db.session.add_all(EventAnnouncement(event_id=event_id, announced_at=now)
                       for event_id in sorted(ids - announced))
    db.session.flush()
    for event_id, kinds in alerts.pending(now):
        if event_id in ids:
            alerts.mark_alerted(event_id, kinds, now)
    people = {user.id for user in users}
    contacts.mark_reminded([card for card in contact_queries.due_follow_ups(now)
                            if card.owner_id in people], now)
