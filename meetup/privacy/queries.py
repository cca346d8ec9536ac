"""Reads about one person: everything the export contains, the clubs that
stand in the way of a deletion, and deletions waiting for the purge.

The export holds what the person gave or did; other people appear only by the
name the person already saw (a contact, someone they marked or who marked them,
someone they blocked), never with anything of their own.
"""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from meetup.extensions import db
from meetup.models import (
    RSVP,
    AccountDeletion,
    Application,
    Block,
    ConsentRecord,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    Group,
    MeetingMark,
    Membership,
    OutboxMessage,
    Role,
    User,
)
from meetup.models.privacy import ATTENDEE_LIST
from meetup.privacy.export import Bundle


def owned_groups(user: User) -> list[Group]:
    """The clubs ``user`` is the only owner of: each needs another owner before
    the account can go (a club with a second owner simply keeps that one)."""
    other = aliased(Membership)
    other_owner = select(other.id).where(
        other.group_id == Group.id, other.role == Role.OWNER,
        other.user_id != user.id).exists()
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role == Role.OWNER, ~other_owner)
        .order_by(Group.name)))


def export_size(user: User) -> int:
    """Rows an export would read: small accounts download at once."""
    counts = [select(func.count()).select_from(model).where(column == user.id)
              for model, column in ((RSVP, RSVP.user_id), (ContactCard, ContactCard.owner_id),
                                    (OutboxMessage, OutboxMessage.user_id),
                                    (MeetingMark, MeetingMark.marker_id))]
    return sum(db.session.scalar(count) for count in counts)


def bundle(user: User) -> Bundle:
    """Everything the export of ``user`` holds, read in a few queries."""
    cards = list(db.session.scalars(
        select(ContactCard).options(joinedload(ContactCard.other))
        .where(ContactCard.owner_id == user.id).order_by(ContactCard.id)))
    return Bundle(
        user=user,
        memberships=list(db.session.scalars(
            select(Membership).options(joinedload(Membership.group))
            .where(Membership.user_id == user.id).order_by(Membership.created_at))),
        applications=list(db.session.scalars(
            select(Application).options(joinedload(Application.group))
            .where(Application.user_id == user.id).order_by(Application.created_at))),
        rsvps=list(db.session.scalars(
            select(RSVP).options(joinedload(RSVP.event).joinedload(Event.group))
            .where(RSVP.user_id == user.id).order_by(RSVP.created_at))),
        cards=cards, shared=_shared_events(cards), tags=_tags(cards),
        marks_made=_marks(MeetingMark.marker_id == user.id),
        marks_received=_marks(MeetingMark.marked_id == user.id), marked=marked_names(user),
        blocks=list(db.session.scalars(
            select(Block).options(joinedload(Block.blocked))
            .where(Block.blocker_id == user.id).order_by(Block.created_at))),
        mails=list(db.session.scalars(
            select(OutboxMessage)
            .where(or_(OutboxMessage.user_id == user.id, OutboxMessage.recipient == user.email))
            .order_by(OutboxMessage.created_at, OutboxMessage.id))),
        consents=list(db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id))),
    )


def _marks(condition) -> list[MeetingMark]:
    return list(db.session.scalars(
        select(MeetingMark).options(joinedload(MeetingMark.event), joinedload(MeetingMark.marker))
        .where(condition).order_by(MeetingMark.created_at)))


def _shared_events(cards: list[ContactCard]) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = {card.contact_id: [] for card in cards}
    if found:
        rows = db.session.scalars(
            select(ContactEvent).options(joinedload(ContactEvent.event))
            .where(ContactEvent.contact_id.in_(found)))
        for row in rows:
            found[row.contact_id].append(row.event)
    return found


def _tags(cards: list[ContactCard]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {card.id: [] for card in cards}
    if found:
        for card_id, name in db.session.execute(
                select(ContactTag.card_id, ContactTag.name)
                .where(ContactTag.card_id.in_(found)).order_by(ContactTag.name)):
            found[card_id].append(name)
    return found


def marked_names(user: User) -> dict[int, str]:
    """Names of the people ``user`` marked: known to them, as they chose them."""
    rows = db.session.execute(
        select(User.id, User.name).join(MeetingMark, MeetingMark.marked_id == User.id)
        .where(MeetingMark.marker_id == user.id))
    return dict(rows.all())


def pending_deletion(user_id: int) -> AccountDeletion | None:
    deletion = db.session.get(AccountDeletion, user_id)
    return deletion if deletion is not None and deletion.purged_at is None else None


def restorable_by_email(email: str, now: datetime) -> AccountDeletion | None:
    return db.session.scalar(select(AccountDeletion).where(
        AccountDeletion.email == email, AccountDeletion.purged_at.is_(None),
        AccountDeletion.restore_until > now))


def due_for_purge(now: datetime) -> list[AccountDeletion]:
    return list(db.session.scalars(select(AccountDeletion).where(
        AccountDeletion.purged_at.is_(None), AccountDeletion.restore_until <= now)
        .order_by(AccountDeletion.user_id)))


def listing_consent(user_id: int) -> ConsentRecord | None:
    """The newest decision about being named in attendee lists (None: never asked)."""
    return db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id,
                                    ConsentRecord.kind == ATTENDEE_LIST)
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()).limit(1))
