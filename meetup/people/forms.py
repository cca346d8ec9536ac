"""The profile form."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Length, NumberRange, Optional, Regexp, ValidationError

from meetup import images
from meetup.auth.forms import strip
from meetup.calendar.birthdays import valid as valid_birthday
from meetup.forms import Form
from meetup.labels import INDUSTRIES, PROFILE_VISIBILITIES
from meetup.people.matching import MAX_ITEMS, MAX_TOPICS

LINK_HOSTS = {"linkedin": ("linkedin.com",), "xing": ("xing.com",)}


def https_only(form, field):
    if field.data and not field.data.startswith("https://"):
        raise ValidationError(_l("Please use a secure address starting with https://."))


def host_of(kind: str):
    def check(form, field):
        host = (field.data or "").split("://", 1)[-1].split("/", 1)[0].lower()
        if field.data and not any(host == h or host.endswith("." + h) for h in LINK_HOSTS[kind]):
            raise ValidationError(_l("This is not a %(site)s address.", site=kind.title()))
    return check


def link_field(label, *checks):
    return StringField(label, filters=[strip], validators=[
        Optional(), URL(message=_l("Please enter a full address, e.g. https://example.org.")),
        https_only, Length(max=255), *checks])


def split_lines(value) -> list[str]:
    """Items typed one per line or separated by commas (a list passes through)."""
    if isinstance(value, list):
        return value
    return (value or "").replace(",", "\n").split("\n")


def month_or_none(value) -> int | None:
    """A month from the form: empty is "not shared"; anything else must be a number."""
    return None if value in (None, "") else int(value)


class ProfileForm(Form):
    photo = FileField(_l("Photo"), validators=[images.upload_size])
    remove_photo = BooleanField(_l("Remove my photo"))
    headline = StringField(_l("And what do you do? (headline)"), filters=[strip],
                           validators=[Length(max=120)])
    position = StringField(_l("Position"), filters=[strip], validators=[Length(max=120)])
    company = StringField(_l("Company or organisation"), filters=[strip],
                          validators=[Length(max=120)], render_kw={"autocomplete": "organization"})
    industry = SelectField(_l("Industry"), default="", choices=[
        SelectChoice("", _l("Please choose")),
        *[SelectChoice(code, label) for code, label in INDUSTRIES.items()]])
    city = StringField(_l("City"), filters=[strip], validators=[Length(max=80)])
    topics = StringField(_l("Topics"), filters=[strip], validators=[Length(max=700)])
    offers = TextAreaField(_l("I offer"), validators=[Length(max=400)], render_kw={"rows": 3})
    needs = TextAreaField(_l("I'm looking for"), validators=[Length(max=400)],
                          render_kw={"rows": 3})
    website = link_field(_l("Website"))
    linkedin = link_field(_l("LinkedIn profile"), host_of("linkedin"))
    xing = link_field(_l("XING profile"), host_of("xing"))
    bio = TextAreaField(_l("About me"), validators=[Length(max=3000)], render_kw={"rows": 5})
    # Shared with contacts only (people I really met), whatever the profile's visibility.
    phone = StringField(_l("Phone"), filters=[strip], validators=[
        Length(max=40), Optional(), Regexp(r"^\+?[0-9 ()/.-]{3,40}$", message=_l(
            "Please enter a phone number with digits, spaces and + ( ) / - only."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    birthday_day = IntegerField(_l("Birthday: day"), validators=[Optional(), NumberRange(
        min=1, max=31, message=_l("Please enter a day from 1 to 31."))])
    birthday_month = SelectField(_l("Birthday: month"), coerce=month_or_none,
                                 validate_choice=False, choices=[
        SelectChoice("", _l("Not shared")), *[SelectChoice(n, str(n)) for n in range(1, 13)]])
    profile_visibility = RadioField(_l("Who may see my profile"), default="members", choices=[
        SelectChoice(code, label) for code, label in PROFILE_VISIBILITIES.items()])

    def validate_topics(self, field):
        if len([t for t in split_lines(field.data) if t.strip()]) > MAX_TOPICS:
            raise ValidationError(_l("At most %(num)d topics.", num=MAX_TOPICS))

    def validate_offers(self, field):
        if len([t for t in split_lines(field.data) if t.strip()]) > MAX_ITEMS:
            raise ValidationError(_l("At most %(num)d items.", num=MAX_ITEMS))

    validate_needs = validate_offers

    def validate_birthday_month(self, field):
        day, month = self.birthday_day.data, field.data
        if (day is None) != (month is None) or (day and not valid_birthday(day, month)):
            raise ValidationError(_l("Please enter a day and a month that exist together, "
                                     "or neither."))
