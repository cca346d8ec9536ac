""""Still coming?": two signed links in a mail, "yes, I am coming" and "release my
seat", that work without logging in.

A link is bound to one person, one event and its start time (itsdangerous with
its own salt: nobody can write one, or change its person or event); it expires
when the event starts, and the two links of one mail work once between them
(a ``StillComingAnswer`` row, unique per person, event and start). Releasing the
seat promotes the next party on the waitlist at once, who is mailed.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from meetup.errors import RuleError
from meetup.events import rsvp as rsvps
from meetup.extensions import db
from meetup.models import RSVP, Event, RSVPStatus, StillComingAnswer, User, utcnow
from meetup.notify import messages
from meetup.security import InvalidToken, make_token, read_token
from meetup.urls import external_url

PURPOSE = "still-coming"
ACTIONS = ("yes", "release")
MAX_AGE = 400 * 24 * 3600  # the real expiry is the event's start, checked on use


class LinkUsed(RuleError):
    status = 409

    def __init__(self):
        super().__init__(_l("This link has been used already."))


def version(event: Event) -> int:
    """The start the mail asks about (seconds from 2026, as the outbox's versions);
    a moved event asks again."""
    return int((event.starts_at - messages.VERSION_EPOCH).total_seconds())


def token(rsvp: RSVP, action: str) -> str:
    return make_token(PURPOSE, {"u": rsvp.user_id, "e": rsvp.event_id,
                                "v": version(rsvp.event), "a": action})


def links(rsvp: RSVP) -> dict[str, str]:
    return {action: external_url("preferences.still_coming", event_id=rsvp.event_id,
                                 action=action, token=token(rsvp, action))
            for action in ACTIONS}


def read(token_text: str, event_id: int, action: str) -> dict:
    """The link's content, if it is genuine and meant for this event and action."""
    data = read_token(PURPOSE, token_text, MAX_AGE)
    if data.get("e") != event_id or data.get("a") != action or action not in ACTIONS:
        raise InvalidToken()
    return data


def check(event: Event, data: dict, now: datetime) -> None:
    if now >= event.starts_at or data.get("v") != version(event) or event.is_cancelled:
        raise InvalidToken(expired=True)


def answer(token_text: str, event_id: int, action: str,
           now: datetime | None = None) -> tuple[Event, RSVP]:
    """Take the answer on the locked event (flushes); raises ``InvalidToken`` for a
    broken or expired link, ``LinkUsed`` for a second use."""
    data = read(token_text, event_id, action)
    event = rsvps.lock_event(event_id)
    now = now or utcnow()
    check(event, data, now)
    user = db.session.get(User, data["u"])
    rsvp = rsvps.mine(event, user)
    if rsvp is None or rsvp.status != RSVPStatus.GOING:
        raise RuleError(_l("You are no longer registered for this event."), 409)
    try:
        with db.session.begin_nested():
            db.session.add(StillComingAnswer(user_id=user.id, event_id=event.id,
                                             version=data["v"], answer=action,
                                             answered_at=now))
    except IntegrityError as error:
        raise LinkUsed() from error
    if action == "release":
        rsvps.withdraw(rsvp)
        db.session.flush()
        messages.answered(rsvp, RSVPStatus.GOING)
        rsvps.promote(event)
    return event, rsvp


def preview(token_text: str, event_id: int, action: str) -> Event:
    """The event a link is about, for the confirmation page (raises like ``answer``)."""
    data = read(token_text, event_id, action)
    event = db.session.get(Event, event_id)
    if event is None:
        raise InvalidToken()
    check(event, data, utcnow())
    if db.session.scalar(db.select(StillComingAnswer.id).filter_by(
            user_id=data["u"], event_id=event_id, version=data["v"])) is not None:
        raise LinkUsed()
    return event
