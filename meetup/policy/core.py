"""Who a viewer is in a club, and what each standing may do there."""

import enum
from dataclasses import dataclass

from flask import abort, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetup.errors import RuleError
from meetup.extensions import db, login_manager
from meetup.models import (
    Application,
    ApplicationStatus,
    Ban,
    Group,
    JoinPolicy,
    Membership,
    Role,
    RSVPStatus,
    User,
    Visibility,
)

ANSWERED = (RSVPStatus.GOING, RSVPStatus.WAITLIST)


class Action(enum.StrEnum):
    VIEW = "view"  # the group page and its public content
    VIEW_MEMBERS = "view_members"  # the member directory, members-only events
    JOIN = "join"  # become a member at once (open groups)
    APPLY = "apply"  # ask to join (approval groups)
    ACCEPT_INVITATION = "accept_invitation"  # any policy, with a valid invitation
    LEAVE = "leave"
    WITHDRAW_APPLICATION = "withdraw_application"  # an applicant, also of a private group
    CONTACT = "contact"  # write to the organisers (members; signed-in visitors of public groups)
    MANAGE = "manage"  # applications, invitations, members, titles, settings, announcements
    OWN = "own"  # roles, ownership


@dataclass(frozen=True)
class Viewer:
    """A person (or nobody) in relation to one group. The only place a ban is read."""

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


def signed_in(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def may_take_part(user: User | None) -> bool:
    """Signed in with a confirmed address: only then may a person RSVP, apply,
    join or write to anyone (an unconfirmed account may be someone else's address)."""
    user = signed_in(user)
    return user is not None and user.is_verified


UNCONFIRMED = _l("Please confirm your email address first: we sent you a link. "
                 "You can have it sent again.")


def ensure_taking_part(user: User | None) -> None:
    """Refuse (403) what ``may_take_part`` forbids, saying why."""
    if not may_take_part(user):
        raise RuleError(UNCONFIRMED, 403)


def viewer_for(user: User | None, group: Group) -> Viewer:
    """Load the person's standing in the group (up to three small indexed queries)."""
    user = signed_in(user)
    if user is None:
        return Viewer(user=None)
    ban = select(Ban.id).where(Ban.group_id == group.id, Ban.user_id == user.id).exists()
    row = db.session.execute(select(Membership, ban).where(
        Membership.group_id == group.id, Membership.user_id == user.id)).first()
    membership, banned = row if row is not None else (None, db.session.scalar(select(ban)))
    application = None if membership else db.session.scalar(
        select(Application).filter_by(group_id=group.id, user_id=user.id))
    owners = 0
    if membership is not None and membership.role == Role.OWNER:
        owners = db.session.scalar(
            select(db.func.count(Membership.id)).filter_by(group_id=group.id, role=Role.OWNER))
    return Viewer(user=user, membership=membership, banned=banned, application=application,
                  owner_count=owners)


def can(viewer: Viewer, action: Action, group: Group) -> bool:
    outsider = may_take_part(viewer.user) and not viewer.is_member and not viewer.banned
    public = group.visibility == Visibility.PUBLIC
    match action:
        case Action.VIEW:
            return public or viewer.is_member
        case Action.VIEW_MEMBERS:
            return viewer.is_member
        case Action.JOIN:
            return outsider and public and group.join_policy == JoinPolicy.OPEN
        case Action.APPLY:
            return (outsider and public and group.join_policy == JoinPolicy.APPROVAL
                    and not viewer.has_pending_application)
        case Action.ACCEPT_INVITATION:
            return may_take_part(viewer.user) and not viewer.banned
        case Action.WITHDRAW_APPLICATION:
            return viewer.has_pending_application
        case Action.LEAVE:
            return viewer.is_member and not is_last_owner(viewer, viewer.membership)
        case Action.CONTACT:
            return viewer.is_member or (outsider and public)
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
    if can(viewer, Action.CONTACT, group):
        g.contact_group = group.slug  # the 403 page links to the club's contact form
    abort(403)


# --- members and their ranks ---------------------------------------------------

def is_last_owner(viewer: Viewer, membership: Membership) -> bool:
    """The group's only owner, who may neither leave nor step down."""
    return membership.role == Role.OWNER and viewer.owner_count <= 1


def may_change_member(viewer: Viewer, target: Membership) -> bool:
    """Organisers manage members; only owners manage organisers and owners.
    Nobody removes themselves this way (that is leaving)."""
    if viewer.membership is None or target.id == viewer.membership.id:
        return False
    return viewer.role == Role.OWNER or (viewer.role == Role.ORGANISER
                                         and not target.is_organiser)


def may_set_roles(viewer: Viewer) -> bool:
    return viewer.role == Role.OWNER


def may_hand_over_to(viewer: Viewer, target: Membership) -> bool:
    return (viewer.role == Role.OWNER and viewer.membership is not None
            and target.id != viewer.membership.id and target.role != Role.OWNER)
