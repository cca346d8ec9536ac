"""Demo data after the evenings: the demo login's contacts (met at two Münster
evenings, one "you met?" still open, notes, tags and a due follow-up) and the
paths through them that the introductions page finds."""

from datetime import datetime, timedelta

from sqlalchemy import select

from meetup import policy
from meetup.contacts import services as contacts
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Contact,
    ContactCard,
    ContactEvent,
    Event,
    ProfileVisibility,
    User,
)

# The demo login's private notes on her first two contacts: (note, tags, follow-up in days).
CONTACT_NOTES = [
    ("Sprach über die Nachfolge im Familienbetrieb; wünscht ein Angebot für den "
     "Jahresabschluss.", ["Nachfolge", "Mögliche Mandantin"], -1),
    ("Kennt gute Exportpartner in Polen – beim nächsten Stammtisch nachfragen.",
     ["Export"], 10),
]


def _there(event: Event, but: User) -> list[int]:
    """Who was at the event (as the policy decides it), without ``but``."""
    return list(db.session.scalars(select(RSVP.user_id).where(
        RSVP.event_id == event.id, RSVP.user_id != but.id, policy.was_there())
        .order_by(RSVP.user_id)))


def _meet(event: Event, person: User, others: list[int], when: datetime) -> None:
    """``person`` marks ``others``, and each of them marks back: contacts."""
    contacts.record_meetings(event, person, policy.attendance(person, event), others, when)
    for other_id in others:
        other = db.session.get(User, other_id)
        contacts.record_meetings(event, other, policy.attendance(other, event),
                                 [person.id], when)


def seed_contacts(users: list[User], events: list[Event], zone) -> None:
    """The demo login (Anna Schneider) after two Münster evenings: confirmed
    contacts (one from both), a "you met?" waiting for her, notes, tags and a
    follow-up that is due."""
    anna = users[0]
    if db.session.scalar(select(ContactCard.id).filter_by(owner_id=anna.id)):
        return  # seeded before
    by_title = {event.title: event for event in events}
    earlier = by_title["Stammtisch im Pinkus"]
    recent = by_title["Vortrag: Nachfolge im Mittelstand"]
    at_earlier, at_recent = _there(earlier, anna), _there(recent, anna)
    both = [user_id for user_id in at_earlier if user_id in at_recent]
    _meet(earlier, anna, at_earlier[:4], earlier.ends_at + timedelta(hours=12))
    _meet(recent, anna, both[:1] + [i for i in at_recent if i not in at_earlier][:1],
          recent.ends_at + timedelta(hours=12))
    waiting = [i for i in at_recent if i not in at_earlier][1:2]
    for user_id in waiting:  # marked Anna; her answer is still open
        other = db.session.get(User, user_id)
        contacts.record_meetings(recent, other, policy.attendance(other, recent), [anna.id],
                                 recent.ends_at + timedelta(hours=20))
    today = datetime.now(zone).date()
    cards = db.session.scalars(select(ContactCard).filter_by(owner_id=anna.id)
                               .order_by(ContactCard.other_id)).all()
    for card, (note, tags, days) in zip(cards, CONTACT_NOTES, strict=False):
        contacts.save_card(card, note, tags, today + timedelta(days=days))


def _link(a: User, b: User, event: Event) -> None:
    """A confirmed contact of ``a`` and ``b`` who met at ``event`` (demo only)."""
    first, second = sorted((a.id, b.id))
    contact = Contact(first_id=first, second_id=second)
    db.session.add(contact)
    db.session.flush()
    db.session.add(ContactEvent(contact_id=contact.id, event_id=event.id))
    db.session.add_all([ContactCard(contact_id=contact.id, owner_id=owner, other_id=other)
                        for owner, other in ((first, second), (second, first))])
    db.session.flush()


def seed_introductions(users: list[User], events: list[Event]) -> None:
    """Paths for the demo login: her first contact knows a tax advisor she has not
    met ("Steuerberatung", two hops); her second contact knows someone who knows
    a lawyer for customs law ("Zollrecht", three hops)."""
    anna = users[0]
    cards = db.session.scalars(select(ContactCard).filter_by(owner_id=anna.id)
                               .order_by(ContactCard.other_id)).all()
    mine = {card.other_id for card in cards} | {anna.id}
    club = [user for user in users[1:18] if user.id not in mine]  # Münster members
    advisors = [user for user in users if user.industry == "tax" and user.id not in mine]
    lawyers = [user for user in club if user.industry == "law"]
    if len(cards) < 2 or not advisors or not lawyers or db.session.scalar(
            select(Contact.id).where(Contact.first_id.in_([a.id for a in advisors])
                                     | Contact.second_id.in_([a.id for a in advisors]))):
        return  # seeded before, or the demo people changed
    if not policy.may_see_profile(anna, advisors[0]):
        advisors[0].profile_visibility = ProfileVisibility.SIGNED_IN  # found by everyone
    event = next(event for event in events if event.title == "Stammtisch im Pinkus")
    _link(cards[0].other, advisors[0], event)
    lawyer, middle = lawyers[0], next(u for u in club if u not in (advisors[0], lawyers[0]))
    lawyer.offers = [*lawyer.offers, "Zollrecht"]
    _link(cards[1].other, middle, event)
    _link(middle, lawyer, event)
