"""Forms of the data protection pages."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import InputRequired

from meetup.forms import Form


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Please enter your password to confirm."))],
        render_kw={"autocomplete": "current-password"},
    )
