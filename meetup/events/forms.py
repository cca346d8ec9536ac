"""Forms for events, RSVPs and the organiser's attendee actions."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
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
    Regexp,
    ValidationError,
)

from meetup.account.forms import TimezoneChoices, timezone_choices
from meetup.auth.forms import strip
from meetup.events import timing
from meetup.events.services import EDITABLE, Schedule
from meetup.forms import Form, LongSelect
from meetup.labels import EVENT_KINDS
from meetup.models import SeriesFrequency
from meetup.series.rules import DEFAULT_COUNTS, MAX_OCCURRENCES, Repeat, Scope
from meetup.text import WEB_ONLY

LOCAL = "%Y-%m-%dT%H:%M"
# Wall-clock fields of an event; each has a "<name>_fold" choice for the
# hour that happens twice when the clocks go back.
# Keys: the form's field names; values: the names in ``editing.Schedule``.
LOCAL_TIMES = {"starts_at": "start", "ends_at": "end", "rsvp_opens_at": "rsvp_opens",
               "rsvp_closes_at": "rsvp_closes"}
DEFAULT_LENGTH = timedelta(hours=2)  # an empty end: two hours after the start


def within_years(form, field) -> None:
    """Dates from FIRST_YEAR to LAST_YEAR only: nothing else is an event of ours,
    and far-off years overflow when converted between zones."""
    if field.data is not None and not timing.in_range(field.data):
        raise ValidationError(_l("Please enter a date between %(first)d and %(last)d.",
                                 first=timing.FIRST_YEAR, last=timing.LAST_YEAR))


def fold_choices(local: datetime, zone: ZoneInfo) -> list[SelectChoice]:
    """The two instants of a repeated wall-clock time, named by zone and offset."""
    choices = []
    for fold, text in ((0, _("the first time, before the clocks go back")),
                       (1, _("the second time, after the clocks go back"))):
        moment = timing.aware(local, zone, fold)
        offset = moment.strftime("%z")
        choices.append(SelectChoice(str(fold), "{} {} (UTC{}:{}), {}".format(
            moment.strftime("%H:%M"), moment.tzname(), offset[:3], offset[3:], text)))
    return choices


def fold_field() -> RadioField:
    return RadioField(_l("This time happens twice that night. Which one is meant?"),
                      choices=[], validate_choice=False)


class EventForm(Form):
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
        InputRequired(_l("Please enter date and time of the start.")), within_years])
    ends_at = DateTimeLocalField(_l("End"), format=LOCAL, validators=[Optional(), within_years])
    starts_at_fold = fold_field()
    ends_at_fold = fold_field()
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    venue_name = StringField(_l("Venue"), filters=[strip], validators=[Length(max=200)])
    venue_address = StringField(_l("Address"), filters=[strip], validators=[Length(max=300)])
    online_url = StringField(_l("Online link"), filters=[strip], validators=[
        Optional(), URL(message=_l("Please enter a full address, e.g. https://example.org.")),
        Regexp(r"(?i)^https?://", message=WEB_ONLY), Length(max=500)])
    capacity = IntegerField(_l("Seats"), validators=[
        Optional(),
        NumberRange(min=1, max=100000, message=_l("Please enter from 1 to 100,000 seats."))])
    guests_allowed = IntegerField(_l("Guests per person"), default=0, validators=[
        InputRequired(_l("Please enter a number.")),
        NumberRange(min=0, max=20, message=_l("Between 0 and 20."))])
    rsvp_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL,
                                       validators=[Optional(), within_years])
    rsvp_closes_at = DateTimeLocalField(_l("Registration closes"), format=LOCAL,
                                        validators=[Optional(), within_years])
    rsvp_opens_at_fold = fold_field()
    rsvp_closes_at_fold = fold_field()
    visibility = RadioField(_l("Who can see it"), default="public", choices=[
        SelectChoice("public", _l("Everyone (public event of a public group)")),
        SelectChoice("members", _l("Members of the group only"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(self.timezone.data)
        self.ambiguous: set[str] = set()  # fields whose time happens twice

    validate_timezone = TimezoneChoices.validate_timezone

    def validate_venue_name(self, field):
        if not (field.data or self.online_url.data):
            raise ValidationError(_l("Please enter a venue or an online link."))

    def schedule(self) -> Schedule:
        return Schedule(start=self.starts_at.data, end=self.ends_at.data,
                        timezone=self.timezone.data, rsvp_opens=self.rsvp_opens_at.data,
                        rsvp_closes=self.rsvp_closes_at.data,
                        folds={key: self.fold(name) for name, key in LOCAL_TIMES.items()})

    def values(self) -> dict:
        return {name: self[name].data for name in EDITABLE} | {
            "description": self.description.data or "",
            "speaker_bio": self.speaker_bio.data or ""}

    def fill_times(self, event) -> None:
        """The stored instants as wall-clock times in the event's zone."""
        for name in LOCAL_TIMES:
            value = getattr(event, name)
            local = value.astimezone(event.zone) if value else None
            self[name].data = local.replace(tzinfo=None) if local else None
            if local and timing.is_ambiguous(self[name].data, event.zone):
                self.offer_fold(name, event.zone, local.fold)

    def fold(self, name: str) -> int:
        """0 or 1: which of two equal wall-clock times ``name`` means."""
        return 1 if self[f"{name}_fold"].data == "1" else 0

    def offer_fold(self, name: str, zone: ZoneInfo, fold: int | None = None) -> None:
        """Show the summer/winter time choice for ``name``."""
        self.ambiguous.add(name)
        choice = self[f"{name}_fold"]
        choice.choices = fold_choices(self[name].data, zone)
        if fold is not None:
            choice.data = str(fold)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.ends_at.data is None and not self.ends_at.errors and self.starts_at.data:
            self.ends_at.data = self.starts_at.data + DEFAULT_LENGTH
        if self.timezone.errors:
            return False
        zone = ZoneInfo(self.timezone.data)
        for name in LOCAL_TIMES:
            field = self[name]
            if field.errors or field.data is None:
                continue
            if timing.does_not_exist(field.data, zone):
                field.errors.append(_("This time does not exist in this zone: the clocks go "
                                      "forward that night. Please choose another time."))
                valid = False
            elif timing.is_ambiguous(field.data, zone):
                self.offer_fold(name, zone)
                if self[f"{name}_fold"].data not in ("0", "1"):
                    field.errors.append(_("This time happens twice that night: please choose "
                                          "which one is meant."))
                    valid = False
        return valid


SCOPES = {Scope.THIS: _l("This date only"),
          Scope.FOLLOWING: _l("This and all following dates of the series"),
          Scope.ALL: _l("All dates of the series that are not over yet")}


def scope_field(label) -> RadioField:
    return RadioField(label, default=Scope.THIS.value,
                      choices=[SelectChoice(scope.value, text) for scope, text in SCOPES.items()])


class NewEventForm(EventForm):
    repeat = SelectField(_l("Repeat"), default="", choices=[
        SelectChoice("", _l("Does not repeat")),
        SelectChoice("weekly", _l("Every week (or every N weeks)")),
        SelectChoice("monthly_weekday",
                     _l("Monthly on the same weekday, e.g. every first Tuesday")),
        SelectChoice("monthly_day", _l("Monthly on the same day of the month"))])
    interval = IntegerField(_l("Every how many weeks or months"), default=1, validators=[
        Optional(), NumberRange(min=1, max=12, message=_l("Between 1 and 12."))])
    until = DateField(_l("Last date"), validators=[Optional(), within_years])
    count = IntegerField(_l("Or number of dates"), validators=[
        Optional(), NumberRange(min=1, max=MAX_OCCURRENCES, message=_l(
            "Between 1 and %(max)d: a series can have at most %(max)d dates.",
            max=MAX_OCCURRENCES))])
    # The fingerprint of the dates the preview showed (series.signature).
    confirm = HiddenField()

    def validate_until(self, field):
        start = self.starts_at.data
        if field.data and start and field.data < start.date():
            raise ValidationError(_l("The series must end on or after its first date."))

    def validate_count(self, field):
        if field.data is not None and self.until.data:
            raise ValidationError(_l("Please give either a last date or a number of dates, "
                                     "not both."))

    def errors_for_series(self) -> list:
        """Where a refused series is explained: next to the end it was given."""
        return self.until.errors if self.until.data else self.count.errors

    def repetition(self) -> Repeat | None:
        """The series asked for; an open end becomes the default number of dates,
        written back into the form so the page shows it."""
        if not self.repeat.data:
            return None
        frequency = SeriesFrequency(self.repeat.data)
        if self.until.data is None and self.count.data is None:
            self.count.data = DEFAULT_COUNTS[frequency]
        return Repeat(frequency, self.interval.data or 1, self.until.data, self.count.data)


class EditEventForm(EventForm):
    scope = scope_field(_l("Apply changes to"))


class RSVPForm(Form):
    guests = IntegerField(_l("Guests"), default=0, validators=[
        Optional(), NumberRange(min=0, max=20, message=_l("Between 0 and 20."))])


class CancelForm(Form):
    reason = TextAreaField(_l("Reason (shown to everyone)"), filters=[strip], validators=[
        DataRequired(_l("Please give a short reason.")), Length(max=500)], render_kw={"rows": 3})


class BrowseForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=100)])
    city = SelectField(_l("City"), validate_choice=False, widget=LongSelect())
    group = SelectField(_l("Club"), validate_choice=False, widget=LongSelect())
    kind = SelectField(_l("Kind"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional(), within_years])
    date_to = DateField(_l("To"), validators=[Optional(), within_years])

    def validate_date_to(self, field):
        start = self.date_from.data
        if field.data and start and not self.date_from.errors and field.data < start:
            raise ValidationError(_l("“To” must not be before “From”."))

    def date_filter(self, name: str):
        """The date of ``name`` when it is usable, else None."""
        field = self[name]
        return None if field.errors else field.data
