"""Forms of the introductions page: the search, a request, the switch."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from meetup.auth.forms import strip
from meetup.forms import Form
from meetup.guards import MAX_ID
from meetup.introductions.services import MAX_NOTE

_person = [NumberRange(min=1, max=MAX_ID)]


class PathSearchForm(Form):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Whom are you looking for? An industry, a company, a topic or an offer"),
                    filters=[strip], validators=[Length(max=100, message=_l(
                        "A search can be at most %(max)d characters long."))])


class AskForm(Form):
    via = IntegerField(validators=[InputRequired(), *_person])
    target = IntegerField(validators=[InputRequired(), *_person])
    second = IntegerField(validators=[Optional(), *_person])
    q = HiddenField(filters=[strip], validators=[Length(max=100)])
    note = TextAreaField(_l("A short note: why would you like to meet?"), filters=[strip],
                         validators=[Length(max=MAX_NOTE, message=_l(
                             "A note can be at most %(max)d characters long."))],
                         render_kw={"rows": 3})


class SwitchForm(Form):
    allow = BooleanField(_l("Others may reach people through me"))
