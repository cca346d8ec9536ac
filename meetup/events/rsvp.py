"""RSVPs: the state machine that says what a person can do with an event now,
and the changes it allows — capacity, guests and a fair waitlist.

``options`` is a pure function: the event page, its template and the services
all ask it, so a button is shown exactly when the service will take the answer.
``phase`` is its half that is the same for everyone — where the event is in its
life; ``meetup.events.lifecycle`` adds the numbers every page and card shows with it.

Every change to an event's RSVPs runs on the locked event (``lock_event``:
``FOR UPDATE`` on PostgreSQL; on SQLite the ``transaction()`` holds the write
lock). Counting seats and deciding going-or-waitlist then happen with no other
writer in between, across any number of app processes: no overbooking.
Functions flush but never commit; refusals raise ``RuleError``.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import func, select

from meetup import audit
from meetup.audit import Act
from meetup.database import begin_writing
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import RSVP, Event, EventStatus, RSVPStatus, User, utcnow
from meetup.notify import messages
from meetup.policy import UNCONFIRMED, Viewer, can_rsvp, may_take_part


class State(enum.StrEnum):
    OPEN = "open"
    FULL = "full"  # a yes joins the waitlist
    GOING = "going"
    WAITLIST = "waitlist"
    NOT_OPEN = "not_open"  # registration opens later
    CLOSED = "closed"  # registration closed, the event still to come
    RUNNING = "running"  # started, not ended (and registration closed for this person)
    PAST = "past"
    CANCELLED = "cancelled"
    DRAFT = "draft"
    LOGIN = "login"
    MEMBERS_ONLY = "members_only"
    BANNED = "banned"
    UNVERIFIED = "unverified"  # signed in, the address not confirmed yet


REFUSALS = {
    State.CANCELLED: (_l("This event has been cancelled."), 409),
    State.DRAFT: (_l("This event is not published yet."), 409),
    State.PAST: (_l("Registration is closed."), 409),
    State.RUNNING: (_l("This event is under way; registration is closed."), 409),
    State.CLOSED: (_l("Registration is closed."), 409),
    State.NOT_OPEN: (_l("Registration has not opened yet."), 409),
    State.LOGIN: (_l("Log in to register."), 403),
    State.MEMBERS_ONLY: (_l("For members only"), 403),
    State.BANNED: (_l("You cannot register for events of this group."), 403),
    State.UNVERIFIED: (UNCONFIRMED, 403),
}


@dataclass(frozen=True)
class Options:
    """What the person can do with the event now."""

    state: State
    may_join: bool = False  # say yes: a seat, or the waitlist when full
    may_change_guests: bool = False
    may_withdraw: bool = False  # give back a seat or leave the waitlist
    may_decline: bool = False  # say no without having said yes

    @property
    def answered(self) -> bool:
        """Going or waiting: a ticket or a place in line to show."""
        return self.state in (State.GOING, State.WAITLIST)

    @property
    def joins_waitlist(self) -> bool:
        return self.state == State.FULL

    def refusal(self) -> RuleError:
        message, status = REFUSALS.get(self.state, (_l("Registration is closed."), 409))
        return RuleError(message, status)


def phase(event: Event, seats_left: int | None, now: datetime) -> State:
    """Where the event is in its life, the same for everyone: draft, cancelled,
    past, running now, or still to come — not open yet, closed, full or open."""
    if event.status == EventStatus.CANCELLED:
        return State.CANCELLED
    if event.status == EventStatus.DRAFT:
        return State.DRAFT
    if now >= event.ends_at:
        return State.PAST
    if now >= event.starts_at:
        return State.RUNNING
    if now >= event.rsvp_deadline():
        return State.CLOSED
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        return State.NOT_OPEN
    return State.FULL if seats_left == 0 else State.OPEN


def taking_answers(event: Event, now: datetime) -> bool:
    """Inside the registration window (it may stay open after the start)."""
    return (now < event.rsvp_deadline()
            and not (event.rsvp_opens_at and now < event.rsvp_opens_at))


def state(event: Event, viewer: Viewer, mine: RSVP | None, seats_left: int | None,
          now: datetime) -> State:
    """The event's phase as this person meets it."""
    current = phase(event, seats_left, now)
    if current in (State.CANCELLED, State.DRAFT, State.PAST):
        return current
    if mine is not None and mine.status in (RSVPStatus.GOING, RSVPStatus.WAITLIST):
        return State(mine.status)
    if now >= event.rsvp_deadline():
        return State.RUNNING if current == State.RUNNING else State.CLOSED
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        return State.NOT_OPEN
    if viewer.user is None:
        return State.LOGIN
    if viewer.banned:
        return State.BANNED
    if not can_rsvp(viewer, event):
        return State.MEMBERS_ONLY
    if not may_take_part(viewer.user):
        return State.UNVERIFIED
    return State.FULL if seats_left == 0 else State.OPEN


def options(event: Event, viewer: Viewer, mine: RSVP | None, seats_left: int | None = None,
            now: datetime | None = None) -> Options:
    """``seats_left`` (None: no limit, or not counted) only tells open from full."""
    now = now or utcnow()
    current = state(event, viewer, mine, seats_left, now)
    window_open = taking_answers(event, now)
    answered = current in (State.GOING, State.WAITLIST)
    return Options(
        state=current,
        may_join=current in (State.OPEN, State.FULL),
        may_change_guests=(current == State.GOING and window_open
                           and event.guests_allowed > 0),
        may_withdraw=answered and window_open,
        may_decline=current in (State.OPEN, State.FULL),
    )


def lock_event(event_id: int) -> Event:
    begin_writing()
    event = db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True))
    if event is None:
        raise RuleError(_l("This event does not exist."), 404)
    return event


def seats_taken(event: Event) -> int:
    """Seats held by people going, guests included (read under the event's lock)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(1 + RSVP.guests), 0))
        .where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.GOING))


def waitlist_position(rsvp: RSVP) -> int | None:
    if rsvp.status != RSVPStatus.WAITLIST:
        return None
    ahead = db.session.scalar(
        select(func.count(RSVP.id)).where(
            RSVP.event_id == rsvp.event_id, RSVP.status == RSVPStatus.WAITLIST,
            (RSVP.waitlisted_at < rsvp.waitlisted_at)
            | ((RSVP.waitlisted_at == rsvp.waitlisted_at) & (RSVP.id < rsvp.id))))
    return ahead + 1


def mine(event: Event, user: User | None) -> RSVP | None:
    if user is None:
        return None
    return db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=user.id))


def respond(event: Event, viewer: Viewer, going: bool, guests: int = 0,
            now: datetime | None = None) -> RSVP:
    """Say yes (going, or waitlisted when full) or no, on the locked event."""
    # The clock is read only now, holding the lock: waitlist times then
    # follow the order in which the lock was granted, so no two people are
    # told the same position.
    now = now or utcnow()
    rsvp = mine(event, viewer.user)
    before = rsvp.status if rsvp is not None else None
    rsvp = _answer(event, viewer, rsvp, going, guests, now)
    db.session.flush()
    messages.answered(rsvp, before, waitlist_position(rsvp))
    return rsvp


def _answer(event: Event, viewer: Viewer, rsvp: RSVP | None, going: bool, guests: int,
            now: datetime) -> RSVP:
    allowed = options(event, viewer, rsvp, now=now)
    if not going:
        if not (allowed.may_withdraw or allowed.may_decline):
            raise allowed.refusal()
        return _decline(event, viewer.user, rsvp)
    if rsvp is not None and rsvp.status == RSVPStatus.GOING:
        if not allowed.may_change_guests:
            raise allowed.refusal()
        _check_guests(event, guests)
        _change_guests(event, rsvp, guests)
    else:
        if not allowed.may_join:
            raise allowed.refusal()
        _check_guests(event, guests)
        rsvp = _join(event, viewer.user, rsvp, guests, now)
    return rsvp


def _check_guests(event: Event, guests: int) -> None:
    if not 0 <= guests <= event.guests_allowed:
        raise RuleError(_nl("You may bring at most %(num)d guest.",
                            "You may bring at most %(num)d guests.", event.guests_allowed)
                        if event.guests_allowed else _l("Guests are not possible for this event."),
                        422)
    if event.capacity is not None and 1 + guests > event.capacity:
        raise RuleError(_nl("This event has only %(num)d seat in total.",
                            "This event has only %(num)d seats in total.", event.capacity), 422)


def _decline(event: Event, user: User, rsvp: RSVP | None) -> RSVP:
    if rsvp is None:
        rsvp = RSVP(event_id=event.id, user_id=user.id, status=RSVPStatus.NOT_GOING)
        db.session.add(rsvp)
    was_going = rsvp.status == RSVPStatus.GOING
    withdraw(rsvp)
    db.session.flush()
    if was_going:
        promote(event)
    return rsvp


def withdraw(rsvp: RSVP) -> None:
    """Not going: no seat, no place in line, no check-in. Whoever says yes
    again (or is added again) starts afresh."""
    rsvp.status, rsvp.guests, rsvp.waitlisted_at = RSVPStatus.NOT_GOING, 0, None
    rsvp.checked_in_at = rsvp.before_check_in = None


def _join(event: Event, user: User, rsvp: RSVP | None, guests: int, now: datetime) -> RSVP:
    """Going if the party fits, else waiting — the row is written in its final state."""
    fits = event.capacity is None or seats_taken(event) + 1 + guests <= event.capacity
    if rsvp is None:
        rsvp = RSVP(event_id=event.id, user_id=user.id)
        db.session.add(rsvp)
    rsvp.guests = guests
    if fits:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
    elif rsvp.status != RSVPStatus.WAITLIST:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.WAITLIST, now
    return rsvp


def _change_guests(event: Event, rsvp: RSVP, guests: int) -> None:
    if guests > rsvp.guests and event.capacity is not None:
        free = event.capacity - seats_taken(event)
        if guests - rsvp.guests > free:
            raise RuleError(_nl("Not enough seats left for %(num)d guest.",
                                "Not enough seats left for %(num)d guests.", guests), 422)
    fewer = guests < rsvp.guests
    rsvp.guests = guests
    if fewer:
        db.session.flush()
        promote(event)


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
    for rsvp in promoted:
        messages.promoted(rsvp)
    return promoted


def organiser_set(event: Event, user: User, status: RSVPStatus, now=None,
                  actor: User | None = None) -> RSVP:
    """Organisers add someone as going (if a seat is free), waitlist or remove them.
    With ``actor`` (the organiser) the change goes into the club's audit trail."""
    now = now or utcnow()  # after the lock, as in ``respond``
    rsvp = mine(event, user) or RSVP(event_id=event.id, user_id=user.id,
                                     status=RSVPStatus.NOT_GOING)
    db.session.add(rsvp)
    before = rsvp.status
    if status == RSVPStatus.GOING and rsvp.status != RSVPStatus.GOING:
        if event.capacity is not None and seats_taken(event) + rsvp.seats > event.capacity:
            raise RuleError(_l("No seat is free. Raise the capacity first."))
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.GOING, None
    elif status == RSVPStatus.WAITLIST and rsvp.status != RSVPStatus.WAITLIST:
        rsvp.status, rsvp.waitlisted_at = RSVPStatus.WAITLIST, now
        rsvp.checked_in_at = rsvp.before_check_in = None  # waiting is not being in
    elif status == RSVPStatus.NOT_GOING:
        withdraw(rsvp)
    db.session.flush()
    if actor is not None and rsvp.status != before:
        audit.record(event.group_id, actor, Act.ATTENDEE, rsvp,
                     {"status": before, "event_id": event.id},
                     {"status": rsvp.status, "event_id": event.id})
    if status != RSVPStatus.NOT_GOING:  # a removal (or a ban) is not confirmed by mail
        messages.answered(rsvp, before, waitlist_position(rsvp))
    promote(event)
    return rsvp
