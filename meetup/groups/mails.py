"""Mails about groups: invitations and decisions on applications."""

from flask import url_for

from meetup.i18n import current_language
from meetup.mail import send_mail
from meetup.models import Application, Invitation


def send_invitation(invitation: Invitation) -> bool:
    link = url_for("invitations.show", token=invitation.token, _external=True)
    return send_mail(invitation.email, "group_invitation", current_language(),
                     invitation=invitation, group=invitation.group, link=link)


def send_decision(application: Application) -> bool:
    user = application.user
    link = url_for("groups.show", slug=application.group.slug, _external=True)
    return send_mail(user.email, "application_decided", user.locale or current_language(),
                     application=application, group=application.group, user=user, link=link)
