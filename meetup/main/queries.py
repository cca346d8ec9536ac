"""The signed-in home: what is next for a person, in a fixed number of queries
however many events, clubs, applications and invitations they have."""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from meetup import policy
from meetup.events.queries import going_counts, upcoming_events
from meetup.extensions import db
from meetup.main.relations import Relations, relations
from meetup.models import (
    RSVP,
    Application,
    ApplicationStatus,
    Event,
    EventStatus,
    Group,
    Invitation,
    Membership,
    RSVPStatus,
    User,
    utcnow,
)

MY_EVENTS = 5
TODO_EVENTS = 10
DISCOVER = 6


@dataclass(frozen=True)
class MyEvent:
    event: Event
    going: bool
    position: int | None  # on the waitlist


@dataclass(frozen=True)
class GroupTodo:
    group: Group
    applications: int = 0


@dataclass
class Home:
    events: list[MyEvent]
    clubs: list[Membership]
    applications: list[Application]
    invitations: list[Invitation]
    waiting: list[GroupTodo]  # clubs I look after with applications waiting
    unfinished: list[Event]  # their upcoming drafts and events without a place
    discover: list = field(default_factory=list)
    going: dict = field(default_factory=dict)  # people going, per event shown
    relations: Relations = field(default_factory=Relations)  # follow-ups, nudges

    def next_steps(self, user: User) -> dict[str, bool] | None:
        """The steps after sign-up, until both are done."""
        steps = {"profile": bool(user.headline), "club": bool(self.clubs)}
        return None if all(steps.values()) else steps


def my_events(user: User) -> list[MyEvent]:
    """My next events I am going to or waiting for, with my waitlist place."""
    ahead = aliased(RSVP)
    position = (select(func.count(ahead.id)).where(
        ahead.event_id == RSVP.event_id, ahead.status == RSVPStatus.WAITLIST,
        or_(ahead.waitlisted_at < RSVP.waitlisted_at,
            and_(ahead.waitlisted_at == RSVP.waitlisted_at, ahead.id <= RSVP.id)))
        .scalar_subquery())
    rows = db.session.execute(
        select(RSVP, position).join(RSVP.event).join(Event.group)
        .options(contains_eager(RSVP.event).contains_eager(Event.group))
        .where(RSVP.user_id == user.id, RSVP.status.in_(policy.ANSWERED),
               Event.ends_at >= utcnow(), policy.visible_events(user))
        .order_by(Event.starts_at, Event.id).limit(MY_EVENTS)).all()
    return [MyEvent(rsvp.event, rsvp.is_going, None if rsvp.is_going else place)
            for rsvp, place in rows]


def _clubs(user: User) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.group).options(contains_eager(Membership.group))
        .where(Membership.user_id == user.id).order_by(func.lower(Group.name))))


def _applications(user: User) -> list[Application]:
    """My open applications to clubs I may see (a private club's name stays on
    "My clubs" only)."""
    return list(db.session.scalars(
        select(Application).join(Application.group).options(contains_eager(Application.group))
        .where(Application.user_id == user.id, policy.visible_groups(user),
               Application.status == ApplicationStatus.PENDING)
        .order_by(Application.created_at)))


def _invitations(user: User) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).options(joinedload(Invitation.group))
        .where(policy.invitations_for(user, utcnow())).order_by(Invitation.created_at)))


def _waiting(user: User) -> list[GroupTodo]:
    """Clubs I look after with applications waiting, and how many."""
    rows = db.session.execute(
        select(Group, func.count(Application.id))
        .join(Application, Application.group_id == Group.id)
        .where(Group.id.in_(policy.managed_group_ids(user)),
               Application.status == ApplicationStatus.PENDING)
        .group_by(Group.id).order_by(func.lower(Group.name)))
    return [GroupTodo(group, count) for group, count in rows]


def _unfinished(user: User) -> list[Event]:
    """Upcoming drafts, and published events with neither an address nor an
    online link (the place is still open), of the clubs I look after."""
    no_place = and_(Event.venue_address == "", Event.online_url == "")
    return list(db.session.scalars(
        select(Event).options(joinedload(Event.group))
        .where(Event.group_id.in_(policy.managed_group_ids(user)), Event.ends_at >= utcnow(),
               or_(Event.status == EventStatus.DRAFT,
                   and_(Event.status == EventStatus.PUBLISHED, no_place)))
        .order_by(Event.starts_at, Event.id).limit(TODO_EVENTS)))


def home(user: User) -> Home:
    clubs = _clubs(user)
    organiser = any(membership.is_organiser for membership in clubs)  # else nothing to ask
    page = Home(events=my_events(user), clubs=clubs, applications=_applications(user),
                invitations=_invitations(user),
                waiting=_waiting(user) if organiser else [],
                unfinished=_unfinished(user) if organiser else [])
    page.relations = relations(user, utcnow())
    page.discover = list(upcoming_events(user, limit=DISCOVER))
    page.going = going_counts([*page.discover, *(mine.event for mine in page.events)])
    return page
