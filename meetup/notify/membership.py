"""Mails about belonging to a club: a new application (to its organisers), the
decision (to the applicant), an invitation (who invited, with their note).

The club's name is the sender's name. No mail carries a member's address: an
organiser reads applications on the applications page, and an applicant who has
a question writes through the club's contact form.
"""

from flask import current_app
from sqlalchemy import select

from meetup.extensions import db
from meetup.i18n import current_language
from meetup.models import Application, Group, Invitation, Membership, Role, User
from meetup.notify.messages import stamp
from meetup.notify.outbox import queue
from meetup.urls import external_url

ORGANISER_ROLES = (Role.OWNER, Role.ORGANISER)


def organisers(group: Group) -> list[User]:
    """The club's owners and organisers, in a stable order."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.role.in_(ORGANISER_ROLES))
        .order_by(User.id)))


def _locale(user: User | None) -> str:
    if user is not None and user.locale:
        return user.locale
    return current_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def application_received(application: Application) -> None:
    """Each organiser hears of a new (or renewed) application, with a link to decide."""
    group, version = application.group, stamp()
    link = external_url("groups.applications", slug=group.slug)
    for organiser in organisers(group):
        queue(organiser.email, "application_received", _locale(organiser),
              kind="application_received", key=f"application:{application.id}",
              version=version, user=organiser, sender_name=group.name, group=group,
              applicant=application.user.name, link=link)


def application_decided(application: Application) -> None:
    user, group = application.user, application.group
    queue(user.email, "application_decided", _locale(user), kind="application_decided",
          key=f"application:{application.id}", version=stamp(), user=user,
          sender_name=group.name, application=application, group=group,
          link=external_url("groups.show", slug=group.slug),
          contact_link=external_url("groups.contact", slug=group.slug))


def invitation(invitation: Invitation, inviter: User, note: str = "") -> None:
    """The personal invitation link, saying who invited and with their note."""
    group = invitation.group
    known = db.session.scalar(select(User).where(User.email == invitation.email))
    queue(invitation.email, "group_invitation", _locale(known), kind="group_invitation",
          key=f"invitation:{invitation.id}", user=known, sender_name=group.name,
          invitation=invitation, group=group, inviter=inviter.name, note=(note or "").strip(),
          link=external_url("invitations.show", token=invitation.token))
