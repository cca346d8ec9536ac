"""Organiser alerts, queued in the RSVP's own transaction: the event has just
become full, and the first person is waiting for a seat. Each goes once per event
to every organiser of the club who has not switched organiser alerts off."""

from collections.abc import Callable

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import RSVP, Event, Membership, Role, RSVPStatus, User
from meetup.notify import preferences
from meetup.notify.messages import locale_of
from meetup.notify.outbox import queue
from meetup.urls import external_url


def after_answer(event: Event, rsvp: RSVP, before: RSVPStatus | None,
                 seats_taken: Callable[[Event], int]) -> None:
    """Call on the locked event after an answer (``seats_taken`` counts the seats
    held; asked only when a new yes may have filled the event)."""
    if rsvp.status == before:
        return
    if (rsvp.status == RSVPStatus.GOING and event.capacity is not None
            and seats_taken(event) >= event.capacity):
        _alert(event, "event_full")
    elif rsvp.status == RSVPStatus.WAITLIST and _waiting(event) == 1:
        _alert(event, "waitlist_forming")


def _waiting(event: Event) -> int:
    return db.session.scalar(select(func.count(RSVP.id)).where(
        RSVP.event_id == event.id, RSVP.status == RSVPStatus.WAITLIST))


def organisers(group_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group_id,
               Membership.role.in_([Role.OWNER, Role.ORGANISER])).order_by(User.id)))


def _alert(event: Event, kind: str) -> None:
    for user in organisers(event.group_id):
        if not preferences.wants(user, "organiser_alerts"):
            continue
        link = preferences.unsubscribe_link(user, "organiser_alerts")
        queue(user.email, kind, locale_of(user), kind=kind, key=f"event:{event.id}",
              version=1, user=user, sender_name=event.group.name,
              headers=preferences.list_headers(link), unsubscribe=link, event=event,
              group=event.group, link=external_url("events.show", event_id=event.id))
