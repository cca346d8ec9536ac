"""What the evening's changes tell people by mail: each message a row of the outbox,
queued in the transaction of the change that causes it (see ``outbox.queue``).

RSVP confirmations and promotions carry an invitation (``METHOD:REQUEST``, the person
as ATTENDEE, the same UID and SEQUENCE as the feeds), so they land in Outlook, Google,
Apple and Thunderbird as an accepted appointment; a withdrawal or a cancelled event
carries ``METHOD:CANCEL``, which takes the appointment out again.
"""

from datetime import UTC, datetime
from email.utils import parseaddr

from flask import current_app

from meetup.calendar import ical
from meetup.models import RSVP, Event, RSVPStatus, User, utcnow
from meetup.notify.outbox import Attachment, queue
from meetup.urls import external_url


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


locale_of = _locale


def organizer_email() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or "noreply@treffpunkt.local"


def invitation(event: Event, user: User, method: str, tentative: bool = False) -> Attachment:
    """The event as a calendar invitation for ``user`` in their language."""
    entry = ical.Entry(event, external_url("events.show", event_id=event.id),
                       tentative=tentative, show_online_link=not tentative)
    data = ical.build([entry], name=event.title, description=event.group.name,
                      organizer_email=organizer_email(), method=method,
                      attendee=ical.Attendee(user.name, user.email), language=_locale(user))
    return Attachment(data, method)


VERSION_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def stamp() -> int:
    """A version for answers a person may give more than once (yes, no, yes): the
    second of the answer, counted from 2026 so that it fits 32 bits for 68 years.
    A double click within that second is one mail."""
    return int((utcnow() - VERSION_EPOCH).total_seconds())


def about_event(template: str, rsvp: RSVP, *, kind: str, version: int,
                 attachment: Attachment | None = None, **context) -> None:
    event, user = rsvp.event, rsvp.user
    queue(user.email, template, _locale(user), kind=kind, key=f"event:{event.id}",
          version=version, user=user, sender_name=event.group.name, attachment=attachment,
          event=event, group=event.group, rsvp=rsvp,
          link=external_url("events.show", event_id=event.id), **context)


def answered(rsvp: RSVP, before: RSVPStatus | None, position: int | None = None) -> None:
    """A person said yes (going or waiting) or withdrew: confirm it to them."""
    if rsvp.status == before:
        return
    event, user = rsvp.event, rsvp.user
    if rsvp.status == RSVPStatus.GOING:
        about_event("rsvp_going", rsvp, kind="rsvp_going", version=stamp(),
                     attachment=invitation(event, user, "REQUEST"))
    elif rsvp.status == RSVPStatus.WAITLIST:
        about_event("rsvp_waitlist", rsvp, kind="rsvp_waitlist", version=stamp(),
                     position=position)
    elif before == RSVPStatus.GOING:
        about_event("rsvp_withdrawn", rsvp, kind="rsvp_withdrawn", version=stamp(),
                     attachment=invitation(event, user, "CANCEL"))


def promoted(rsvp: RSVP) -> None:
    """A seat became free and is now theirs: say so, with the invitation."""
    about_event("rsvp_promoted", rsvp, kind="rsvp_promoted", version=stamp(),
                 attachment=invitation(rsvp.event, rsvp.user, "REQUEST"))


def cancelled(event: Event, rsvps: list[RSVP]) -> None:
    """The event is cancelled: everyone going or waiting hears it once, with the reason."""
    for rsvp in rsvps:
        about_event("event_cancelled", rsvp, kind="event_cancelled", version=event.sequence,
                     attachment=invitation(event, rsvp.user, "CANCEL"))
