"""Contacts' birthdays as yearly all-day events, an option of the personal feed
(``/calendar/<token>.ics?birthdays=1``).

A birthday is day and month only, shared with contacts (never the year). Each
becomes one VEVENT that starts in the leap year 2000 (so 29 February exists)
and repeats with ``RRULE:FREQ=YEARLY``; its UID and DTSTAMP stay the same as
long as the birthday does, so calendar apps update it instead of adding copies.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event as VEvent
from sqlalchemy import select

from meetup.calendar.ical import text
from meetup.extensions import db
from meetup.models import ContactCard, User

FIRST_YEAR = 2000  # a leap year
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Birthday:
    user_id: int
    name: str
    day: int
    month: int


def valid(day: int | None, month: int | None) -> bool:
    """Day and month that exist in some year (29 February included)."""
    if day is None or month is None:
        return False
    try:
        date(FIRST_YEAR, month, day)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a number beyond C's long
        return False
    return True


def of_contacts(owner: User) -> list[Birthday]:
    """The birthdays my contacts share, in one statement."""
    rows = db.session.execute(
        select(User.id, User.name, User.birthday_day, User.birthday_month)
        .join(ContactCard, ContactCard.other_id == User.id)
        .where(ContactCard.owner_id == owner.id, User.birthday_day.is_not(None),
               User.birthday_month.is_not(None))
        .order_by(User.id))
    return [Birthday(*row) for row in rows if valid(row[2], row[3])]


def vevents(birthdays: list[Birthday], domain: str, language: str) -> bytes:
    """The VEVENTs (as iCalendar text) to put into a feed."""
    with force_locale(language):
        return b"".join(_vevent(birthday, domain).to_ical() for birthday in birthdays)


def _vevent(birthday: Birthday, domain: str) -> VEvent:
    first = date(FIRST_YEAR, birthday.month, birthday.day)
    event = VEvent()
    event.add("uid", f"birthday-{birthday.user_id}-{birthday.month:02d}{birthday.day:02d}"
                     f"@{domain}")
    event.add("dtstamp", STAMP)
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(days=1))
    event.add("rrule", {"freq": "yearly"})
    event.add("summary", text(_("Birthday: %(name)s", name=birthday.name)))
    event.add("transp", "TRANSPARENT")
    event.add("categories", [_("Birthday")])
    return event


def into_feed(body: bytes, events: bytes) -> bytes:
    """The feed ``body`` with ``events`` before its end."""
    end = body.rindex(b"END:VCALENDAR")
    return body[:end] + events + body[end:]
