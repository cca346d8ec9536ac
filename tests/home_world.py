"""Contacts and answers written straight to the database, for the home page tests."""

from datetime import date

from meetup.extensions import db
from meetup.models import RSVP, Contact, ContactCard, ContactEvent, RSVPStatus


def connect(app, owner_id: int, other_id: int, *event_ids: int,
            follow_up: date | None = None) -> None:
    """A confirmed contact of the two, met at ``event_ids``; the owner's card
    carries ``follow_up``."""
    with app.app_context():
        contact = Contact(first_id=min(owner_id, other_id), second_id=max(owner_id, other_id))
        db.session.add(contact)
        db.session.flush()
        for event_id in event_ids:
            db.session.add(ContactEvent(contact_id=contact.id, event_id=event_id))
        db.session.add_all([
            ContactCard(contact_id=contact.id, owner_id=owner_id, other_id=other_id,
                        follow_up_on=follow_up),
            ContactCard(contact_id=contact.id, owner_id=other_id, other_id=owner_id)])
        db.session.commit()


def answer(app, event_id: int, user_id: int, status=RSVPStatus.GOING, hidden=False) -> None:
    with app.app_context():
        db.session.add(RSVP(event_id=event_id, user_id=user_id, status=status, hidden=hidden,
                            waitlisted_at=None))
        db.session.commit()
