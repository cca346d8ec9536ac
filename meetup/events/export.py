"""The attendee list as a CSV file for spreadsheet programs (pure: a preview in, text out)."""

import csv
import io

from flask_babel import gettext as _

from meetup.labels import INDUSTRIES
from meetup.models import RSVPStatus
from meetup.people.preview import Preview

# A cell starting like this is a formula to spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading ' (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def attendee_csv(preview: Preview) -> str:
    """Everyone the organiser's preview lists, going first, with a BOM and ';'
    as German spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Name"), _("Company"), _("Position"), _("Industry"), _("Headline"),
                     _("Title"), _("Status"), _("Guests"), _("Checked in")])
    for entry in [*preview.going, *preview.waiting]:
        person = entry.user
        writer.writerow([safe_cell(value) for value in (
            person.name, person.company, person.position,
            str(INDUSTRIES.get(person.industry, person.industry)), person.headline,
            preview.titles.get(person.id, ""),
            _("Going") if entry.status == RSVPStatus.GOING else _("Waitlist"),
            entry.guests, _("yes") if entry.checked_in_at else "")])
    return "\ufeff" + buffer.getvalue()
