"""The purge: a deletion whose restore window has passed becomes final. After it,
the person's name and email address are nowhere in the database; the anonymous
account row stays, so past answers and check-ins keep their counts."""

import re
from datetime import datetime

from sqlalchemy import delete, or_, select

from meetup.extensions import db
from meetup.models import (
    AccountDeletion,
    ConsentRecord,
    Invitation,
    OutboxMessage,
    normalise_email,
)
from meetup.privacy import queries

SCRUBBED = "—"  # what replaces a purged name or address in other people's mails


def purge_due(now: datetime) -> int:
    """Make every deletion whose restore window has passed irreversible; returns
    how many. Running it again finds nothing more to do."""
    due = queries.due_for_purge(now)
    for deletion in due:
        purge(deletion, now)
    return len(due)


def purge(deletion: AccountDeletion, now: datetime) -> None:
    """Remove the last traces of the name and address: the mails sent to the
    person, their name in other people's mails, invitations to their address,
    their consents, and what waited here for a restore."""
    name, email = deletion.name or "", normalise_email(deletion.email or "")
    db.session.execute(delete(OutboxMessage).where(
        or_(OutboxMessage.user_id == deletion.user_id, OutboxMessage.recipient == email)))
    _scrub_mails([text for text in (name, email) if text.strip()])
    if email:
        db.session.execute(delete(Invitation).where(Invitation.email == email))
    db.session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == deletion.user_id))
    deletion.name = deletion.email = deletion.password_hash = deletion.locale = None
    deletion.purged_at = now
    db.session.flush()


def _scrub_mails(texts: list[str]) -> None:
    columns = ("subject", "body_text", "body_html", "sender_name", "reply_to")
    for text in texts:
        pattern = f"%{text.lower()}%"
        found = db.session.scalars(select(OutboxMessage).where(or_(*[
            getattr(OutboxMessage, column).ilike(pattern) for column in columns])))
        for message in found:
            for column in columns:
                value = getattr(message, column)
                if value:
                    setattr(message, column, _replace(value, text))


def _replace(value: str, text: str) -> str:
    """``value`` with each mention of ``text`` replaced, as a whole word only:
    purging anna@example.com leaves hanna@example.com as it is."""
    mention = re.compile(r"(?<![\w.+-])" + re.escape(text) + r"(?![\w-])", re.IGNORECASE)
    return mention.sub(SCRUBBED, value)
