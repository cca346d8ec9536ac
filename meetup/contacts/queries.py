"""Reads for the contacts pages: a fixed number of queries, whatever the number
of contacts, marks or events. Every read is of the visitor's own rows; the
conditions on other people come from the policy."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from meetup import policy
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Block,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    Group,
    MeetingMark,
    User,
)
from meetup.search import contains

# Far enough ahead that "today" has begun in every zone on earth (UTC+14).
_EARLIEST_ZONE = timedelta(hours=14)


@dataclass
class Meeting:
    """The "whom did you meet?" page of one event for one person."""

    people: list[User] = field(default_factory=list)
    marked: set[int] = field(default_factory=set)  # my own pending marks
    met: set[int] = field(default_factory=set)  # contacts with this event as context
    says_met: set[int] = field(default_factory=set)  # they marked me (my prompts)


@dataclass(frozen=True)
class SharedEvent:
    event: Event
    group: Group
    visible: bool  # the visitor may open the event page


def meeting(event: Event, me: User, mine: RSVP) -> Meeting:
    people = db.session.scalars(
        select(User).join(RSVP, RSVP.user_id == User.id)
        .where(policy.met_there(me, mine)).order_by(func.lower(User.name), User.id)).all()
    marks = db.session.execute(select(MeetingMark.marker_id, MeetingMark.marked_id).where(
        MeetingMark.event_id == event.id,
        or_(MeetingMark.marker_id == me.id,
            and_(MeetingMark.marked_id == me.id, MeetingMark.dismissed_at.is_(None))))).all()
    met = db.session.scalars(select(ContactCard.other_id).join(
        ContactEvent, ContactEvent.contact_id == ContactCard.contact_id).where(
        ContactCard.owner_id == me.id, ContactEvent.event_id == event.id))
    return Meeting(people=list(people),
                   marked={marked for marker, marked in marks if marker == me.id},
                   says_met={marker for marker, _marked in marks if marker != me.id},
                   met=set(met))


def prompts(me: User, now: datetime) -> list[MeetingMark]:
    """"Anna Schneider says you met at …": marks of others waiting for my answer."""
    return list(db.session.scalars(
        select(MeetingMark).join(MeetingMark.marker).join(MeetingMark.event)
        .options(contains_eager(MeetingMark.marker),
                 contains_eager(MeetingMark.event).joinedload(Event.group))
        .where(policy.prompts_for(me, now)).order_by(Event.ends_at.desc(), MeetingMark.id)))


def open_meetings(me: User, now: datetime) -> list[Event]:
    """Events I was at whose "whom did you meet?" is open now."""
    return list(db.session.scalars(
        select(Event).join(RSVP, RSVP.event_id == Event.id).join(Event.group)
        .options(joinedload(Event.group))
        .where(RSVP.user_id == me.id, policy.was_there(), policy.in_meeting_window(now),
               policy.visible_events(me))
        .order_by(Event.ends_at.desc())))


def today_for(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def contact_list(me: User, q: str = "", due_by: date | None = None) -> Select:
    """My cards, most recently met first; ``q`` searches name, company (where the
    profile shows it), my tags and my notes; ``due_by`` keeps follow-ups due by then."""
    last_met = (select(ContactEvent.contact_id, func.max(Event.starts_at).label("last"))
                .join(ContactEvent.event).group_by(ContactEvent.contact_id).subquery())
    query = (select(ContactCard).join(ContactCard.other)
             .join(last_met, last_met.c.contact_id == ContactCard.contact_id)
             .options(contains_eager(ContactCard.other)).where(ContactCard.owner_id == me.id))
    if q:
        query = query.where(_matches(me, q))
    if due_by is not None:
        query = query.where(ContactCard.follow_up_on <= due_by)
    return query.order_by(last_met.c.last.desc(), ContactCard.id)


def _matches(me: User, q: str) -> ColumnElement[bool]:
    tagged = select(ContactTag.card_id).where(contains(ContactTag.name, q))
    return or_(contains(User.name, q), and_(policy.visible_people(me), contains(User.company, q)),
               contains(ContactCard.note, q), ContactCard.id.in_(tagged))


def shared_events(me: User, cards: list[ContactCard]) -> dict[int, list[SharedEvent]]:
    """Every event of each card's contact, newest first, in one query."""
    ids = [card.contact_id for card in cards]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ContactEvent.contact_id, Event, Group, policy.visible_events(me).label("seen"))
        .join(ContactEvent.event).join(Event.group)
        .where(ContactEvent.contact_id.in_(ids)).order_by(Event.starts_at.desc())).all()
    events = defaultdict(list)
    for contact_id, event, group, seen in rows:
        events[contact_id].append(SharedEvent(event, group, bool(seen)))
    return dict(events)


def tags_of(cards: list[ContactCard]) -> dict[int, list[str]]:
    ids = [card.id for card in cards]
    tags = defaultdict(list)
    if ids:
        for card_id, name in db.session.execute(
                select(ContactTag.card_id, ContactTag.name).where(ContactTag.card_id.in_(ids))
                .order_by(ContactTag.id)):
            tags[card_id].append(name)
    return dict(tags)


def due_count(me: User, now: datetime) -> int:
    return db.session.scalar(select(func.count(ContactCard.id)).where(
        ContactCard.owner_id == me.id, ContactCard.follow_up_on <= today_for(me, now)))


def due_follow_ups(now: datetime) -> list[ContactCard]:
    """Follow-ups whose day has come in their owner's zone and whose reminder has
    not gone out: the work list of the reminder mail (owner and contact loaded).
    The sender marks them with ``services.mark_reminded`` in the transaction
    that puts the mails into the outbox."""
    latest = (now + _EARLIEST_ZONE).date()
    cards = db.session.scalars(
        select(ContactCard).options(joinedload(ContactCard.owner), joinedload(ContactCard.other))
        .where(ContactCard.follow_up_on <= latest, ContactCard.reminded_at.is_(None))
        .order_by(ContactCard.follow_up_on, ContactCard.id))
    return [card for card in cards if card.follow_up_on <= today_for(card.owner, now)]


def blocked_people(me: User) -> list[Block]:
    return list(db.session.scalars(
        select(Block).join(Block.blocked).options(joinedload(Block.blocked))
        .where(Block.blocker_id == me.id).order_by(func.lower(User.name))))


def all_cards(me: User) -> list[ContactCard]:
    """Every card of mine, for the export of all contacts."""
    return list(db.session.scalars(contact_list(me)))
