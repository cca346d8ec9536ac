"""Writing and purging the audit trail. ``record`` adds one entry to the
session and flushes, never commits: it is stored exactly when the change it
describes is committed, and a rollback takes both back."""

import enum
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from meetup.extensions import db
from meetup.models import AuditEntry, Group, User, utcnow


class Act(enum.StrEnum):
    """What an organiser did; the value is stored, the label is shown."""

    APPROVE = "application.approve"
    DECLINE = "application.decline"
    REMOVE = "member.remove"
    BAN = "member.ban"
    UNBAN = "member.unban"
    TITLE = "member.title"
    ROLE = "member.role"
    TRANSFER = "group.transfer"
    EVENT_EDIT = "event.edit"
    EVENT_CANCEL = "event.cancel"
    ATTENDEE = "attendee.set"
    CHECK_IN = "check_in.add"
    CHECK_IN_UNDO = "check_in.undo"
    ANNOUNCEMENT = "announcement.send"

    @property
    def label(self) -> str:
        return str(LABELS[self])


LABELS = {
    Act.APPROVE: _l("Application approved"),
    Act.DECLINE: _l("Application declined"),
    Act.REMOVE: _l("Member removed"),
    Act.BAN: _l("Member removed and banned"),
    Act.UNBAN: _l("Ban lifted"),
    Act.TITLE: _l("Title changed"),
    Act.ROLE: _l("Role changed"),
    Act.TRANSFER: _l("Ownership handed over"),
    Act.EVENT_EDIT: _l("Event edited"),
    Act.EVENT_CANCEL: _l("Event cancelled"),
    Act.ATTENDEE: _l("Registration changed by an organiser"),
    Act.CHECK_IN: _l("Checked in"),
    Act.CHECK_IN_UNDO: _l("Check-in undone"),
    Act.ANNOUNCEMENT: _l("Announcement sent"),
}


def jsonable(value):
    """A value as JSON keeps it: times as ISO 8601, enums as their value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _person_of(subject) -> int | None:
    if isinstance(subject, User):
        return subject.id
    return getattr(subject, "user_id", None)


def record(group: Group | int, actor: User | None, action: Act | str, subject=None,
           before: dict | None = None, after: dict | None = None, *,
           person: User | None = None) -> AuditEntry:
    """Note that ``actor`` did ``action`` to ``subject`` (a model row, e.g. a
    Membership, an Event, an RSVP) in ``group``, from ``before`` to ``after``.
    The person it concerns is ``person``, else the subject's ``user_id``.
    Only ids and states go in: names are looked up when the trail is shown."""
    group_id = group if isinstance(group, int) else group.id
    entry = AuditEntry(
        group_id=group_id, actor_id=actor.id if actor is not None else None,
        action=str(Act(action)), created_at=utcnow(),
        subject_type=subject.__tablename__ if subject is not None else "group",
        subject_id=getattr(subject, "id", None) if subject is not None else group_id,
        person_id=person.id if person is not None else _person_of(subject),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None)
    db.session.add(entry)
    db.session.flush()
    return entry


def purge(now: datetime | None = None) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    result = db.session.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount
