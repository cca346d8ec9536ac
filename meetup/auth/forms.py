"""Forms for signing up, logging in and resetting a password."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from meetup.forms import Form


def strip(value):
    """Form filter: surrounding blanks are not content."""
    return value.strip() if isinstance(value, str) else value


def password_length(form, field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(
            _l("Use at least %(num)d characters.", num=minimum)
        )
    if len(field.data) > 256:
        raise ValidationError(_l("Use at most 256 characters."))


def email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("Email address"),
        validators=[
            InputRequired(_l("Please enter your email address.")),
            Email(_l("Please enter a valid email address, e.g. name@example.com.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        validators=[InputRequired(_l("Please choose a password.")), password_length],
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(Form):
    name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = new_password_field()


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))
    next = HiddenField()


class ResetRequestForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = new_password_field(_l("New password"))


class ConfirmForm(Form):
    """An empty form: a button whose POST carries the CSRF token."""
