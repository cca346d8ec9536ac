"""From a URL to an object and the visitor's standing, or to the right denial
(an outsider is never told that a private club exists: every denial there is a 404)."""

from datetime import datetime

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from meetup.errors import RuleError
from meetup.extensions import db
from meetup.guards import MAX_ID
from meetup.models import (
    RSVP,
    Block,
    ContactCard,
    Event,
    EventSeries,
    Group,
    IntroductionRequest,
    MeetingMark,
    Membership,
    User,
)
from meetup.policy.core import ANSWERED, Action, Viewer, can, ensure, viewer_for
from meetup.policy.meetings import attendance, meeting_window_open
from meetup.policy.visibility import can_see_event, visible_people
from meetup.search import equals

# --- from a URL to an object, or the right denial --------------------------------

def load_group(slug: str, action: Action = Action.VIEW) -> tuple[Group, Viewer]:
    group = db.first_or_404(select(Group).where(equals(Group.slug, slug)))
    viewer = viewer_for(current_user, group)
    ensure(viewer, action, group)
    return group, viewer


def load_event(event_id: int, action: Action = Action.VIEW,
               lock: bool = False) -> tuple[Event, Viewer]:
    """The event and the visitor's standing in its club, or 404. ``MANAGE``
    asks for an organiser. ``lock`` locks the event row for a change of its
    RSVPs (``FOR UPDATE`` on PostgreSQL; a ``transaction()`` holds SQLite's lock)."""
    query = select(Event).where(Event.id == event_id).options(
        joinedload(Event.group, innerjoin=True))
    if lock:
        query = query.with_for_update(of=Event).execution_options(populate_existing=True)
    event = db.session.scalar(query)
    if event is None:
        abort(404)
    viewer = viewer_for(current_user, event.group)
    if not can_see_event(viewer, event):
        abort(404)
    if action != Action.VIEW:
        ensure(viewer, action, event.group)
    return event, viewer


def load_series(series_id: int) -> tuple[EventSeries, Group, Viewer]:
    """A series, its club and the visitor's standing there, or 404 when the club
    is hidden from them. Which of its dates they see: ``visible_dates``."""
    series = db.get_or_404(EventSeries, series_id)
    group = db.session.get(Group, series.group_id)
    viewer = viewer_for(current_user, group)
    if not can(viewer, Action.VIEW, group):
        abort(404)
    return series, group, viewer


def load_attendee(event: Event, user_id: int | None) -> tuple[User, RSVP | None]:
    """Someone organisers may act on at the door: a member of the club or a
    person who said yes (or waits) for this event. Anyone else is a 404, so
    the check-in pages never tell whether an account exists."""
    if user_id is None or not 0 < user_id <= MAX_ID:
        abort(404)
    entry = db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=user_id))
    answered = entry is not None and (entry.status in ANSWERED or entry.checked_in_at)
    if not answered and db.session.scalar(select(Membership.id).filter_by(
            group_id=event.group_id, user_id=user_id)) is None:
        abort(404)
    return db.get_or_404(User, user_id), entry


def may_block(viewer: User, person_id: int) -> bool:
    """Someone whose profile, contact card or "we met" prompt the viewer sees —
    and nobody else, so the answer never tells whether an account exists."""
    if person_id == viewer.id or not 0 < person_id <= MAX_ID:
        return False
    known = or_(User.id.in_(select(ContactCard.other_id).where(
                    ContactCard.owner_id == viewer.id)),
                User.id.in_(select(MeetingMark.marker_id).where(
                    MeetingMark.marked_id == viewer.id)),
                User.id.in_(select(Block.blocked_id).where(Block.blocker_id == viewer.id)),
                visible_people(viewer))
    return db.session.scalar(select(User.id).where(User.id == person_id, known)) is not None


def load_meeting(event_id: int, now: datetime, lock: bool = False) -> tuple[Event, RSVP]:
    """An event whose "whom did you meet?" the visitor may answer, and their RSVP:
    404 where the event is not visible, 403 outside the window or when they were
    not there."""
    event, _viewer = load_event(event_id, lock=lock)
    if not meeting_window_open(event, now):
        raise RuleError(_("You can say whom you met from the end of an event until "
                          "14 days later."), 403)
    mine = attendance(current_user, event)
    if mine is None:
        raise RuleError(_("Only people who were at this event can say whom they met "
                          "there."), 403)
    return event, mine


def load_card(other_id: int) -> ContactCard:
    """The visitor's own card about a contact, or 404: no one else's card is ever loaded."""
    card = db.session.scalar(select(ContactCard).options(joinedload(ContactCard.other)).where(
        ContactCard.owner_id == current_user.id, ContactCard.other_id == other_id))
    if card is None:
        abort(404)
    return card


def load_introduction(request_id: int, role: str, lock: bool = False) -> IntroductionRequest:
    """An introduction request where the visitor is ``role`` ("via": asked to
    introduce; "target": the one introduced to), or 404 for anyone else."""
    column = {"via": IntroductionRequest.via_id, "target": IntroductionRequest.target_id}[role]
    query = select(IntroductionRequest).where(IntroductionRequest.id == request_id,
                                              column == current_user.id)
    found = db.session.scalar(query.with_for_update() if lock else query)
    if found is None:
        abort(404)
    return found
