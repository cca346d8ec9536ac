"""Forms of the data protection pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import InputRequired


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Please enter your password to confirm."))],
        render_kw={"autocomplete": "current-password"},
    )
