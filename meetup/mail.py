"""Mail: render a template, build the message, hand it to the SMTP server.

The outbox (``meetup.notify``) renders with ``render_mail`` when a mail is queued
and builds and delivers with ``build_message`` and ``deliver`` when it is sent.
``send_mail`` sends at once, outside any outbox; it stays until every caller
queues instead. Without ``MAIL_SERVER`` (development) it writes the whole
message to the log so that every link can be followed offline.
"""

import secrets
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from meetup.models import utcnow
from meetup.urls import site_domain

CALENDAR_FILENAME = "invite.ics"
# Headers are not folded at 78 characters: Python's folding loses the space between a
# word and the next one when both are encoded ("Unternehmerclub Münster" arrived as
# "UnternehmerclubMünster"). 998 is the limit of a line in RFC 5322.
POLICY = policy.SMTP.clone(max_line_length=998)


def new_message_id() -> str:
    """A Message-ID under the site's domain: ``<32 hex digits@treffpunkt.example.org>``
    (random, and short enough that the header is not folded)."""
    return f"<{secrets.token_hex(16)}@{site_domain()}>"


def sender_address(display_name: str | None = None) -> str:
    """MAIL_DEFAULT_SENDER, with another display name if one is given."""
    default = current_app.config["MAIL_DEFAULT_SENDER"]
    if not display_name:
        return default
    return formataddr((display_name, parseaddr(default)[1]))


def readable_header(value: str) -> str:
    """A header as people read it: encoded words (``=?utf-8?q?…?=``) decoded."""
    return str(make_header(decode_header(value)))


def build_message(to: str, subject: str, body: str, *, html: str | None = None,
                  sender_name: str | None = None, reply_to: str | None = None,
                  message_id: str | None = None, date: datetime | None = None,
                  headers: Mapping[str, str] | None = None,
                  attachment: bytes | None = None,
                  attachment_method: str | None = None) -> EmailMessage:
    """A complete message: text, an HTML alternative, an iCalendar attachment."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender_address(sender_name)
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = format_datetime(date or utcnow())
    message["Message-ID"] = message_id or new_message_id()
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        params = {"method": attachment_method} if attachment_method else {}
        message.add_attachment(attachment, maintype="text", subtype="calendar",
                               filename=CALENDAR_FILENAME, params=params)
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


class _KeepsReply:
    """Remembers the server's answer to the message (``250 2.0.0 Ok: queued as …``)."""

    last_reply = ""

    def data(self, msg):
        code, reply = super().data(msg)
        self.last_reply = f"{code} {reply.decode('utf-8', 'replace')}"
        return code, reply


class SMTP(_KeepsReply, smtplib.SMTP):
    pass


class SMTPSSL(_KeepsReply, smtplib.SMTP_SSL):
    pass


@contextmanager
def smtp_connection() -> Iterator[SMTP | SMTPSSL]:
    """One connection to MAIL_SERVER, encrypted and logged in as configured."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        connection = SMTPSSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"]:
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield connection
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()  # what was sent is sent; a failed goodbye changes nothing


def deliver(message: EmailMessage, smtp: SMTP | SMTPSSL | None = None) -> str:
    """Hand one message to the mail server (a new connection unless one is given);
    returns the server's reply."""
    if smtp is None:
        with smtp_connection() as connection:
            return deliver(message, connection)
    smtp.send_message(message)
    return smtp.last_reply
