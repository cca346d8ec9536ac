"""Changes to marks, contacts, cards and blocks: flush, raise RuleError, never commit.

Forming a contact is safe against two people marking each other at the same
moment: every mark of an event is written while the event row is locked (``FOR
UPDATE`` on PostgreSQL; SQLite's single writer lock), so the second of two crossing
marks always sees the first; and the contact, its events and its cards are
inserted with ``ON CONFLICT DO NOTHING`` on their unique keys, so a pair meeting
at two events at once still gets exactly one contact.
"""

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from meetup import policy
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Block,
    Contact,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    MeetingMark,
    User,
    utcnow,
)

MAX_TAGS = 8
MAX_TAG_LENGTH = 40


def _insert_new(model, **values) -> None:
    """INSERT that quietly does nothing when the row's unique key exists already
    (also when a concurrent transaction just inserted it)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())


def _mark_between(event_id: int, marker_id: int, marked_id: int) -> MeetingMark | None:
    return db.session.scalar(select(MeetingMark).filter_by(
        event_id=event_id, marker_id=marker_id, marked_id=marked_id))


def contact_between(a_id: int, b_id: int) -> Contact | None:
    first, second = sorted((a_id, b_id))
    return db.session.scalar(select(Contact).filter_by(first_id=first, second_id=second))


def _connect(event: Event, a_id: int, b_id: int) -> Contact:
    """Both said they met at ``event``: the contact of the pair (new or existing)
    gets the event, each side gets its card, and the two marks are spent."""
    first, second = sorted((a_id, b_id))
    db.session.execute(delete(MeetingMark).where(
        MeetingMark.event_id == event.id,
        or_(and_(MeetingMark.marker_id == a_id, MeetingMark.marked_id == b_id),
            and_(MeetingMark.marker_id == b_id, MeetingMark.marked_id == a_id))))
    _insert_new(Contact, first_id=first, second_id=second, created_at=utcnow())
    contact = contact_between(first, second)
    _insert_new(ContactEvent, contact_id=contact.id, event_id=event.id, created_at=utcnow())
    for owner, other in ((first, second), (second, first)):
        _insert_new(ContactCard, contact_id=contact.id, owner_id=owner, other_id=other,
                    note="", updated_at=utcnow())
    return contact


def _met_there_already(event_id: int, a_id: int, b_id: int) -> bool:
    first, second = sorted((a_id, b_id))
    return db.session.scalar(select(ContactEvent.event_id).join(
        Contact, Contact.id == ContactEvent.contact_id).where(
        Contact.first_id == first, Contact.second_id == second,
        ContactEvent.event_id == event_id)) is not None


def _mark(event: Event, me: User, person_id: int) -> bool:
    """One mark; True when it completed a contact. Call with the event locked."""
    if _met_there_already(event.id, me.id, person_id):
        return False
    if _mark_between(event.id, person_id, me.id) is not None:
        _connect(event, me.id, person_id)
        return True
    if _mark_between(event.id, me.id, person_id) is None:
        db.session.add(MeetingMark(event_id=event.id, marker_id=me.id, marked_id=person_id))
        db.session.flush()
    return False


def record_meetings(event: Event, me: User, mine: RSVP, chosen: Iterable[int],
                    now: datetime | None = None) -> int:
    """Set whom ``me`` met at ``event`` to ``chosen``: new marks are added (and
    become contacts where the other marked back), marks no longer chosen are
    withdrawn. Returns the number of new contacts. Load the event locked."""
    chosen = set(chosen)
    if not policy.meeting_window_open(event, now or utcnow()):
        raise RuleError(_("You can say whom you met from the end of an event until "
                          "14 days later."), 403)
    if chosen - policy.markable(me, mine, chosen):
        raise RuleError(_("You can only mark people who were at this event with you."), 422)
    db.session.execute(delete(MeetingMark).where(
        MeetingMark.event_id == event.id, MeetingMark.marker_id == me.id,
        MeetingMark.marked_id.not_in(chosen)))
    return sum(_mark(event, me, person_id) for person_id in sorted(chosen))


def confirm(event: Event, me: User, person_id: int, now: datetime | None = None) -> None:
    """Answer "X says you met" with yes: mark back. Refused (404) unless X marked
    ``me`` there and ``me`` may mark X at that event now. Load the event locked."""
    if (_mark_between(event.id, person_id, me.id) is None
            or not policy.may_mark(me, event, person_id, now or utcnow())):
        raise RuleError(_("This confirmation is no longer possible."), 404)
    _mark(event, me, person_id)


def ignore(event_id: int, me: User, person_id: int) -> None:
    """Let the prompt go. The marker is told nothing: their mark stays as it was."""
    mark = _mark_between(event_id, person_id, me.id)
    if mark is None:
        raise RuleError(_("There is nothing to confirm here."), 404)
    mark.dismissed_at = utcnow()


def save_card(card: ContactCard, note: str, tags: list[str], follow_up_on: date | None) -> None:
    """The owner's private note, tags and follow-up date for one contact."""
    if follow_up_on != card.follow_up_on:
        card.reminded_at = None  # a new date gets its own reminder
    card.note, card.follow_up_on = note, follow_up_on
    card.updated_at = utcnow()
    db.session.execute(delete(ContactTag).where(ContactTag.card_id == card.id))
    for name in clean_tags(tags):
        db.session.add(ContactTag(card_id=card.id, name=name))
    db.session.flush()


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, without duplicates (ignoring case), at most ``MAX_TAGS``."""
    seen, result = set(), []
    for tag in tags:
        tag = " ".join(tag.split())[:MAX_TAG_LENGTH]
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            result.append(tag)
    return result[:MAX_TAGS]


def _forget_pair(a_id: int, b_id: int) -> None:
    """End the pair's contact (both cards, notes and tags go with it) and every
    mark between them, silently for the other side."""
    contact = contact_between(a_id, b_id)
    if contact is not None:
        db.session.execute(delete(ContactTag).where(ContactTag.card_id.in_(
            select(ContactCard.id).where(ContactCard.contact_id == contact.id))))
        db.session.execute(delete(ContactCard).where(ContactCard.contact_id == contact.id))
        db.session.execute(delete(ContactEvent).where(ContactEvent.contact_id == contact.id))
        db.session.execute(delete(Contact).where(Contact.id == contact.id))
    db.session.execute(delete(MeetingMark).where(or_(
        and_(MeetingMark.marker_id == a_id, MeetingMark.marked_id == b_id),
        and_(MeetingMark.marker_id == b_id, MeetingMark.marked_id == a_id))))
    db.session.flush()


def remove_contact(card: ContactCard) -> None:
    """Removing ends the contact for both sides and keeps no marks."""
    _forget_pair(card.owner_id, card.other_id)


def block(me: User, person_id: int) -> None:
    """Neither sees the other's profile any more, neither can mark the other; an
    existing contact and any marks between them end."""
    if not policy.may_block(me, person_id):
        raise RuleError(_("This person cannot be blocked."), 404)
    _insert_new(Block, blocker_id=me.id, blocked_id=person_id, created_at=utcnow())
    _forget_pair(me.id, person_id)


def unblock(me: User, person_id: int) -> None:
    db.session.execute(delete(Block).where(Block.blocker_id == me.id,
                                           Block.blocked_id == person_id))


def mark_reminded(cards: Iterable[ContactCard], now: datetime | None = None) -> None:
    """The reminder mail for these follow-ups is on its way (set in the same
    transaction that puts the mail into the outbox)."""
    for card in cards:
        card.reminded_at = now or utcnow()
    db.session.flush()


def purge_expired_marks(now: datetime | None = None) -> int:
    """Marks that were never answered within the window are of no use to anyone."""
    expired = select(Event.id).where(Event.ends_at <= (now or utcnow()) - policy.MEETING_WINDOW)
    result = db.session.execute(delete(MeetingMark).where(MeetingMark.event_id.in_(expired)))
    return result.rowcount or 0
