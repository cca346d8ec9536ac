"""Group rules: creating and editing groups, joining, applying, leaving, roles.

Functions flush and never commit; the caller's ``transaction()`` commits once.
Refusals raise ``RuleError``; who may do what is asked of ``meetup.policy``.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from meetup import audit, policy
from meetup.audit import Act
from meetup.database import begin_writing
from meetup.errors import RuleError
from meetup.events import rsvp
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Application,
    ApplicationStatus,
    Ban,
    Event,
    Group,
    Membership,
    Role,
    RSVPStatus,
    User,
    utcnow,
)

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe",
                         "Ü": "Ue"})


def slugify(text: str) -> str:
    """'Unternehmerclub Münster' -> 'unternehmerclub-muenster'."""
    text = unicodedata.normalize("NFKD", text.translate(UMLAUTS))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")


RESERVED_SLUGS = {"new", "mine"}  # paths of their own under /groups/


def slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    if slug in RESERVED_SLUGS:
        return True
    query = select(Group.id).where(Group.slug == slug)
    if exclude_id is not None:
        query = query.where(Group.id != exclude_id)
    return db.session.scalar(query) is not None


def suggest_slug(name: str, city: str = "") -> str:
    """A free slug close to the name: with the city first, then numbered."""
    base = slugify(name) or "club"
    candidates = [base]
    if city and slugify(city) not in base:
        candidates.append(f"{base}-{slugify(city)}")
    candidates += [f"{base}-{number}" for number in range(2, 100)]
    return next(slug for slug in candidates if not slug_taken(slug))


def create_group(owner: User, **fields) -> Group:
    """Create a group with ``owner`` as its owner. Raises RuleError when the
    slug is taken (also when a concurrent request took it first)."""
    group = Group(**fields)
    if slug_taken(group.slug):
        raise RuleError(_l("This web address is taken."))
    try:
        with db.session.begin_nested():
            db.session.add(group)
            db.session.flush()
            db.session.add(Membership(group_id=group.id, user_id=owner.id, role=Role.OWNER))
    except IntegrityError as exc:
        raise RuleError(_l("This web address is taken.")) from exc
    return group


def update_group(group: Group, **fields) -> Group:
    for name, value in fields.items():
        setattr(group, name, value)
    db.session.flush()
    return group


def add_member(group: Group, user: User, role: Role = Role.MEMBER) -> Membership:
    """Make ``user`` a member; idempotent under double clicks and races (the
    unique constraint decides, the loser gets the existing membership)."""
    begin_writing()
    existing = db.session.scalar(select(Membership).filter_by(group_id=group.id,
                                                              user_id=user.id))
    if existing is not None:
        return existing
    membership = Membership(group_id=group.id, user_id=user.id, role=role)
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        return db.session.scalar(select(Membership).filter_by(group_id=group.id,
                                                              user_id=user.id))
    return membership


def apply(group: Group, user: User, message: str) -> Application:
    """Ask to join; re-opens an earlier declined application. The caller has
    asked the policy (``APPLY``, or ``ACCEPT_INVITATION``)."""
    begin_writing()
    application = db.session.scalar(select(Application).filter_by(group_id=group.id,
                                                                  user_id=user.id))
    if application is None:
        application = Application(group_id=group.id, user_id=user.id)
        try:
            with db.session.begin_nested():
                db.session.add(application)
        except IntegrityError:
            application = db.session.scalar(
                select(Application).filter_by(group_id=group.id, user_id=user.id))
    application.message = message.strip()
    application.status = ApplicationStatus.PENDING
    application.decided_at = application.decided_by_id = None
    db.session.flush()
    return application


def withdraw_application(viewer: policy.Viewer) -> None:
    """The applicant takes back a pending application; they may apply again later."""
    application = viewer.application
    if application is None or application.status != ApplicationStatus.PENDING:
        raise RuleError(_l("There is no open application to withdraw."))
    begin_writing()
    # Conditional, so an organiser deciding at the same moment wins or loses whole.
    result = db.session.execute(
        delete(Application)
        .where(Application.id == application.id,
               Application.status == ApplicationStatus.PENDING)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RuleError(_l("The organisers have just decided on your application."))


def decide(application: Application, organiser: User, approve: bool) -> bool:
    """Approve or decline a pending application. Returns False if another
    organiser decided first: the conditional update makes exactly one win."""
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    begin_writing()
    result = db.session.execute(
        update(Application)
        .where(Application.id == application.id,
               Application.status == ApplicationStatus.PENDING)
        .values(status=status, decided_by_id=organiser.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(application)
        return False
    db.session.refresh(application)
    if approve:
        add_member(application.group, application.user)
    audit.record(application.group_id, organiser, Act.APPROVE if approve else Act.DECLINE,
                 application, {"status": ApplicationStatus.PENDING}, {"status": status})
    return True


def leave(viewer: policy.Viewer) -> None:
    if policy.is_last_owner(viewer, viewer.membership):
        raise RuleError(_l("You are the only owner. Hand over ownership before you leave."))
    db.session.delete(viewer.membership)
    db.session.flush()


def _target(viewer: policy.Viewer, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.group_id != viewer.membership.group_id:
        raise RuleError(_l("This person is not a member."), 404)
    return membership


def set_title(viewer: policy.Viewer, membership_id: int, title: str) -> Membership:
    target = _target(viewer, membership_id)
    before = target.title
    target.title = title.strip()[:80]
    if target.title != before:
        audit.record(target.group_id, viewer.user, Act.TITLE, target, {"title": before},
                     {"title": target.title})
    return target


def set_role(viewer: policy.Viewer, membership_id: int, role: str) -> Membership:
    target = _target(viewer, membership_id)
    if role not in set(Role):
        raise RuleError(_l("Please choose a role from the list."), 422)
    role = Role(role)
    if not policy.may_set_roles(viewer):
        raise RuleError(_l("Only an owner can change roles."), 403)
    if role != Role.OWNER and policy.is_last_owner(viewer, target):
        raise RuleError(_l("A group needs at least one owner."))
    before, target.role = target.role, role
    db.session.flush()
    if role != before:
        audit.record(target.group_id, viewer.user, Act.ROLE, target, {"role": before},
                     {"role": role})
    return target


def transfer_ownership(viewer: policy.Viewer, membership_id: int) -> Membership:
    """Make another member the owner; the previous owner stays as organiser."""
    target = _target(viewer, membership_id)
    if viewer.role != Role.OWNER:
        raise RuleError(_l("Only an owner can hand over ownership."), 403)
    if target.id == viewer.membership.id:
        raise RuleError(_l("You are already the owner."))
    if not policy.may_hand_over_to(viewer, target):
        raise RuleError(_l("This person is already an owner."))
    before = target.role
    target.role = Role.OWNER
    viewer.membership.role = Role.ORGANISER
    db.session.flush()
    audit.record(target.group_id, viewer.user, Act.TRANSFER, target,
                 {"role": before, "previous_owner_role": Role.OWNER},
                 {"role": Role.OWNER, "previous_owner_role": Role.ORGANISER})
    return target


def remove_member(viewer: policy.Viewer, membership_id: int, ban: bool = False) -> User:
    target = _target(viewer, membership_id)
    if target.id == viewer.membership.id:
        raise RuleError(_l("To leave the group, use “Leave group”."))
    if not policy.may_change_member(viewer, target):
        raise RuleError(_l("Only an owner can change organisers and owners."), 403)
    user = target.user
    audit.record(target.group_id, viewer.user, Act.BAN if ban else Act.REMOVE, target,
                 {"role": target.role, "title": target.title},
                 {"member": False, "banned": ban})
    db.session.delete(target)
    if ban:
        ban_user(viewer.membership, user)
    db.session.flush()
    return user


def ban_user(actor: Membership, user: User) -> None:
    """Keep ``user`` out of the group: no joining, no pending application,
    and their seats at the group's coming events go to the waitlist."""
    if db.session.scalar(select(Ban.id).filter_by(group_id=actor.group_id, user_id=user.id)):
        return
    _release_seats(actor.group_id, user)
    db.session.add(Ban(group_id=actor.group_id, user_id=user.id, banned_by_id=actor.user_id))
    db.session.execute(
        update(Application)
        .where(Application.group_id == actor.group_id, Application.user_id == user.id,
               Application.status == ApplicationStatus.PENDING)
        .values(status=ApplicationStatus.DECLINED, decided_by_id=actor.user_id,
                decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _release_seats(group_id: int, user: User) -> None:
    events = db.session.scalars(
        select(RSVP.event_id).join(RSVP.event)
        .where(Event.group_id == group_id, RSVP.user_id == user.id,
               RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]),
               Event.starts_at > utcnow())
        .order_by(RSVP.event_id)).all()  # one lock order for every writer
    for event_id in events:
        rsvp.organiser_set(rsvp.lock_event(event_id), user, RSVPStatus.NOT_GOING)


def unban(group: Group, ban_id: int, actor: User | None = None) -> None:
    ban = db.session.get(Ban, ban_id)
    if ban is None or ban.group_id != group.id:
        raise RuleError(_l("This ban does not exist."), 404)
    audit.record(group, actor, Act.UNBAN, ban, {"banned": True}, {"banned": False})
    db.session.delete(ban)
    db.session.flush()
