"""Deliver what the outbox holds: claim, send over SMTP, record, retry later.

SMTP happens with no database transaction open (see ``claims``). A mail the
server refuses for good (5xx for its recipient or its content) fails at once; a
temporary failure (4xx, the server down or gone) is tried again after an
exponential backoff with jitter, at most ``OUTBOX_MAX_ATTEMPTS`` times. One
refused mail never holds up the others. Without ``MAIL_SERVER`` (development)
mails go to the development mailbox: marked sent, written to the log, and shown
to admins at ``/dev/mailbox``.
"""

import os
import random
import secrets
import smtplib
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from meetup.extensions import db
from meetup.mail import CALENDAR_FILENAME, build_message, deliver, smtp_connection
from meetup.models import AttemptOutcome, utcnow
from meetup.notify.claims import Claimed, Claims

DEVELOPMENT_REPLY = "kept in the development mailbox (no MAIL_SERVER configured)"


@dataclass
class Result:
    sent: int = 0
    deferred: int = 0  # will be tried again
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.deferred + self.failed

    def __str__(self) -> str:
        return f"sent {self.sent}, to retry {self.deferred}, failed {self.failed}"


class ConnectionLost(Exception):
    """The SMTP connection cannot be used for the next mail."""


def sender_name() -> str:
    """Unique per sender, also for several senders in one process."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:120]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failure, with jitter."""
    config = current_app.config
    ceiling = min(config["OUTBOX_RETRY_BASE"] * 2 ** (attempts - 1), config["OUTBOX_RETRY_MAX"])
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def _never() -> bool:
    return False


class Sender:
    def __init__(self, name: str | None = None):
        self.claims = Claims(db.engine, name or sender_name())
        config = current_app.config
        self.batch_size = config["OUTBOX_BATCH"]
        # The longest one mail may take: then it must still be inside the lease.
        self.margin = min(timedelta(seconds=6 * config["MAIL_TIMEOUT"]), self.claims.lease / 2)

    @property
    def name(self) -> str:
        return self.claims.name

    def send_pending(self, limit: int = 100, stop: Callable[[], bool] = _never) -> Result:
        """Deliver up to ``limit`` due mails, batch by batch, until none is due or
        ``stop()`` is true (checked before every mail)."""
        result = Result()
        while result.handled < limit and not stop():
            batch = self.claims.claim(min(self.batch_size, limit - result.handled))
            if not batch:
                break
            if current_app.config.get("MAIL_SERVER"):
                finished = self._over_smtp(deque(batch), result, stop)
            else:
                finished = self._to_development_mailbox(batch, result)
            if not finished:
                break
        return result

    def _over_smtp(self, pending: deque[Claimed], result: Result, stop) -> bool:
        """One connection for the batch; a new one after a connection failure."""
        while pending:
            try:
                with smtp_connection() as smtp:
                    while pending:
                        if stop() or pending[0].lease_until - utcnow() < self.margin:
                            self.claims.release(list(pending))
                            return False
                        self._deliver(smtp, pending.popleft(), result)
            except ConnectionLost:
                continue
            except (smtplib.SMTPException, OSError) as error:
                # No connection (server down, login refused): every mail left waits.
                while pending:
                    self._outcome(pending.popleft(), result, _describe(error), permanent=False)
        return True

    def _deliver(self, smtp, mail: Claimed, result: Result) -> None:
        try:
            message = build_message(**message_fields(mail))
        except Exception as error:  # noqa: BLE001 - it would not build next time either
            self._outcome(mail, result, f"could not build the message: {error}", permanent=True)
            return
        try:
            reply = deliver(message, smtp)
        except (smtplib.SMTPException, OSError) as error:
            text, permanent = classify(error)
            self._outcome(mail, result, text, permanent=permanent)
            if smtp.sock is None or not isinstance(error, MAIL_LEVEL):
                raise ConnectionLost from error
        else:
            self.claims.record(mail, AttemptOutcome.SENT, reply or "accepted")
            result.sent += 1
        if smtp.sock is None:  # the server hung up (421): a new connection for the next
            raise ConnectionLost

    def _outcome(self, mail: Claimed, result: Result, reply: str, *, permanent: bool) -> None:
        if permanent or mail.attempts >= self.claims.max_attempts:
            self.claims.record(mail, AttemptOutcome.PERMANENT if permanent
                               else AttemptOutcome.TEMPORARY, reply)
            result.failed += 1
            current_app.logger.warning("Outbox: mail %s to %s failed: %s", mail.id,
                                       mail.recipient, reply)
        else:
            retry_at = utcnow() + retry_delay(mail.attempts)
            self.claims.record(mail, AttemptOutcome.TEMPORARY, reply, retry_at)
            result.deferred += 1

    def _to_development_mailbox(self, batch: list[Claimed], result: Result) -> bool:
        for mail in batch:
            current_app.logger.info("Mail (no MAIL_SERVER configured):\n%s", readable(mail))
            self.claims.record(mail, AttemptOutcome.SENT, DEVELOPMENT_REPLY)
            result.sent += 1
        return True


def send_pending(limit: int = 100, stop: Callable[[], bool] = _never) -> Result:
    """Deliver up to ``limit`` due mails with a new sender (see ``Sender``)."""
    return Sender().send_pending(limit, stop)


def message_fields(mail: Claimed) -> dict:
    """The arguments of ``meetup.mail.build_message`` for a claimed mail."""
    f = mail.fields
    return {"to": f["recipient"], "subject": f["subject"], "body": f["body_text"],
            "html": f["body_html"], "sender_name": f["sender_name"],
            "reply_to": f["reply_to"], "message_id": f["message_id"],
            "date": f["created_at"], "headers": f["headers"], "attachment": f["attachment"],
            "attachment_method": f["attachment_method"]}


def readable(mail: Claimed) -> str:
    """A mail as a person reads it (no transfer encoding), for the log."""
    f = mail.fields
    lines = [f"To: {f['recipient']}", f"Subject: {f['subject']}",
             f"Message-ID: {f['message_id']}"]
    if f["attachment"] is not None:
        lines.append(f"Attachment: {CALENDAR_FILENAME} ({f['attachment_method']})")
    return "\n".join([*lines, "", f["body_text"]])


# Failures of one mail; the connection can carry the next one (smtplib sent RSET).
MAIL_LEVEL = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
              smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError)


def classify(error: Exception) -> tuple[str, bool]:
    """What to record of a failed delivery, and whether it is permanent for this
    mail: the recipient or the content refused with 5xx, or a feature the server
    lacks. Everything else (4xx, our sender address refused, no connection) passes."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return _reply(code, text), code >= 500
    if isinstance(error, smtplib.SMTPDataError):
        return _describe(error), error.smtp_code >= 500
    return _describe(error), isinstance(error, smtplib.SMTPNotSupportedError)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    return f"{type(error).__name__}: {error}"
