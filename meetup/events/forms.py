"""Forms for events, RSVPs and the organiser's attendee actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from meetup.account.forms import TimezoneChoices
from meetup.auth.forms import strip
from meetup.labels import EVENT_KINDS

LOCAL = "%Y-%m-%dT%H:%M"


class EventForm(TimezoneChoices, FlaskForm):
    title = StringField(_l("Title of the event"), filters=[strip], validators=[
        DataRequired(_l("Please give the event a title.")), Length(max=200)])
    kind = SelectField(_l("Kind of event"), default="stammtisch",
                       choices=[SelectChoice(value, label) for value, label in EVENT_KINDS.items()])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)],
                                render_kw={"rows": 6})
    speaker = StringField(_l("Speaker"), filters=[strip], validators=[Length(max=120)])
    speaker_bio = TextAreaField(_l("About the speaker"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    starts_at = DateTimeLocalField(_l("Start"), format=LOCAL, validators=[
        InputRequired(_l("Please enter date and time of the start."))])
    ends_at = DateTimeLocalField(_l("End"), format=LOCAL, validators=[
        InputRequired(_l("Please enter date and time of the end."))])
    timezone = SelectField(_l("Time zone"))
    venue_name = StringField(_l("Venue"), filters=[strip], validators=[Length(max=200)])
    venue_address = StringField(_l("Address"), filters=[strip], validators=[Length(max=300)])
    online_url = StringField(_l("Online link"), filters=[strip], validators=[
        Optional(), URL(message=_l("Please enter a full address, e.g. https://example.org.")),
        Length(max=500)])
    capacity = IntegerField(_l("Seats"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("At least one seat."))])
    guests_allowed = IntegerField(_l("Guests per person"), default=0, validators=[
        InputRequired(_l("Please enter a number.")),
        NumberRange(min=0, max=20, message=_l("Between 0 and 20."))])
    rsvp_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL,
                                       validators=[Optional()])
    rsvp_closes_at = DateTimeLocalField(_l("Registration closes"), format=LOCAL,
                                        validators=[Optional()])
    visibility = RadioField(_l("Who can see it"), default="public", choices=[
        SelectChoice("public", _l("Everyone (public event of a public group)")),
        SelectChoice("members", _l("Members of the group only"))])

    def validate_venue_name(self, field):
        if not (field.data or self.online_url.data):
            raise ValidationError(_l("Please enter a venue or an online link."))


class NewEventForm(EventForm):
    repeat = SelectField(_l("Repeat"), default="", choices=[
        SelectChoice("", _l("Does not repeat")),
        SelectChoice("weekly", _l("Every week (or every N weeks)")),
        SelectChoice("monthly_weekday",
                     _l("Monthly on the same weekday, e.g. every first Tuesday")),
        SelectChoice("monthly_day", _l("Monthly on the same day of the month"))])
    interval = IntegerField(_l("Every how many weeks"), default=1, validators=[
        Optional(), NumberRange(min=1, max=12, message=_l("Between 1 and 12."))])
    until = DateField(_l("Until (date)"), validators=[Optional()])
    count = IntegerField(_l("Or number of dates"), validators=[
        Optional(), NumberRange(min=1, max=104, message=_l("Between 1 and 104."))])


class EditEventForm(EventForm):
    scope = RadioField(_l("Apply changes to"), default="this", choices=[
        SelectChoice("this", _l("This event only")),
        SelectChoice("following", _l("This and all following events of the series"))])


class RSVPForm(FlaskForm):
    guests = IntegerField(_l("Guests"), default=0, validators=[
        Optional(), NumberRange(min=0, max=20, message=_l("Between 0 and 20."))])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown to everyone)"), filters=[strip], validators=[
        DataRequired(_l("Please give a short reason.")), Length(max=500)], render_kw={"rows": 3})


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=100)])
    city = SelectField(_l("City"), validate_choice=False)
    group = SelectField(_l("Club"), validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
