"""A club's audit trail as CSV and JSON downloads (pure: rows in, text out)."""

import csv
import io
import json
from collections.abc import Iterable

from flask_babel import gettext as _

from meetup.audit.queries import Row
from meetup.events.export import safe_cell


def as_csv(rows: Iterable[Row]) -> str:
    """With a BOM and ';' as German spreadsheet programs expect; formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("When (UTC)"), _("Action"), _("By"), _("Concerning"), _("Event"),
                     _("Before"), _("After")])
    for row in rows:
        writer.writerow([safe_cell(value) for value in (
            row.entry.created_at.isoformat(), row.label, row.actor, row.person, row.event,
            json.dumps(row.entry.before, ensure_ascii=False, sort_keys=True)
            if row.entry.before is not None else "",
            json.dumps(row.entry.after, ensure_ascii=False, sort_keys=True)
            if row.entry.after is not None else "")])
    return "\ufeff" + buffer.getvalue()


def as_json(rows: Iterable[Row]) -> list[dict]:
    return [{"id": row.entry.id, "at": row.entry.created_at.isoformat(),
             "action": row.entry.action, "label": row.label,
             "actor": row.actor, "actor_id": row.entry.actor_id,
             "person": row.person or None, "person_id": row.entry.person_id,
             "subject": row.entry.subject_type, "subject_id": row.entry.subject_id,
             "event": row.event or None, "before": row.entry.before,
             "after": row.entry.after} for row in rows]
