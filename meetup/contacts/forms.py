"""Forms: whom did you meet, a contact's card, the contact search."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from meetup.auth.forms import strip
from meetup.contacts.services import MAX_TAG_LENGTH, MAX_TAGS
from meetup.forms import Form
from meetup.guards import MAX_ID

MAX_NOTE = 5000
FIRST_DAY, LAST_DAY = 2000, 2100  # years a follow-up may fall in


def as_id(value) -> int:
    """A person's id from the form; anything else is refused by the field."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


class MeetForm(Form):
    people = SelectMultipleField(
        _l("Whom did you talk to?"), coerce=as_id, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(), validate_choice=False)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.people.choices = choices

    def validate_people(self, field):
        allowed = {value for value, _label in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("You can only mark people who were at this event "
                                     "with you."))


def split_tags(value: str) -> list[str]:
    return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


class CardForm(Form):
    note = TextAreaField(_l("My notes"), validators=[Length(max=MAX_NOTE, message=_l(
        "Notes can be at most %(max)d characters long."))], render_kw={"rows": 6})
    tags = StringField(_l("Tags"), filters=[strip], validators=[Length(max=400)])
    follow_up_on = DateField(_l("Follow up on"), validators=[Optional()])

    def validate_tags(self, field):
        tags = split_tags(field.data)
        if len(tags) > MAX_TAGS:
            raise ValidationError(_l("At most %(num)d tags.", num=MAX_TAGS))
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise ValidationError(_l("A tag can be at most %(num)d characters long.",
                                     num=MAX_TAG_LENGTH))

    def validate_follow_up_on(self, field):
        if field.data and not FIRST_DAY <= field.data.year <= LAST_DAY:
            raise ValidationError(_l("Please choose a date between %(first)d and %(last)d.",
                                     first=FIRST_DAY, last=LAST_DAY))


class SearchForm(Form):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Search name, company, tags and notes"), filters=[strip],
                    validators=[Length(max=100, message=_l(
                        "A search can be at most %(max)d characters long."))])
