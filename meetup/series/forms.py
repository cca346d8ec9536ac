"""Forms of the series page."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from meetup.auth.forms import strip
from meetup.events.forms import scope_field
from meetup.forms import Form


class SeriesDatesForm(Form):
    """Which dates of a series an action reaches: one of its dates, and a scope."""

    first = SelectField(_l("Date"), coerce=int, validate_choice=False,
                        validators=[InputRequired(_l("Please choose a date."))])
    scope = scope_field(_l("Which dates"))

    def fill(self, choices: list[tuple[int, str]]) -> None:
        self.first.choices = choices


class SeriesCancelForm(SeriesDatesForm):
    reason = TextAreaField(_l("Reason (shown to everyone)"), filters=[strip], validators=[
        DataRequired(_l("Please give a short reason.")), Length(max=500)],
        render_kw={"rows": 3})
