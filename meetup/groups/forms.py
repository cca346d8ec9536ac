"""Forms for groups, applications, invitations and member management."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from meetup import images
from meetup.account.forms import TimezoneChoices
from meetup.auth.forms import strip
from meetup.config import DEFAULT_TIMEZONE
from meetup.forms import Form
from meetup.models import REMINDER_CHOICES
from meetup.text import WEB_ONLY

TITLE_SUGGESTIONS = ("Vorstand", "Vorsitzende", "Beirat", "Kassierer", "Schriftführer",
                     "Pressesprecher")


class GroupForm(TimezoneChoices, Form):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Please enter the group's name.")), Length(max=120)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=80),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and hyphens only."))],
    )
    city = StringField(_l("City or region"), validators=[Length(max=80)])
    short_description = StringField(_l("Short description"), validators=[Length(max=280)])
    description = TextAreaField(_l("About the group"), validators=[Length(max=20000)],
                                render_kw={"rows": 8})
    website = StringField(_l("Website"), validators=[
        Optional(), URL(message=_l("Please enter a full address, e.g. https://example.org.")),
        Regexp(r"(?i)^https?://", message=WEB_ONLY), Length(max=255)])
    visibility = RadioField(_l("Visibility"), default="public", choices=[
        SelectChoice("public", _l("Public – listed; its public events are visible to all")),
        SelectChoice("private", _l("Private – unlisted; only members see it and its events")),
    ])
    join_policy = RadioField(_l("How people join"), default="open", choices=[
        SelectChoice("open", _l("Open – anyone can join at once")),
        SelectChoice("approval", _l("With approval – people apply, organisers decide")),
        SelectChoice("invite", _l("By invitation only")),
    ])
    timezone = SelectField(_l("Time zone of its events"), default=DEFAULT_TIMEZONE,
                           validate_choice=False)
    logo = FileField(_l("Logo"), validators=[images.upload_size])
    reminder_hours = SelectField(
        _l("Reminder mail to the people going"), coerce=int, default=24,
        choices=[SelectChoice(0, _l("no reminder"))] + [
            SelectChoice(hours, _l("%(num)d hours before the event", num=hours))
            for hours in REMINDER_CHOICES if hours])


class ApplicationForm(Form):
    message = TextAreaField(
        _l("Why would you like to join?"),
        filters=[strip],
        validators=[DataRequired(_l("Please write a few words about yourself.")),
                    Length(max=2000)],
        render_kw={"rows": 5},
    )


class LinkInvitationForm(Form):
    days = IntegerField(_l("Valid for (days)"), default=14, validators=[
        InputRequired(), NumberRange(1, 365, _l("Between 1 and 365 days."))])
    max_uses = IntegerField(_l("Maximum number of uses"), validators=[
        Optional(), NumberRange(1, 10000, _l("Between 1 and 10,000."))])


def note_field() -> TextAreaField:
    return TextAreaField(_l("Personal note (optional)"), filters=[strip],
                         validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})


class EmailInvitationForm(Form):
    emails = TextAreaField(
        _l("Email addresses"),
        validators=[InputRequired(_l("Please enter at least one email address.")),
                    Length(max=20000)],
        render_kw={"rows": 4},
    )
    note = note_field()


class CsvImportForm(Form):
    file = FileField(_l("CSV file"))
    note = note_field()


class DirectoryForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name, company or industry"), validators=[Length(max=100)])


class BrowseForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=100)])
    city = SelectField(_l("City"), validate_choice=False)
