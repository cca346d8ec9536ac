"""Check-in at the door, and taking it back: an undo restores exactly what
was before — going, on the waitlist (in the same place), not going, or no
answer at all. Runs on the locked event (``rsvp.lock_event``); flushes, never
commits."""

from datetime import datetime

from meetup import audit
from meetup.audit import Act
from meetup.events.rsvp import mine, promote
from meetup.extensions import db
from meetup.models import RSVP, Event, RSVPStatus, User, utcnow

NO_ANSWER = "none"  # ``before_check_in`` of a walk-in who had not answered


def check_in(event: Event, user: User, now: datetime | None = None,
             actor: User | None = None) -> RSVP:
    """Mark someone as arrived. A walk-in without an RSVP (or on the waitlist)
    is added as going: they are at the door, so the seat is theirs."""
    now = now or utcnow()
    rsvp = mine(event, user)
    if rsvp is None:
        rsvp = RSVP(event_id=event.id, user_id=user.id, status=RSVPStatus.NOT_GOING)
        db.session.add(rsvp)
        rsvp.before_check_in = NO_ANSWER
    if rsvp.checked_in_at is None:
        rsvp.before_check_in = rsvp.before_check_in or str(rsvp.status)
        rsvp.checked_in_at = now
        new = True
    else:
        new = False
    # The waitlist time stays: an undo puts them back in their place in line.
    rsvp.status = RSVPStatus.GOING
    db.session.flush()
    if new and actor is not None:
        audit.record(event.group_id, actor, Act.CHECK_IN, rsvp,
                     {"status": rsvp.before_check_in, "event_id": event.id},
                     {"status": RSVPStatus.GOING, "checked_in": True, "event_id": event.id})
    return rsvp


def undo_check_in(event: Event, user: User, actor: User | None = None) -> str | None:
    """Take a check-in back. Returns what the person is again: ``"going"``,
    ``"waitlist"``, ``"not_going"``, ``NO_ANSWER``; None if nothing was undone."""
    rsvp = mine(event, user)
    if rsvp is None or rsvp.checked_in_at is None:
        return None
    before = rsvp.before_check_in or str(RSVPStatus.GOING)  # checked in before it was kept
    rsvp.checked_in_at = rsvp.before_check_in = None
    if before == NO_ANSWER:
        db.session.delete(rsvp)
    elif before == RSVPStatus.WAITLIST:
        rsvp.status = RSVPStatus.WAITLIST
        rsvp.waitlisted_at = rsvp.waitlisted_at or utcnow()
    elif before == RSVPStatus.NOT_GOING:
        rsvp.status, rsvp.guests, rsvp.waitlisted_at = RSVPStatus.NOT_GOING, 0, None
    else:
        rsvp.waitlisted_at = None
    db.session.flush()
    if actor is not None:
        audit.record(event.group_id, actor, Act.CHECK_IN_UNDO, rsvp,
                     {"status": RSVPStatus.GOING, "checked_in": True, "event_id": event.id},
                     {"status": before, "checked_in": False, "event_id": event.id},
                     person=user)
    if before != RSVPStatus.GOING:
        promote(event)  # the seat they took is free again
    return before
