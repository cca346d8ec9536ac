"""Who may see and do what: the one place that answers it.

Pages, lists, search, feeds, exports and the API ask here. Each kind of thing
has one SQL condition (``visible_groups``, ``visible_events``, ``visible_people``)
so lists filter in the database, and one Python answer for a single object. An
outsider is never told that a private group exists: every denial there is a 404.
The ``load_…`` helpers turn a URL into an object and the visitor's standing, or
into the right denial.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from meetup.errors import RuleError
from meetup.extensions import db, login_manager
from meetup.guards import MAX_ID
from meetup.models import (
    RSVP,
    Application,
    ApplicationStatus,
    Ban,
    Block,
    ContactCard,
    Event,
    EventSeries,
    EventStatus,
    EventVisibility,
    Group,
    IntroductionRequest,
    Invitation,
    JoinPolicy,
    MeetingMark,
    Membership,
    ProfileVisibility,
    Role,
    RSVPStatus,
    User,
    Visibility,
)
from meetup.search import equals

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
