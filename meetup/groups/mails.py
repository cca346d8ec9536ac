"""Mails about groups: invitations and decisions on applications."""


from meetup.i18n import current_language
from meetup.mail import send_mail
from meetup.models import Application, Invitation
from meetup.urls import external_url


def send_invitation(invitation: Invitation) -> bool:
    link = external_url("invitations.show", token=invitation.token)
    return send_mail(invitation.email, "group_invitation", current_language(),
                     invitation=invitation, group=invitation.group, link=link)


def send_decision(application: Application) -> bool:
    user = application.user
    link = external_url("groups.show", slug=application.group.slug)
    return send_mail(user.email, "application_decided", user.locale or current_language(),
                     application=application, group=application.group, user=user, link=link)
