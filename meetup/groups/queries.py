"""Reading clubs: member counts, leaders, drafts, the attendance record."""

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Application,
    ApplicationStatus,
    Ban,
    Event,
    EventStatus,
    Group,
    Invitation,
    Membership,
    Role,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.policy import visible_people

ROLE_ORDER = case({Role.OWNER: 0, Role.ORGANISER: 1}, value=Membership.role, else_=2)


def member_counts(groups: Sequence[Group]) -> dict[int, int]:
    if not groups:
        return {}
    rows = db.session.execute(select(Membership.group_id, func.count(Membership.id))
                              .where(Membership.group_id.in_([g.id for g in groups]))
                              .group_by(Membership.group_id))
    return dict(rows.all())


def leaders(group: Group, viewer: User | None) -> list[Membership]:
    """Owners, organisers and members with a title, as far as each profile allows."""
    return list(db.session.scalars(
        select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.group_id == group.id, visible_people(viewer),
               (Membership.role != Role.MEMBER) | (Membership.title != ""))
        .order_by(ROLE_ORDER, User.name)))


def pending_count(group: Group) -> int:
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.group_id == group.id, Application.status == ApplicationStatus.PENDING))


def pending_applications(group: Group) -> list[Application]:
    return list(db.session.scalars(
        select(Application).options(joinedload(Application.user))
        .where(Application.group_id == group.id,
               Application.status == ApplicationStatus.PENDING)
        .order_by(Application.created_at)))


def drafts(group: Group) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(Event.group_id == group.id, Event.status == EventStatus.DRAFT)
        .order_by(Event.starts_at)))


def active_invitations(group: Group) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.group_id == group.id,
                                 Invitation.revoked_at.is_(None),
                                 Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())))


def members_with_bans(group: Group) -> tuple[list[Membership], list[Ban]]:
    members = db.session.scalars(
        select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.group_id == group.id).order_by(ROLE_ORDER, User.name)).all()
    bans = db.session.scalars(select(Ban).options(joinedload(Ban.user))
                              .where(Ban.group_id == group.id)).all()
    return list(members), list(bans)


def attendance_by_member(group: Group) -> dict[int, tuple[int, int]]:
    """(attended, registered) per member over the group's past events, one query."""
    rows = db.session.execute(
        select(RSVP.user_id, func.count(RSVP.id), func.count(RSVP.checked_in_at))
        .join(RSVP.event)
        .where(Event.group_id == group.id, Event.ends_at < utcnow(),
               Event.status == EventStatus.PUBLISHED, RSVP.status == RSVPStatus.GOING)
        .group_by(RSVP.user_id))
    return {user_id: (attended, registered) for user_id, registered, attended in rows}
