"""After the evening: who may say whom they met, and for how long."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from meetup.extensions import db
from meetup.guards import MAX_ID
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    MeetingMark,
    RSVPStatus,
    User,
)
from meetup.policy.core import signed_in
from meetup.policy.visibility import visible_people

# --- after the evening: whom did you meet -----------------------------------------

MEETING_WINDOW = timedelta(days=14)  # from an event's end, "we met" can be said this long


def meeting_window_open(event: Event, now: datetime) -> bool:
    return event.is_published and event.ends_at <= now < event.ends_at + MEETING_WINDOW


def in_meeting_window(now: datetime) -> ColumnElement[bool]:
    """SQL on Event rows: ``meeting_window_open``."""
    return and_(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now,
                Event.ends_at > now - MEETING_WINDOW)


def was_there(entry=RSVP) -> ColumnElement[bool]:
    """SQL on RSVP rows (or an alias of RSVP): the person was at the event —
    checked in at the door, or going to an event where nobody was checked in."""
    other = aliased(RSVP)
    door_used = select(other.id).where(other.event_id == entry.event_id,
                                       other.checked_in_at.is_not(None)).exists()
    return or_(entry.checked_in_at.is_not(None),
               and_(entry.status == RSVPStatus.GOING, ~door_used))


def attendance(user: User | None, event: Event) -> RSVP | None:
    """The person's RSVP if they were at the event (``was_there``), else None."""
    if signed_in(user) is None:
        return None
    return db.session.scalar(select(RSVP).where(RSVP.event_id == event.id,
                                                RSVP.user_id == user.id, was_there()))


def may_record_meetings(user: User | None, event: Event, now: datetime) -> bool:
    """'Whom did you meet?': in the window, for the people who were there."""
    return meeting_window_open(event, now) and attendance(user, event) is not None


def met_there(viewer: User, mine: RSVP) -> ColumnElement[bool]:
    """SQL on RSVP rows joined with their User: the others at ``mine``'s event whom
    ``viewer`` may see and mark — there, their profile visible (never across a
    block), and "don't list me" RSVPs only for a viewer who checked in, or for
    one they marked themselves (they made themselves known)."""
    condition = and_(RSVP.event_id == mine.event_id, RSVP.user_id != viewer.id, was_there(),
                     visible_people(viewer))
    if mine.checked_in_at is None:
        marked_me = RSVP.user_id.in_(select(MeetingMark.marker_id).where(
            MeetingMark.event_id == mine.event_id, MeetingMark.marked_id == viewer.id))
        condition = and_(condition, or_(~RSVP.hidden, marked_me))
    return condition


def prompts_for(viewer: User, now: datetime) -> ColumnElement[bool]:
    """SQL on MeetingMark rows joined with the marker (User): the "X says you
    met" prompts ``viewer`` sees — not ignored, in the window, both there, the
    marker's profile visible to the viewer."""
    theirs, mine = aliased(RSVP), aliased(RSVP)
    return and_(
        MeetingMark.marked_id == viewer.id, MeetingMark.dismissed_at.is_(None),
        MeetingMark.event_id.in_(select(Event.id).where(in_meeting_window(now))),
        select(theirs.id).where(theirs.event_id == MeetingMark.event_id,
                                theirs.user_id == MeetingMark.marker_id,
                                was_there(theirs)).exists(),
        select(mine.id).where(mine.event_id == MeetingMark.event_id,
                              mine.user_id == viewer.id, was_there(mine)).exists(),
        visible_people(viewer))


def markable(viewer: User, mine: RSVP, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` ``viewer`` may mark at ``mine``'s event, in one query."""
    ids = [i for i in ids if 0 < i <= MAX_ID]
    if not ids:
        return set()
    return set(db.session.scalars(select(RSVP.user_id).join(RSVP.user).where(
        met_there(viewer, mine), RSVP.user_id.in_(ids))))


def may_mark(viewer: User, event: Event, person_id: int, now: datetime) -> bool:
    mine = attendance(viewer, event) if meeting_window_open(event, now) else None
    return mine is not None and person_id in markable(viewer, mine, [person_id])
