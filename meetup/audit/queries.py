"""Reading the audit trail: a club's page of entries, and all of them for the export."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup.audit.services import LABELS
from meetup.extensions import db
from meetup.models import AuditEntry, Event, Group
from meetup.pagination import paginate

PER_PAGE = 50


def _query(group: Group):
    return (select(AuditEntry).where(AuditEntry.group_id == group.id)
            .options(joinedload(AuditEntry.actor), joinedload(AuditEntry.person))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))


def page(group: Group) -> Pagination:
    return paginate(_query(group), PER_PAGE)


def event_id_of(entry: AuditEntry) -> int | None:
    if entry.subject_type == "event":
        return entry.subject_id
    for state in (entry.after, entry.before):
        if isinstance(state, dict) and isinstance(state.get("event_id"), int):
            return state["event_id"]
    return None


def event_titles(group: Group, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Titles of the club's events the entries are about, in one query."""
    ids = {i for i in map(event_id_of, entries) if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Event.id, Event.title).where(
        Event.id.in_(ids), Event.group_id == group.id)).all())


@dataclass(frozen=True)
class Row:
    """One entry as the page and the export show it."""

    entry: AuditEntry
    label: str
    actor: str
    person: str
    event: str
    changes: list[tuple[str, object, object]]


PERSON_SUBJECTS = ("membership", "application", "rsvp", "ban", "user")


def name_of(user) -> str:
    """A person's name, or "former member" once their account is deleted."""
    return user.name if user is not None else _("former member")


def changes(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field either side names, in a stable order."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(key, before.get(key), after.get(key)) for key in keys if key != "event_id"]


def rows(group: Group, entries: Iterable[AuditEntry]) -> list[Row]:
    entries = list(entries)
    titles = event_titles(group, entries)
    return [Row(entry=entry,
                label=str(LABELS.get(entry.action, entry.action)),
                actor=name_of(entry.actor),
                person=(name_of(entry.person) if entry.subject_type in PERSON_SUBJECTS
                        else ""),
                event=titles.get(event_id_of(entry), ""),
                changes=changes(entry.before, entry.after)) for entry in entries]


def all_rows(group: Group, batch: int = 500) -> Iterator[Row]:
    """Every entry of the club, newest first, read in batches."""
    offset = 0
    while True:
        entries = db.session.scalars(_query(group).limit(batch).offset(offset)).unique().all()
        if not entries:
            return
        yield from rows(group, entries)
        offset += batch
