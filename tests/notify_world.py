"""Shared steps of the scheduled-mail tests: people going to an event, time passing
(``tick`` at a chosen moment), organisers moving or cancelling the event."""

import re
from datetime import datetime, timedelta

from meetup.database import transaction
from meetup.events import services
from meetup.events.rsvp import lock_event
from meetup.extensions import db
from meetup.models import RSVP, Event, User
from meetup.notify import schedule
from meetup.notify.sender import send_pending
from tests.test_notifications import answer, member


def people_going(app, make_user, add_member, slug, event_id, people) -> dict:
    """Each (email, name, locale) says yes through the page; their clients by email."""
    clients = {}
    for email, name, locale in people:
        clients[email] = member(app, make_user, add_member, slug, email, name, locale=locale)
        answer(clients[email], event_id)
    return clients


def starts(app, event_id) -> datetime:
    with app.app_context():
        return db.session.get(Event, event_id).starts_at


def tick(app, now: datetime):
    with app.app_context():
        return schedule.tick(now)


def deliver(app) -> None:
    with app.app_context():
        send_pending()


def move(app, event_id, by: timedelta = timedelta(0), *, minutes=0, **values) -> None:
    """The organiser moves the event (keeping its length) and changes ``values``."""
    with app.app_context(), transaction():
        event = lock_event(event_id)
        local = event.starts_at.astimezone(event.zone).replace(tzinfo=None)
        length = event.ends_at - event.starts_at
        start = local + by + timedelta(minutes=minutes)
        services.update(event, values, services.Schedule(start=start, end=start + length,
                                                         timezone=event.timezone))


def cancel(app, event_id, reason="Der Saal ist nicht frei.") -> None:
    with app.app_context(), transaction():
        services.cancel(lock_event(event_id), reason)


def status_of(app, event_id, email) -> str | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        rsvp = db.session.scalar(db.select(RSVP).filter_by(event_id=event_id, user_id=user.id))
        return rsvp.status.value if rsvp else None


def subjects(mailbox, to: str) -> list[str]:
    return [m["Subject"] for m in mailbox.messages if to in m["To"]]


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def links(mail) -> list[str]:
    return re.findall(r"https?://\S+", text_of(mail))
