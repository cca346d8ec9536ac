"""Who may do what with a group: the one place that answers it.

Views, forms, feeds and the API ask ``can``/``ensure`` here instead of
checking roles themselves. An outsider is never told that a private group
exists: every denial there is a 404.
"""

import enum
from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, or_, select

from meetup.extensions import db, login_manager
from meetup.models import (
    Application,
    ApplicationStatus,
    Ban,
    Event,
    EventStatus,
    EventVisibility,
    Group,
    JoinPolicy,
    Membership,
    Role,
    User,
    Visibility,
)


class Action(enum.StrEnum):
    VIEW = "view"  # the group page and its public content
    VIEW_MEMBERS = "view_members"  # the member directory, members-only events
    JOIN = "join"  # become a member at once (open groups)
    APPLY = "apply"  # ask to join (approval groups)
    LEAVE = "leave"
    MANAGE = "manage"  # applications, invitations, members, titles, settings
    OWN = "own"  # roles, ownership


@dataclass(frozen=True)
class Viewer:
    """A person (or nobody) in relation to one group."""

    user: User | None
    membership: Membership | None = None
    banned: bool = False
    application: Application | None = None
    owner_count: int = 0

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def role(self) -> Role | None:
        return self.membership.role if self.membership else None

    @property
    def has_pending_application(self) -> bool:
        return (self.application is not None
                and self.application.status == ApplicationStatus.PENDING)


def viewer_for(user: User | None, group: Group) -> Viewer:
    """Load the person's standing in the group (three small indexed queries)."""
    if user is None or not user.is_authenticated:
        return Viewer(user=None)
    membership = db.session.scalar(
        select(Membership).filter_by(group_id=group.id, user_id=user.id))
    banned = membership is None and db.session.scalar(
        select(Ban.id).filter_by(group_id=group.id, user_id=user.id)) is not None
    application = None if membership else db.session.scalar(
        select(Application).filter_by(group_id=group.id, user_id=user.id))
    owners = 0
    if membership is not None and membership.role == Role.OWNER:
        owners = db.session.scalar(
            select(db.func.count(Membership.id)).filter_by(group_id=group.id, role=Role.OWNER))
    return Viewer(user=user, membership=membership, banned=banned, application=application,
                  owner_count=owners)


def can(viewer: Viewer, action: Action, group: Group) -> bool:
    outsider = viewer.user is not None and not viewer.is_member and not viewer.banned
    match action:
        case Action.VIEW:
            return group.visibility == Visibility.PUBLIC or viewer.is_member
        case Action.VIEW_MEMBERS:
            return viewer.is_member
        case Action.JOIN:
            return (outsider and group.visibility == Visibility.PUBLIC
                    and group.join_policy == JoinPolicy.OPEN)
        case Action.APPLY:
            return (outsider and group.visibility == Visibility.PUBLIC
                    and group.join_policy == JoinPolicy.APPROVAL
                    and not viewer.has_pending_application)
        case Action.LEAVE:
            return viewer.is_member and not (viewer.role == Role.OWNER
                                              and viewer.owner_count <= 1)
        case Action.MANAGE:
            return viewer.role in (Role.OWNER, Role.ORGANISER)
        case Action.OWN:
            return viewer.role == Role.OWNER
    return False


def ensure(viewer: Viewer, action: Action, group: Group) -> None:
    """Abort unless allowed: 404 where the group is not visible, a login for
    anonymous visitors, 403 for everyone else."""
    if can(viewer, action, group):
        return
    if not can(viewer, Action.VIEW, group):
        abort(404)
    if viewer.user is None:
        abort(login_manager.unauthorized())
    abort(403)


def member_group_ids(user: User) -> Select:
    return select(Membership.group_id).where(Membership.user_id == user.id)


def visible_groups(user: User | None) -> Select:
    """Groups the person may see: public ones, plus their own."""
    condition = Group.visibility == Visibility.PUBLIC
    if user is not None and user.is_authenticated:
        condition = condition | Group.id.in_(member_group_ids(user))
    return select(Group).where(condition)


def visible_event_condition(user: User | None) -> ColumnElement[bool]:
    """SQL for ``can_see_event`` on rows of Event joined with its Group:
    published or cancelled, and public events of public groups or any event
    of the person's own groups (a ban ends the membership, and with it this)."""
    condition = (Group.visibility == Visibility.PUBLIC) & (
        Event.visibility == EventVisibility.PUBLIC)
    if user is not None and user.is_authenticated:
        condition = or_(condition, Event.group_id.in_(member_group_ids(user)))
    return and_(Event.status != EventStatus.DRAFT, condition)


def can_see_event(viewer: Viewer, event) -> bool:
    """Drafts: organisers only. Otherwise the group must be visible, and
    members-only events need membership."""
    if event.status == EventStatus.DRAFT:
        return can(viewer, Action.MANAGE, event.group)
    if not can(viewer, Action.VIEW, event.group):
        return False
    return event.visibility == EventVisibility.PUBLIC or viewer.is_member


def can_rsvp(viewer: Viewer, event) -> bool:
    """Members for any event of their group; other signed-in people only for
    public events of public groups; never the banned."""
    if viewer.user is None or viewer.banned or not can_see_event(viewer, event):
        return False
    return viewer.is_member or (event.group.visibility == Visibility.PUBLIC
                                and event.visibility == EventVisibility.PUBLIC)
