"""Mail people write to many: an organiser's announcement to the people of an
event or a club, and a member's message to a club's organisers.

Both flush and never commit; both count what was sent in the last 24 hours and
refuse (429) beyond the configured limit. An announcement is one outbox row per
recipient, each in the recipient's language and only to those who want it; a
message to the organisers goes to each of them with the writer's address as
Reply-To (they chose to write) and no organiser's address anywhere the writer sees.
An announcement is drafted (``draft``: every copy rendered) before the caller's
transaction and sent (``send``) inside it.
"""

from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from meetup import policy
from meetup.database import begin_writing
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Announcement,
    Audience,
    ContactMessage,
    Event,
    Group,
    Membership,
    RSVPStatus,
    User,
    utcnow,
)
from meetup.notify import preferences
from meetup.notify.membership import organisers
from meetup.notify.outbox import Mail, Prepared, prepare_each, queue, queue_prepared
from meetup.urls import external_url

DAY = timedelta(hours=24)


def audience_of(group: Group, event: Event | None, audience: Audience) -> list[User]:
    """Who an announcement reaches: the people going to (or waiting for) the
    event, or every member of the club."""
    if audience == Audience.MEMBERS:
        query = (select(User).join(Membership, Membership.user_id == User.id)
                 .where(Membership.group_id == group.id))
    else:
        if event is None:
            raise RuleError(_l("Please choose who should receive the announcement."))
        status = RSVPStatus.GOING if audience == Audience.GOING else RSVPStatus.WAITLIST
        query = (select(User).join(RSVP, RSVP.user_id == User.id)
                 .where(RSVP.event_id == event.id, RSVP.status == status))
    return list(db.session.scalars(query.order_by(User.id)))


class Draft(NamedTuple):
    """An announcement with every copy rendered, not yet written (``draft``)."""

    author: User
    group: Group
    entry: Announcement
    copies: Prepared


def draft(author: User, group: Group, event: Event | None, audience: Audience,
          subject: str, body: str) -> Draft:
    """Read who gets the announcement and render each copy in its language; writes
    nothing. A view calls it before its transaction, which on SQLite holds the
    write lock: rendering a copy for each of thousands takes a while, and other
    people's answers should not wait for it. Who wants a copy is read a moment
    before it is sent, as if it had been sent a moment earlier. RuleError (403)
    while the author has not confirmed their address."""
    policy.ensure_taking_part(author)
    audience_users = audience_of(group, event, audience)
    out = preferences.opted_out(audience_users, "announcements", group)
    recipients = [user for user in audience_users if user.id not in out]
    entry = Announcement(group_id=group.id, event_id=event.id if event else None,
                         author_id=author.id, audience=audience, subject=" ".join(subject.split()),
                         body=body.strip(), recipient_count=len(recipients))
    link = external_url("events.show", event_id=event.id) if event else external_url(
        "groups.show", slug=group.slug)
    copies = prepare_each([_copy(user, group) for user in recipients], "announcement",
                          sender_name=group.name, group=group, event=event,
                          announcement=entry, author=author.name, link=link,
                          contact_link=external_url("groups.contact", slug=group.slug))
    return Draft(author, group, entry, copies)


def send(prepared: Draft) -> Announcement:
    """Queue a drafted announcement and log it, in the caller's transaction;
    RuleError (429) when the club has sent its announcements for the day. The
    caller checked ``MANAGE``."""
    policy.ensure_taking_part(prepared.author)
    begin_writing()  # the count and the new row under one lock (SQLite)
    limit = current_app.config["ANNOUNCEMENTS_PER_DAY"]
    group = prepared.group
    if _count(Announcement, Announcement.group_id == group.id) >= limit:
        raise RuleError(_l("%(group)s has sent %(limit)d announcements in the last 24 "
                           "hours. Please try again tomorrow.", group=group.name, limit=limit),
                        status=429)
    db.session.add(prepared.entry)
    db.session.flush()
    queue_prepared(prepared.copies, kind="announcement",
                   key=f"announcement:{prepared.entry.id}")
    return prepared.entry


def _copy(user: User, group: Group) -> Mail:
    unsubscribe = preferences.unsubscribe_link(user, "announcements", group)
    return Mail(user, preferences.list_headers(unsubscribe), {"unsubscribe": unsubscribe})


def contact_organisers(sender: User, group: Group, subject: str, body: str) -> int:
    """Send a message to each organiser of the club; how many. RuleError (429)
    beyond the sender's daily limit, (403) while the sender has not confirmed their
    address: it may be someone else's. The caller checked ``CONTACT``."""
    policy.ensure_taking_part(sender)
    begin_writing()
    limit = current_app.config["CONTACT_MESSAGES_PER_DAY"]
    if _count(ContactMessage, ContactMessage.sender_id == sender.id) >= limit:
        raise RuleError(_l("You have written %(limit)d messages to organisers in the last "
                           "24 hours. Please try again tomorrow.", limit=limit), status=429)
    entry = ContactMessage(group_id=group.id, sender_id=sender.id)
    db.session.add(entry)
    db.session.flush()
    recipients = organisers(group)
    for organiser in recipients:
        queue(organiser.email, "contact_organisers", organiser.locale or "",
              kind="contact_organisers", key=f"contact:{entry.id}", user=organiser,
              sender_name=f"{sender.name} via {group.name}", reply_to=sender.email,
              group=group, writer=sender.name, subject=" ".join(subject.split()), text=body.strip(),
              link=external_url("groups.show", slug=group.slug))
    return len(recipients)


def recent(group: Group, event: Event | None = None, limit: int = 20) -> list[Announcement]:
    """The log on the management page: the latest announcements, newest first."""
    query = select(Announcement).where(Announcement.group_id == group.id)
    if event is not None:
        query = query.where(Announcement.event_id == event.id)
    return list(db.session.scalars(
        query.order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(limit)))


def _count(model, condition) -> int:
    since = utcnow() - DAY
    return db.session.scalar(select(func.count(model.id))
                             .where(condition, model.created_at > since))
