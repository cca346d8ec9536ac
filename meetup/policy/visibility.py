"""What a viewer may see: one SQL condition per kind of thing (clubs, events, people)
so lists filter in the database, and one Python answer for a single object."""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Ban,
    Block,
    Event,
    EventStatus,
    EventVisibility,
    Group,
    Invitation,
    Membership,
    ProfileVisibility,
    Role,
    RSVPStatus,
    User,
    Visibility,
)
from meetup.policy.core import ANSWERED, Action, Viewer, can, signed_in

# --- events ----------------------------------------------------------------------

def member_group_ids(user: User) -> Select:
    return select(Membership.group_id).where(Membership.user_id == user.id)


def managed_group_ids(user: User) -> Select:
    """Groups whose applications, invitations and events ``user`` looks after
    (``Action.MANAGE``)."""
    return select(Membership.group_id).where(Membership.user_id == user.id,
                                             Membership.role.in_((Role.OWNER, Role.ORGANISER)))


def invitations_for(user: User, now) -> ColumnElement[bool]:
    """SQL on Invitation rows: the email invitations ``user`` may see and accept
    as theirs — sent to their address once it is confirmed (else anybody could
    sign up with someone's address and find their invitations), still usable,
    and to a group they are not in yet and not banned from."""
    if user.email_verified_at is None:
        return false()
    return and_(Invitation.email == user.email, Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
                or_(Invitation.max_uses.is_(None), Invitation.uses < Invitation.max_uses),
                Invitation.group_id.not_in(member_group_ids(user)),
                Invitation.group_id.not_in(select(Ban.group_id).where(Ban.user_id == user.id)))


def visible_groups(user: User | None) -> ColumnElement[bool]:
    """SQL on Group rows: public groups, plus the person's own."""
    condition = Group.visibility == Visibility.PUBLIC
    if signed_in(user) is not None:
        condition = condition | Group.id.in_(member_group_ids(user))
    return condition


def visible_events(user: User | None) -> ColumnElement[bool]:
    """SQL for ``can_see_event`` on rows of Event joined with its Group:
    published or cancelled, and public events of public groups or any event
    of the person's own groups (a ban ends the membership, and with it this)."""
    condition = (Group.visibility == Visibility.PUBLIC) & (
        Event.visibility == EventVisibility.PUBLIC)
    if signed_in(user) is not None:
        condition = or_(condition, Event.group_id.in_(member_group_ids(user)))
    return and_(Event.status != EventStatus.DRAFT, condition)


def visible_dates(viewer: Viewer, group: Group) -> ColumnElement[bool]:
    """SQL on Event rows (joined with Group) of one group: what ``viewer`` may
    see of them; organisers see the drafts too."""
    if can(viewer, Action.MANAGE, group):
        return true()
    return visible_events(viewer.user)


def can_see_event(viewer: Viewer, event: Event) -> bool:
    """Drafts: organisers only. Otherwise the group must be visible, and
    members-only events need membership."""
    if event.status == EventStatus.DRAFT:
        return can(viewer, Action.MANAGE, event.group)
    if not can(viewer, Action.VIEW, event.group):
        return False
    return event.visibility == EventVisibility.PUBLIC or viewer.is_member


def can_rsvp(viewer: Viewer, event: Event) -> bool:
    """Members for any event of their group; other signed-in people only for
    public events of public groups; never the banned."""
    if viewer.user is None or viewer.banned or not can_see_event(viewer, event):
        return False
    return viewer.is_member or (event.group.visibility == Visibility.PUBLIC
                                and event.visibility == EventVisibility.PUBLIC)


def may_see_attendees(viewer: Viewer, mine: RSVP | None) -> bool:
    """The attendee preview: members of the club, and people going or waiting."""
    return viewer.is_member or (mine is not None and mine.status in ANSWERED)


def sees_attendees(viewer: User, mine=RSVP) -> ColumnElement[bool]:
    """SQL for ``may_see_attendees`` on Event rows, with ``mine`` (an alias of RSVP)
    the viewer's own answer to that event, outer-joined."""
    return or_(Event.group_id.in_(member_group_ids(viewer)), mine.status.in_(ANSWERED))


def may_see_online_link(mine: RSVP | None) -> bool:
    """The online link of an event is for the people going."""
    return mine is not None and mine.status == RSVPStatus.GOING


# --- people ----------------------------------------------------------------------

def visible_people(viewer: User | None) -> ColumnElement[bool]:
    """SQL on User rows: whose name and profile ``viewer`` may see. The owner
    of a profile decides: everyone signed in, fellow members, or fellow attendees."""
    viewer = signed_in(viewer)
    if viewer is None:
        return false()  # no profile is public to anonymous visitors
    shares_group = User.id.in_(select(Membership.user_id).where(
        Membership.group_id.in_(member_group_ids(viewer))))
    my_events = select(RSVP.event_id).where(RSVP.user_id == viewer.id,
                                            RSVP.status.in_(ANSWERED))
    shares_event = User.id.in_(select(RSVP.user_id).where(RSVP.status.in_(ANSWERED),
                                                          RSVP.event_id.in_(my_events)))
    return or_(
        User.id == viewer.id,
        and_(~blocked_either_way(viewer), or_(
            User.profile_visibility == ProfileVisibility.SIGNED_IN,
            and_(User.profile_visibility == ProfileVisibility.MEMBERS, shares_group),
            and_(User.profile_visibility == ProfileVisibility.ATTENDEES, shares_event))),
    )


def blocked_either_way(viewer: User) -> ColumnElement[bool]:
    """SQL on User rows: people ``viewer`` blocked or who blocked ``viewer``."""
    return or_(User.id.in_(select(Block.blocked_id).where(Block.blocker_id == viewer.id)),
               User.id.in_(select(Block.blocker_id).where(Block.blocked_id == viewer.id)))


def visible_profiles(viewer: User | None, owners: Iterable[User]) -> set[int]:
    """Ids of ``owners`` whose profile ``viewer`` may see, in one query."""
    ids = [owner.id for owner in owners]
    if not ids or signed_in(viewer) is None:
        return set()
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids),
                                                        visible_people(viewer))))


def may_see_profile(viewer: User | None, owner: User) -> bool:
    return owner.id in visible_profiles(viewer, [owner])
