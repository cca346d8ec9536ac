"""Forms for a person's own account settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from meetup.auth.forms import email_field, new_password_field, strip
from meetup.events.timing import place_zones

COMMON_TIMEZONES = (
    "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "Europe/Paris",
    "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw", "Europe/Istanbul",
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Dubai",
    "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
)


def timezone_choices() -> list[SelectChoice]:
    """Zones of real places (no "localtime", "Factory", "Etc/GMT+5"), common ones first."""
    zones = place_zones()
    common = [zone for zone in COMMON_TIMEZONES if zone in zones]
    rest = sorted(zones - set(common))
    return [SelectChoice(zone, zone.replace("_", " ")) for zone in (*common, *rest)]


class TimezoneChoices:
    """Mixin for forms with a ``timezone`` select: fills and checks its choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def validate_timezone(self, field):
        if field.data not in place_zones():
            raise ValidationError(_l("Please choose a time zone from the list."))


def current_password_field() -> PasswordField:
    return PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class SettingsForm(TimezoneChoices, FlaskForm):
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


class PasswordChangeForm(FlaskForm):
    current_password = current_password_field()
    password = new_password_field(_l("New password"))


class EmailChangeForm(FlaskForm):
    email = email_field(_l("New email address"))
    current_password = current_password_field()
