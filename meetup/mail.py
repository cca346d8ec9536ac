"""A small mail service: render a text template, send it by SMTP or log it.

Without ``MAIL_SERVER`` (development), the whole message is written to the
log so that every link can be followed offline.
"""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from meetup.urls import site_domain


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=site_domain())
    message.set_content(body)
    return message


def render_mail(template: str, locale: str, **context) -> tuple[str, str]:
    """Render ``templates/mail/<template>.txt``; its first line is the subject."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.lstrip().partition("\n")
    return subject.strip(), body.lstrip("\n")


def send_mail(to: str, template: str, locale: str, **context) -> bool:
    """Send one mail; returns False (and logs) if the mail server failed."""
    subject, body = render_mail(template, locale, **context)
    message = build_message(to, subject, body)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("Mail (no MAIL_SERVER configured):\n%s", message.as_string())
        return True
    try:
        deliver(message)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("Could not send mail %r to %s", subject, to)
        return False
    return True


def deliver(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
