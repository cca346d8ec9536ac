"""Whose profile may a person see? The owner decides; this module answers.

``visible_condition`` is one SQL condition on ``User`` rows, so lists, search
and previews filter in the database, in a fixed number of queries.
"""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, or_, select

from meetup.extensions import db
from meetup.groups.policy import member_group_ids
from meetup.models import RSVP, Membership, ProfileVisibility, RSVPStatus, User

ANSWERED = (RSVPStatus.GOING, RSVPStatus.WAITLIST)


def visible_condition(viewer: User | None) -> ColumnElement[bool]:
    """True for the users whose name and profile ``viewer`` may see."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return false()  # no profile is public to anonymous visitors
    shares_group = User.id.in_(select(Membership.user_id).where(
        Membership.group_id.in_(member_group_ids(viewer))))
    my_events = select(RSVP.event_id).where(RSVP.user_id == viewer.id,
                                            RSVP.status.in_(ANSWERED))
    shares_event = User.id.in_(select(RSVP.user_id).where(RSVP.status.in_(ANSWERED),
                                                          RSVP.event_id.in_(my_events)))
    return or_(
        User.id == viewer.id,
        User.profile_visibility == ProfileVisibility.SIGNED_IN,
        and_(User.profile_visibility == ProfileVisibility.MEMBERS, shares_group),
        and_(User.profile_visibility == ProfileVisibility.ATTENDEES, shares_event),
    )


def visible_profiles(viewer: User | None, owners: Iterable[User]) -> set[int]:
    """Ids of ``owners`` whose profile ``viewer`` may see, in one query."""
    ids = [owner.id for owner in owners]
    if not ids or viewer is None or not getattr(viewer, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids),
                                                        visible_condition(viewer))))


def may_see_profile(viewer: User | None, owner: User) -> bool:
    return owner.id in visible_profiles(viewer, [owner])
