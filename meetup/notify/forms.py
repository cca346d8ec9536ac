"""Forms for mail people write: announcements and messages to the organisers."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from meetup.auth.forms import strip
from meetup.forms import Form
from meetup.models import Audience


class MessageForm(Form):
    subject = StringField(_l("Subject"), filters=[strip], validators=[
        DataRequired(_l("Please enter a subject.")), Length(max=200)])
    text = TextAreaField(_l("Message"), filters=[strip], render_kw={"rows": 8}, validators=[
        DataRequired(_l("Please write your message.")), Length(max=10000)])


EVENT_AUDIENCES = [
    SelectChoice(Audience.GOING.value, _l("Everyone going")),
    SelectChoice(Audience.WAITLIST.value, _l("Everyone on the waiting list")),
    SelectChoice(Audience.MEMBERS.value, _l("All members of the club")),
]


class AnnouncementForm(MessageForm):
    audience = RadioField(
        _l("Who receives it"), default=Audience.GOING.value, choices=EVENT_AUDIENCES,
        validators=[DataRequired(_l("Please choose who should receive it."))])

    def for_club(self) -> "AnnouncementForm":
        """A club-wide announcement goes to all members: the only choice."""
        self.audience.choices = [EVENT_AUDIENCES[2]]
        self.audience.data = self.audience.data or Audience.MEMBERS.value
        return self
