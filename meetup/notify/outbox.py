"""Queue mails in the caller's transaction (the transactional outbox).

``queue`` renders a mail in the recipient's language and adds it to the current
session: it flushes and never commits, so the mail exists exactly when the change
that caused it is committed, and a rollback takes it back. Each mail has a key
(recipient, kind, subject key, version); queueing the same key again returns the
row already there, also when two transactions race for it: on PostgreSQL the
second INSERT waits for the first and, after its commit, finds the row through a
SAVEPOINT; on SQLite ``queue`` takes the write lock before it looks (a transaction
that has only read so far starts again under the lock, as ``begin_writing`` does).
"""

from typing import Any, NamedTuple

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from meetup.database import begin_writing, in_slices
from meetup.extensions import db
from meetup.mail import new_message_id, render_mail
from meetup.models import OutboxMessage, OutboxState, User, normalise_email


class Mail(NamedTuple):
    """One recipient of ``prepare_each``: their account, their own headers (such as
    List-Unsubscribe) and what their copy says beyond the shared context."""

    user: User
    headers: dict[str, str]
    context: dict[str, Any]


class Attachment(NamedTuple):
    """An iCalendar file sent with the mail; ``method`` as in its METHOD line."""

    data: bytes
    method: str = "REQUEST"


def queue(to: str, template: str, locale: str, *, kind: str, key: str, version: int = 1,
          user: User | None = None, sender_name: str | None = None,
          reply_to: str | None = None, attachment: Attachment | None = None,
          headers: dict[str, str] | None = None, **context: Any) -> OutboxMessage | None:
    """Render ``templates/mail/<template>.txt`` (and ``.html`` if there is one) in
    ``locale`` and add the mail to the session; returns None when ``to`` is empty.

    ``user`` is the recipient's account, if any (also given to the template as
    ``user``); ``sender_name`` the From display name; ``headers`` extra headers
    such as List-Unsubscribe. A mail with the same (to, kind, key, version) is
    not queued again: the existing row is returned.
    """
    recipient = normalise_email(to or "")
    if not recipient:
        return None
    identity = {"recipient": recipient, "kind": kind, "subject_key": key, "version": version}
    begin_writing()
    existing = _find(identity)
    if existing is not None:
        return existing
    message = OutboxMessage(**_row(identity, template, locale, user, sender_name, reply_to,
                                   attachment, headers, context))
    try:
        with db.session.begin_nested():  # a SAVEPOINT: a lost race leaves the caller's work
            db.session.add(message)
    except IntegrityError:
        existing = _find(identity)
        if existing is None:
            raise
        return existing
    return message


class Prepared(NamedTuple):
    """Copies of one mail rendered for many recipients (``prepare_each``), to be
    queued by ``queue_prepared`` once the caller holds its lock."""

    rows: dict[str, dict[str, Any]]  # by recipient, the columns but the mail's key
    mails: dict[str, Mail]
    template: str
    sender_name: str | None
    context: dict[str, Any]


def prepare_each(mails: list[Mail], template: str, *, sender_name: str | None = None,
                 **context: Any) -> Prepared:
    """Render every copy, each in its recipient's language, before anything is
    written: rendering thousands takes a while, and on SQLite the write lock would
    keep every other writer waiting meanwhile."""
    wanted = {normalise_email(mail.user.email or ""): mail for mail in mails}
    wanted.pop("", None)
    rows = {recipient: _row({"recipient": recipient}, template, mail.user.locale or "",
                            mail.user, sender_name, None, None, mail.headers,
                            {**context, **mail.context})
            for recipient, mail in wanted.items()}
    return Prepared(rows, wanted, template, sender_name, context)


def queue_prepared(prepared: Prepared, *, kind: str, key: str, version: int = 1) -> int:
    """Queue the copies of ``prepare_each`` in a fixed number of statements, however
    many they are: one look for those queued already (one per ``IN_LIST_SIZE``
    recipients), one INSERT of the rest. Returns how many were queued now. Should
    another transaction queue some of them meanwhile, each is queued on its own,
    as ``queue`` does."""
    if not prepared.rows:
        return 0
    begin_writing()
    queued = set().union(*(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.kind == kind, OutboxMessage.subject_key == key,
        OutboxMessage.version == version, OutboxMessage.recipient.in_(some)))
        for some in in_slices(prepared.rows)))
    todo = [recipient for recipient in prepared.rows if recipient not in queued]
    rows = [{**prepared.rows[recipient], "kind": kind, "subject_key": key, "version": version}
            for recipient in todo]
    try:
        with db.session.begin_nested():  # one executemany, without RETURNING (SQLite too)
            db.session.execute(insert(OutboxMessage), rows)
    except IntegrityError:
        for recipient in todo:
            mail = prepared.mails[recipient]
            queue(mail.user.email, prepared.template, mail.user.locale or "", kind=kind,
                  key=key, version=version, user=mail.user,
                  sender_name=prepared.sender_name, headers=mail.headers,
                  **{**prepared.context, **mail.context})
    return len(todo)


def _row(identity: dict, template: str, locale: str, user: User | None,
         sender_name: str | None, reply_to: str | None, attachment: Attachment | None,
         headers: dict[str, str] | None, context: dict) -> dict[str, Any]:
    """The columns of one queued mail, rendered."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    return dict(
        **identity, **_render(template, locale, user=user, **context),
        user_id=user.id if user is not None else None, locale=locale,
        sender_name=_one_line(sender_name), reply_to=_one_line(reply_to),
        attachment=attachment.data if attachment else None,
        attachment_method=attachment.method if attachment else None,
        headers=_checked(headers or {}), message_id=new_message_id(),
        state=OutboxState.WAITING)


def cancel(kind: str, key: str, *, recipient: str | None = None) -> int:
    """Withdraw the waiting mails of ``kind`` about ``key`` (flushes, never commits);
    returns how many. Mails being sent or sent already are left as they are."""
    statement = (update(OutboxMessage)
                 .where(OutboxMessage.kind == kind, OutboxMessage.subject_key == key,
                        OutboxMessage.state == OutboxState.WAITING)
                 .values(state=OutboxState.CANCELLED))
    if recipient is not None:
        statement = statement.where(OutboxMessage.recipient == normalise_email(recipient))
    return db.session.execute(statement).rowcount


def _find(identity: dict) -> OutboxMessage | None:
    return db.session.scalar(select(OutboxMessage).filter_by(**identity))


def _render(template: str, locale: str, **context) -> dict[str, str | None]:
    subject, body = render_mail(template, locale, **context)
    name = f"mail/{template}.html"
    try:
        with force_locale(locale):
            html = render_template(name, **context)
    except TemplateNotFound as error:
        if error.name != name:
            raise  # the HTML version exists but includes something missing
        html = None
    return {"subject": subject, "body_text": body, "body_html": html}


def _one_line(value: str | None) -> str | None:
    """Header values never carry a line break (no header injection)."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def _checked(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if any(char in f"{name}{value}" for char in "\r\n"):
            raise ValueError(f"line break in mail header {name!r}")
    return dict(headers)
