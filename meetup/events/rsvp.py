"""RSVPs with capacity, guests and a fair waitlist.

Every change to an event's RSVPs first locks the event row (``FOR UPDATE``
on PostgreSQL; on SQLite ``begin_writing`` takes the database's write lock,
see ``meetup.database``). Counting seats and deciding
going-or-waitlist then happen with no other writer in between, across any
number of app processes: the database guarantees no overbooking.
Functions flush but never commit.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import func, select

from meetup.database import begin_writing
from meetup.extensions import db
from meetup.models import RSVP, Ban, Event, EventStatus, RSVPStatus, User, utcnow


class RSVPError(Exception):
    """The RSVP cannot be taken; ``str(error)`` says why. ``status`` is 422
    when the request asked for something impossible, 409 when the event's
    state (closed, cancelled, full) refuses it."""

    def __init__(self, message, status: int = 409):
        super().__init__(message)
        self.status = status


def lock_event(event_id: int) -> Event:
    begin_writing()
    event = db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True))
    if event is None:
        raise RSVPError(_l("This event does not exist."))
    return event


def seats_taken(event: Event) -> int:
    """Seats held by people going, guests included."""
    return db.session.scalar(
        select(func.coalesce(func.sum(1 + RSVP.guests), 0))
        .where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.GOING))



def check_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RSVPError(_l("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED:
        raise RSVPError(_l("This event is not published yet."))
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        raise RSVPError(_l("Registration has not opened yet."))
    if now >= event.rsvp_deadline():
        raise RSVPError(_l("Registration is closed."))


def _existing(event: Event, user: User) -> RSVP | None:
    return db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=user.id))


def respond(event_id: int, user: User, going: bool, guests: int = 0,
            now: datetime | None = None) -> RSVP:
    """Say yes (going, or waitlisted when full) or no. Raises RSVPError."""
    event = lock_event(event_id)
    # The clock is read only now, holding the lock: waitlist times then
    # follow the order in which the lock was granted, so no two people are
    # told the same position.
    now = now or utcnow()
    check_open(event, now)
    if db.session.scalar(select(Ban.id).filter_by(group_id=event.group_id, user_id=user.id)):
        raise RSVPError(_l("You cannot register for events of this group."))
    if not 0 <= guests <= event.guests_allowed:
        raise RSVPError(_nl("You may bring at most %(num)d guest.",
                            "You may bring at most %(num)d guests.", event.guests_allowed)
                        if event.guests_allowed else _l("Guests are not possible for this event."),
                        status=422)
    if going and event.capacity is not None and 1 + guests > event.capacity:
        raise RSVPError(_nl("This event has only %(num)d seat in total.",
                            "This event has only %(num)d seats in total.", event.capacity),
                        status=422)
    rsvp = _existing(event, user)
    if rsvp is None:
        rsvp = RSVP(event_id=event.id, user_id=user.id, status=RSVPStatus.NOT_GOING)
        db.session.add(rsvp)
        db.session.flush()
    if not going:
        rsvp.status, rsvp.guests, rsvp.waitlisted_at = RSVPStatus.NOT_GOING, 0, None
    elif rsvp.status == RSVPStatus.GOING:
        _change_guests(event, rsvp, guests)
    else:
        _join(event, rsvp, guests, now)
    db.session.flush()
    promote(event)
    return rsvp


def _join(event: Event, rsvp: RSVP, guests: int, now: datetime) -> None:
    rsvp.guests = guests
    others = seats_taken(event)
    if event.capacity is None or others + rsvp.seats <= event.capacity:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
    elif rsvp.status != RSVPStatus.WAITLIST:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.WAITLIST, now


def _change_guests(event: Event, rsvp: RSVP, guests: int) -> None:
    if guests > rsvp.guests and event.capacity is not None:
        free = event.capacity - seats_taken(event)
        if guests - rsvp.guests > free:
            raise RSVPError(_nl("Not enough seats left for %(num)d guest.",
                                "Not enough seats left for %(num)d guests.", guests), status=422)
    rsvp.guests = guests


def promote(event: Event) -> list[RSVP]:
    """Move waiting parties to going, in waitlist order, each one that fits.

    A party of three waits while a single behind it fits; the single goes.
    The caller holds the event lock (see ``lock_event``).
    """
    waiting = db.session.scalars(
        select(RSVP).where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.WAITLIST)
        .order_by(RSVP.waitlisted_at, RSVP.id)).all()
    if not waiting:
        return []
    free = None if event.capacity is None else event.capacity - seats_taken(event)
    promoted = []
    for rsvp in waiting:
        if free is None or rsvp.seats <= free:
            rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
            promoted.append(rsvp)
            if free is not None:
                free -= rsvp.seats
    db.session.flush()
    return promoted


def waitlist_position(rsvp: RSVP) -> int | None:
    if rsvp.status != RSVPStatus.WAITLIST:
        return None
    ahead = db.session.scalar(
        select(func.count(RSVP.id)).where(
            RSVP.event_id == rsvp.event_id, RSVP.status == RSVPStatus.WAITLIST,
            (RSVP.waitlisted_at < rsvp.waitlisted_at)
            | ((RSVP.waitlisted_at == rsvp.waitlisted_at) & (RSVP.id < rsvp.id))))
    return ahead + 1


def organiser_set(event_id: int, user: User, status: RSVPStatus, now=None) -> RSVP:
    """Organisers add someone as going (if a seat is free), waitlist or remove them."""
    event = lock_event(event_id)
    now = now or utcnow()  # after the lock, as in ``respond``
    rsvp = _existing(event, user) or RSVP(event_id=event.id, user_id=user.id,
                                          status=RSVPStatus.NOT_GOING)
    db.session.add(rsvp)
    if status == RSVPStatus.GOING and rsvp.status != RSVPStatus.GOING:
        if event.capacity is not None and seats_taken(event) + rsvp.seats > event.capacity:
            raise RSVPError(_l("No seat is free. Raise the capacity first."))
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
    elif status == RSVPStatus.WAITLIST and rsvp.status != RSVPStatus.WAITLIST:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.WAITLIST, now
    elif status == RSVPStatus.NOT_GOING:
        rsvp.status, rsvp.guests, rsvp.waitlisted_at = RSVPStatus.NOT_GOING, 0, None
    db.session.flush()
    promote(event)
    return rsvp


def check_in(event_id: int, user: User, now=None) -> RSVP:
    """Mark someone as arrived. A walk-in without an RSVP is added as going:
    they are at the door, so the seat is theirs."""
    event = lock_event(event_id)
    now = now or utcnow()
    rsvp = _existing(event, user)
    if rsvp is None:
        rsvp = RSVP(event_id=event.id, user_id=user.id, status=RSVPStatus.GOING)
        db.session.add(rsvp)
    rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
    rsvp.checked_in_at = rsvp.checked_in_at or now
    db.session.flush()
    return rsvp


def undo_check_in(event_id: int, user: User) -> None:
    lock_event(event_id)
    rsvp = db.session.scalar(select(RSVP).filter_by(event_id=event_id, user_id=user.id))
    if rsvp is not None:
        rsvp.checked_in_at = None
