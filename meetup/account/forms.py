"""Forms for a person's own account settings."""

import functools
import unicodedata

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from meetup.auth.forms import email_field, new_password_field, strip
from meetup.events.timing import listed_zones, place_zones
from meetup.forms import Form
from meetup.i18n import format_locale, zone_label

COMMON_TIMEZONES = (
    "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Luxembourg", "Europe/Brussels",
    "Europe/Amsterdam", "Europe/London", "Europe/Paris", "Europe/Madrid", "Europe/Rome",
    "Europe/Warsaw", "Europe/Prague", "Europe/Copenhagen", "Europe/Stockholm",
    "Europe/Istanbul", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "Asia/Dubai", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
)
def _sort_key(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label)
    return "".join(char for char in plain if not unicodedata.combining(char)).casefold()


@functools.cache
def _listed_choices(locale: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(common zones, every other place) as (zone, label), for one language."""
    parsed = Locale.parse(locale)
    common = [zone for zone in COMMON_TIMEZONES if zone in place_zones()]
    rest = sorted(((zone, zone_label(zone, parsed)) for zone in listed_zones()
                   if zone not in common), key=lambda pair: _sort_key(pair[1]))
    return tuple((zone, zone_label(zone, parsed)) for zone in common), tuple(rest)


def timezone_choices(current: str | None = None) -> dict[str, list[SelectChoice]]:
    """Zones of real places in the viewer's language (no "localtime", "Factory",
    "Etc/GMT+5"): the common ones first, then every place by country and city.
    A stored zone that is no longer listed (an old name) stays selectable."""
    locale = str(format_locale())
    common, rest = (list(pairs) for pairs in _listed_choices(locale))
    if current and current in place_zones() and current not in dict(common + rest):
        common.insert(0, (current, zone_label(current, Locale.parse(locale))))
    return {str(_l("Frequently used")): [SelectChoice(*pair) for pair in common],
            str(_l("All places")): [SelectChoice(*pair) for pair in rest]}


class TimezoneChoices:
    """Mixin for forms with a ``timezone`` select: fills and checks its choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(self.timezone.data)

    def validate_timezone(self, field):
        if field.data not in place_zones():
            raise ValidationError(_l("Please choose a time zone from the list."))


def current_password_field() -> PasswordField:
    return PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class SettingsForm(TimezoneChoices, Form):
    name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Like my browser")),
            SelectChoice("de", "Deutsch", render_kw={"lang": "de"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )
    timezone = SelectField(_l("Time zone"), validate_choice=False)


class PasswordChangeForm(Form):
    current_password = current_password_field()
    password = new_password_field(_l("New password"))


class EmailChangeForm(Form):
    email = email_field(_l("New email address"))
    current_password = current_password_field()
